//! The tokio driver: one TCP (or TLS, `msrps`) connection carrying one [`Session`]. It
//! reads into the session,
//! writes what the session hands out, wakes it at its deadlines, reads the files it streams,
//! and passes its events on. Writing has its own task, so a side that sends a large file
//! still reads what comes in (two sides both writing can never block each other).

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::time::Duration;

use std::sync::Arc;

use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::decoder::{Decoded, Decoder};
use crate::error::RelayError;
use crate::relay::{RelayAuth, RelayOutcome};
use crate::session::{Event, MessageId, Output, Reports, Session};
use crate::uri::MsrpUri;

/// How long connecting and the relay's answers may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Events waiting for their reader; a slow reader slows the connection, not memory.
const EVENT_QUEUE: usize = 256;
/// Frames written ahead of the socket.
const WRITE_QUEUE: usize = 8;

/// What a connection runs over: TCP, or TLS over TCP.
trait ByteStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> ByteStream for T {}

/// A connection to the other side or a relay, with the bytes read from it so far.
pub struct Connection {
    stream: Box<dyn ByteStream>,
    read: Vec<u8>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("read", &self.read.len())
            .finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) fn with_read(stream: TcpStream, read: Vec<u8>) -> Self {
        Self {
            stream: Box::new(stream),
            read,
        }
    }

    /// Opens a TCP connection to the host and port of `uri` (the first hop of a
    /// `To-Path`, or a relay); an `msrps:` URI is refused (see [`Connection::connect_with`]).
    ///
    /// # Errors
    /// The connect error, or [`io::ErrorKind::TimedOut`].
    pub async fn connect(uri: &MsrpUri) -> io::Result<Self> {
        Self::connect_with(uri, None).await
    }

    /// Opens a connection to `uri`: TCP for `msrp:`, TLS with `tls` (the roots it
    /// trusts) for `msrps:`, the certificate checked against the URI's host.
    ///
    /// # Errors
    /// The connect or handshake error; [`io::ErrorKind::TimedOut`];
    /// [`io::ErrorKind::Unsupported`] for `msrps:` without `tls`.
    pub async fn connect_with(
        uri: &MsrpUri,
        tls: Option<&Arc<rustls::ClientConfig>>,
    ) -> io::Result<Self> {
        let host = uri.host().trim_matches(['[', ']']);
        let port = uri.port().unwrap_or(2855);
        let timed_out = || io::Error::new(io::ErrorKind::TimedOut, "connecting timed out");
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host, port)))
            .await
            .map_err(|_| timed_out())??;
        stream.set_nodelay(true)?;
        if !uri.is_secure() {
            return Ok(Self::with_read(stream, Vec::new()));
        }
        let tls = tls.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::Unsupported,
                "msrps (TLS) is not set up for this connection",
            )
        })?;
        let name = ServerName::try_from(host.to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(tls));
        let secured = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, stream))
            .await
            .map_err(|_| timed_out())??;
        Ok(Self {
            stream: Box::new(secured),
            read: Vec::new(),
        })
    }

    /// Authenticates to the relay this connection goes to (RFC 4976): returns its
    /// `Use-Path` and how long it holds. The connection then carries the session.
    ///
    /// # Errors
    /// [`RelayError`]: refused, unreachable, or not answering.
    pub async fn authenticate(
        &mut self,
        mut auth: RelayAuth,
    ) -> Result<(Vec<MsrpUri>, Duration), RelayError> {
        let mut decoder = Decoder::new();
        decoder.push(&std::mem::take(&mut self.read));
        let mut request = auth.start();
        for _ in 0..4 {
            self.stream
                .write_all(&request)
                .await
                .map_err(RelayError::Io)?;
            let head = tokio::time::timeout(CONNECT_TIMEOUT, self.next_head(&mut decoder))
                .await
                .map_err(|_| RelayError::NoAnswer)??;
            match auth.handle(&head) {
                Some(RelayOutcome::Send(next)) => request = next,
                Some(RelayOutcome::Ready { use_path, expires }) => return Ok((use_path, expires)),
                Some(RelayOutcome::Refused { code, reason }) => {
                    return Err(RelayError::Refused { code, reason });
                }
                None => {}
            }
        }
        Err(RelayError::NoAnswer)
    }

    async fn next_head(&mut self, decoder: &mut Decoder) -> Result<crate::frame::Head, RelayError> {
        let mut buffer = [0u8; 4096];
        loop {
            match decoder.next_item() {
                Ok(Some(Decoded::Head(head))) => return Ok(head),
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(error) => return Err(RelayError::Garbled(error.to_string())),
            }
            let n = self
                .stream
                .read(&mut buffer)
                .await
                .map_err(RelayError::Io)?;
            if n == 0 {
                return Err(RelayError::Io(io::ErrorKind::UnexpectedEof.into()));
            }
            decoder.push(&buffer[..n]);
        }
    }

    /// Runs `session` over this connection until it closes; its events come out of the
    /// returned receiver, which ends when the connection is gone.
    #[must_use]
    pub fn run(self, session: Session) -> (SessionHandle, mpsc::Receiver<Event>) {
        let (commands, command_receiver) = mpsc::unbounded_channel();
        let (event_sender, events) = mpsc::channel(EVENT_QUEUE);
        tokio::spawn(drive(self, session, command_receiver, event_sender));
        (SessionHandle { commands }, events)
    }
}

/// Commands to a running session.
#[derive(Debug, Clone)]
pub struct SessionHandle {
    commands: mpsc::UnboundedSender<Command>,
}

#[derive(Debug)]
enum Command {
    Send {
        content_type: String,
        body: Vec<u8>,
        reports: Reports,
        /// The caller's id for the message: events name it instead of the MSRP one.
        label: Option<String>,
        reply: oneshot::Sender<MessageId>,
    },
    SendFile {
        path: PathBuf,
        content_type: String,
        start: u64,
        reports: Reports,
        reply: oneshot::Sender<io::Result<MessageId>>,
    },
    Abort(MessageId),
    Close,
}

impl SessionHandle {
    /// Sends a message held in memory; its id, or `None` when the connection is gone.
    pub async fn send(
        &self,
        content_type: &str,
        body: Vec<u8>,
        reports: Reports,
    ) -> Option<MessageId> {
        self.send_as(None, content_type, body, reports).await
    }

    /// Sends a message that the events about it name `label` (the caller's own id)
    /// instead of its MSRP Message-ID.
    pub async fn send_as(
        &self,
        label: Option<String>,
        content_type: &str,
        body: Vec<u8>,
        reports: Reports,
    ) -> Option<MessageId> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Send {
                content_type: content_type.to_owned(),
                body,
                reports,
                label,
                reply,
            })
            .ok()?;
        answer.await.ok()
    }

    /// Sends a file, from byte `start` on; its message id.
    ///
    /// # Errors
    /// The file cannot be opened, or the connection is gone.
    pub async fn send_file(
        &self,
        path: PathBuf,
        content_type: &str,
        start: u64,
        reports: Reports,
    ) -> io::Result<MessageId> {
        let (reply, answer) = oneshot::channel();
        let gone = || {
            io::Error::new(
                io::ErrorKind::NotConnected,
                "the session's connection is gone",
            )
        };
        self.commands
            .send(Command::SendFile {
                path,
                content_type: content_type.to_owned(),
                start,
                reports,
                reply,
            })
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Gives a message up.
    pub fn abort(&self, id: &str) {
        let _ = self.commands.send(Command::Abort(id.to_owned()));
    }

    /// Ends the session: what is not settled fails, the connection closes.
    pub fn close(&self) {
        let _ = self.commands.send(Command::Close);
    }
}

/// What the driver keeps beside the session: the files being streamed, and the caller's
/// labels of messages (with whether a delivery report is awaited), by message id.
#[derive(Default)]
struct Local {
    files: HashMap<MessageId, File>,
    labels: HashMap<MessageId, (String, bool)>,
}

impl Local {
    /// Forgets what an event settles, and names the message by the caller's label.
    fn settle(&mut self, event: &mut Event) {
        let (id, settled) = match event {
            Event::Sent { id } => {
                self.files.remove(id.as_str());
                let report_awaited = self.labels.get(id.as_str()).is_some_and(|l| l.1);
                (id, !report_awaited)
            }
            Event::Failed { id, .. } => {
                self.files.remove(id.as_str());
                (id, true)
            }
            Event::Delivered { id } => (id, true),
            Event::Progress { id, .. } => (id, false),
            _ => return,
        };
        let label = if settled {
            self.labels.remove(id.as_str()).map(|l| l.0)
        } else {
            self.labels.get(id.as_str()).map(|l| l.0.clone())
        };
        if let Some(label) = label {
            *id = label;
        }
    }
}

async fn drive(
    connection: Connection,
    mut session: Session,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::Sender<Event>,
) {
    let (reader, mut writer) = tokio::io::split(connection.stream);
    let (write_queue, mut to_write) = mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
    let writing = tokio::spawn(async move {
        while let Some(bytes) = to_write.recv().await {
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = writer.shutdown().await;
    });
    let mut local = Local::default();
    session.handle_input(Instant::now().into_std(), &connection.read);
    let outcome = run_loop(
        reader,
        &mut session,
        &mut commands,
        &events,
        &write_queue,
        &mut local,
    )
    .await;
    if let Err(reason) = outcome {
        debug!(target: "msrp", %reason, "session connection ended");
    }
    session.close();
    let now = Instant::now().into_std();
    while let Output::Event(mut event) = session.poll_output(now) {
        local.settle(&mut event);
        if events.send(event).await.is_err() {
            break;
        }
    }
    drop(write_queue);
    let _ = writing.await;
}

async fn run_loop(
    mut reader: ReadHalf<Box<dyn ByteStream>>,
    session: &mut Session,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    events: &mpsc::Sender<Event>,
    write_queue: &mpsc::Sender<Vec<u8>>,
    local: &mut Local,
) -> Result<(), String> {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut deadline: Option<Instant> = None;
    // A frame the writer had no room for yet.
    let mut held: Option<Vec<u8>> = None;
    loop {
        if session.is_broken() {
            return Err("the other side sent what is not MSRP".into());
        }
        // Everything the session has to say goes out before more is read, so what a fast
        // sender sends cannot pile up inside the session: events wait for their reader,
        // frames for room in the writer's queue.
        while let Some(mut event) = session.poll_event() {
            local.settle(&mut event);
            let _ = events.send(event).await;
        }
        while held.is_none() {
            supply_files(session, &mut local.files);
            match session.poll_output(Instant::now().into_std()) {
                Output::Transmit(bytes) => match write_queue.try_reserve() {
                    Ok(permit) => permit.send(bytes),
                    Err(mpsc::error::TrySendError::Full(())) => held = Some(bytes),
                    Err(mpsc::error::TrySendError::Closed(())) => {
                        return Err("the connection's writer stopped".into());
                    }
                },
                Output::Event(mut event) => {
                    local.settle(&mut event);
                    let _ = events.send(event).await;
                }
                Output::Timeout(at) => {
                    deadline = Some(Instant::from_std(at));
                    break;
                }
                Output::Idle => {
                    deadline = None;
                    break;
                }
            }
        }
        tokio::select! {
            biased;
            permit = write_queue.reserve(), if held.is_some() => {
                let permit = permit.map_err(|_| "the connection's writer stopped".to_owned())?;
                if let Some(bytes) = held.take() {
                    permit.send(bytes);
                }
            }
            command = commands.recv() => {
                match command {
                    None | Some(Command::Close) => return Ok(()),
                    Some(command) => run_command(session, command, local),
                }
            }
            () = sleep_until(deadline), if deadline.is_some() => {
                session.handle_timeout(Instant::now().into_std());
            }
            // Read on while our writes wait, or two sides both sending would block each
            // other.
            read = reader.read(&mut buffer) => {
                match read {
                    Ok(0) => return Err("the other side closed the connection".into()),
                    Ok(n) => session.handle_input(Instant::now().into_std(), &buffer[..n]),
                    Err(error) => return Err(error.to_string()),
                }
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(deadline) = deadline {
        tokio::time::sleep_until(deadline).await;
    }
}

fn run_command(session: &mut Session, command: Command, local: &mut Local) {
    match command {
        Command::Send {
            content_type,
            body,
            reports,
            label,
            reply,
        } => {
            let id = session.send_message(&content_type, body, reports);
            if let Some(label) = label {
                local.labels.insert(id.clone(), (label, reports.success));
            }
            let _ = reply.send(id);
        }
        Command::SendFile {
            path,
            content_type,
            start,
            reports,
            reply,
        } => {
            let opened = File::open(&path).and_then(|file| Ok((file.metadata()?.len(), file)));
            let _ = reply.send(opened.map(|(size, file)| {
                let id = session.send_stream(&content_type, size, start, reports);
                local.files.insert(id.clone(), file);
                id
            }));
        }
        Command::Abort(id) => {
            session.abort(Instant::now().into_std(), &id);
            local.files.remove(&id);
            local.labels.remove(&id);
        }
        Command::Close => {}
    }
}

/// Reads what the session's streams want next. The reads are small (two chunks) and from
/// a file the user picked, so they run inline.
fn supply_files(session: &mut Session, files: &mut HashMap<MessageId, File>) {
    while let Some(wanted) = session.data_wanted() {
        let Some(file) = files.get(&wanted.id) else {
            session.abort(Instant::now().into_std(), &wanted.id);
            continue;
        };
        let mut piece = vec![0u8; wanted.len];
        match file.read_at(&mut piece, wanted.offset) {
            Ok(n) if n > 0 => session.supply(&wanted.id, &piece[..n]),
            result => {
                warn!(target: "msrp", id = %wanted.id, ?result, "the file being sent cannot be read");
                files.remove(&wanted.id);
                session.abort(Instant::now().into_std(), &wanted.id);
            }
        }
    }
}
