//! The passive side (RFC 6135 `a=setup:passive`): one TCP listener for every session of
//! ours, each connection handed to the session its first frame's `To-Path` names.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::debug;

use crate::connection::Connection;
use crate::decoder::{Decoded, Decoder, MAX_HEAD};
use crate::uri::MsrpUri;

/// How long a new connection has to send its first frame's headers.
const FIRST_FRAME: Duration = Duration::from_secs(10);

type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Connection>>>>;

/// A listening socket shared by the sessions that wait for the other side to connect.
#[derive(Debug)]
pub struct Listener {
    addr: SocketAddr,
    waiting: Waiting,
    accepting: JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

/// A connection expected for one session.
#[derive(Debug)]
pub struct Expected {
    session_id: String,
    receiver: oneshot::Receiver<Connection>,
    waiting: Waiting,
}

impl Listener {
    /// Listens on `addr` (port 0: any free port).
    ///
    /// # Errors
    /// The socket's bind error.
    pub async fn bind(addr: SocketAddr) -> io::Result<Self> {
        let socket = TcpListener::bind(addr).await?;
        let addr = socket.local_addr()?;
        let waiting: Waiting = Arc::default();
        let accepting = tokio::spawn(accept_loop(socket, Arc::clone(&waiting)));
        Ok(Self {
            addr,
            waiting,
            accepting,
        })
    }

    /// Where it listens.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Our URI for a session with this id on this listener.
    #[must_use]
    pub fn uri(&self, session_id: &str) -> MsrpUri {
        let host = match self.addr.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        MsrpUri::endpoint(false, &host, self.addr.port(), session_id)
    }

    /// Waits for the connection of session `session_id` (register it before the other
    /// side can learn our URI).
    #[must_use]
    pub fn expect(&self, session_id: &str) -> Expected {
        let (sender, receiver) = oneshot::channel();
        lock(&self.waiting).insert(session_id.to_owned(), sender);
        Expected {
            session_id: session_id.to_owned(),
            receiver,
            waiting: Arc::clone(&self.waiting),
        }
    }
}

impl Expected {
    /// The connection, once the other side opened it and sent its first frame.
    ///
    /// # Errors
    /// [`io::ErrorKind::TimedOut`] when nobody connects within `timeout`.
    pub async fn connection(mut self, timeout: Duration) -> io::Result<Connection> {
        match tokio::time::timeout(timeout, &mut self.receiver).await {
            Ok(Ok(connection)) => Ok(connection),
            _ => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the other side did not connect for the session",
            )),
        }
    }
}

impl Drop for Expected {
    fn drop(&mut self) {
        lock(&self.waiting).remove(&self.session_id);
    }
}

fn lock(
    waiting: &Waiting,
) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<Connection>>> {
    waiting
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn accept_loop(socket: TcpListener, waiting: Waiting) {
    loop {
        match socket.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(hand_over(stream, peer, Arc::clone(&waiting)));
            }
            Err(error) => {
                debug!(target: "msrp", %error, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Reads the first frame's headers and gives the connection to the session it names.
async fn hand_over(mut stream: TcpStream, peer: SocketAddr, waiting: Waiting) {
    let mut read = Vec::new();
    let first = tokio::time::timeout(FIRST_FRAME, async {
        let mut buffer = [0u8; 4096];
        let mut decoder = Decoder::new();
        while read.len() <= MAX_HEAD + buffer.len() {
            let n = stream.read(&mut buffer).await.ok().filter(|n| *n > 0)?;
            read.extend_from_slice(&buffer[..n]);
            decoder.push(&buffer[..n]);
            match decoder.next_item() {
                Ok(Some(Decoded::Head(head))) => return Some(head),
                Ok(None) => {}
                _ => return None,
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    let session_id = first.and_then(|head| head.to_path()).and_then(|path| {
        path.first()
            .and_then(|uri| uri.session_id().map(str::to_owned))
    });
    let Some(session_id) = session_id else {
        return debug!(target: "msrp", %peer, "connection without a valid first frame closed");
    };
    let Some(sender) = lock(&waiting).remove(&session_id) else {
        return debug!(target: "msrp", %peer, %session_id, "connection for no waiting session closed");
    };
    // Chat lines are small: without this, Nagle's algorithm holds each one until the
    // other side's delayed ACK (a 44 ms round trip, `examples/msrp_chat_rtt.rs`).
    if let Err(error) = stream.set_nodelay(true) {
        debug!(target: "msrp", %error, "TCP_NODELAY not set");
    }
    let _ = sender.send(Connection::with_read(stream, read));
}
