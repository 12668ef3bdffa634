//! TCP and TLS for the agent: connections to peers (reused for every message to the same
//! address, and for requests coming back on them), inbound TCP connections, and framing of
//! the byte streams into messages by Content-Length (bounded; see
//! [`StreamFramer`](crate::message::StreamFramer)).
//!
//! Certificates are verified by default against the Mozilla roots (`webpki-roots`); CA files
//! named in the settings are trusted in addition, for self-signed test or company servers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::TlsConnector;
use tracing::{debug, warn};

use crate::endpoint::{Peer, TransportKind};
use crate::message::StreamFramer;

/// What the streams tell the agent.
#[derive(Debug)]
pub(crate) enum Inbound {
    /// A message received on a stream, with the peer it came from.
    Frame(Peer, Vec<u8>),
    /// A connection to the peer could not be opened (refused, unreachable, TLS failed):
    /// what was queued for it is lost.
    Failed(Peer),
    /// A connection we opened to the peer has closed.
    Closed(Peer),
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// A CA file could not be read or holds no certificate.
    #[error("cannot use CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// The TLS client configuration: Mozilla roots plus the given CA files.
///
/// # Errors
/// [`TlsSetupError::CaFile`] for a file that is missing or holds no certificate.
pub fn tls_config(extra_ca_files: &[PathBuf]) -> Result<Arc<rustls::ClientConfig>, TlsSetupError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for path in extra_ca_files {
        let fail = |reason: String| TlsSetupError::CaFile {
            path: path.clone(),
            reason,
        };
        let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| fail(e.to_string()))?
            .collect::<Result<_, _>>()
            .map_err(|e| fail(e.to_string()))?;
        if certificates.is_empty() {
            return Err(fail("no certificate in the file".into()));
        }
        for certificate in certificates {
            roots.add(certificate).map_err(|e| fail(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::CaFile {
            path: PathBuf::new(),
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Open stream connections, by peer.
pub(crate) struct Streams {
    connections: HashMap<Peer, mpsc::UnboundedSender<Vec<u8>>>,
    inbound: mpsc::UnboundedSender<Inbound>,
    tls: Arc<rustls::ClientConfig>,
    server_names: HashMap<SocketAddr, ServerName<'static>>,
}

impl Streams {
    pub(crate) fn new(
        inbound: mpsc::UnboundedSender<Inbound>,
        tls: Arc<rustls::ClientConfig>,
    ) -> Self {
        Self {
            connections: HashMap::new(),
            inbound,
            tls,
            server_names: HashMap::new(),
        }
    }

    /// The name to verify a TLS server at `addr` against (its domain, or its IP address).
    pub(crate) fn set_server_name(&mut self, addr: SocketAddr, host: &str) {
        let host = host.trim_matches(['[', ']']).to_owned();
        match ServerName::try_from(host) {
            Ok(name) => {
                self.server_names.insert(addr, name);
            }
            Err(error) => warn!(target: "sip", %addr, %error, "not a usable TLS server name"),
        }
    }

    /// Sends on the connection to `peer`, opening it first if needed.
    pub(crate) fn send(&mut self, peer: Peer, bytes: Vec<u8>) {
        if let Some(sender) = self.connections.get(&peer) {
            match sender.send(bytes) {
                Ok(()) => return,
                Err(mpsc::error::SendError(bytes)) => {
                    // The connection closed: open a new one for this message.
                    self.connections.remove(&peer);
                    return self.send(peer, bytes);
                }
            }
        }
        let (sender, queue) = mpsc::unbounded_channel();
        let _ = sender.send(bytes);
        self.connections.insert(peer, sender);
        let inbound = self.inbound.clone();
        let tls = self.tls.clone();
        let name = self.server_names.get(&peer.addr).cloned();
        tokio::spawn(async move {
            let tcp = match TcpStream::connect(peer.addr).await {
                Ok(tcp) => tcp,
                Err(error) => {
                    warn!(target: "sip", to = %peer.addr, %error, "cannot connect");
                    let _ = inbound.send(Inbound::Failed(peer));
                    return;
                }
            };
            let _ = tcp.set_nodelay(true);
            match peer.transport {
                TransportKind::Tls => {
                    let name = name.unwrap_or_else(|| ServerName::IpAddress(peer.addr.ip().into()));
                    match TlsConnector::from(tls).connect(name, tcp).await {
                        Ok(stream) => run_connection(stream, peer, queue, inbound.clone()).await,
                        Err(error) => {
                            warn!(target: "sip", to = %peer.addr, %error, "TLS handshake failed");
                            let _ = inbound.send(Inbound::Failed(peer));
                            return;
                        }
                    }
                }
                _ => run_connection(tcp, peer, queue, inbound.clone()).await,
            }
            let _ = inbound.send(Inbound::Closed(peer));
        });
    }

    /// Takes a connection a peer opened to our TCP listener.
    pub(crate) fn accept(&mut self, tcp: TcpStream, remote: SocketAddr) {
        let peer = Peer {
            addr: remote,
            transport: TransportKind::Tcp,
        };
        let (sender, queue) = mpsc::unbounded_channel();
        self.connections.insert(peer, sender);
        let inbound = self.inbound.clone();
        tokio::spawn(run_connection(tcp, peer, queue, inbound));
    }
}

/// Writes queued messages and reads framed ones until either side closes.
async fn run_connection<S>(
    stream: S,
    peer: Peer,
    mut queue: mpsc::UnboundedReceiver<Vec<u8>>,
    inbound: mpsc::UnboundedSender<Inbound>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let writing = async move {
        while let Some(bytes) = queue.recv().await {
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
        }
    };
    let reading = async move {
        let mut framer = StreamFramer::default();
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let n = match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            framer.push(&buffer[..n]);
            loop {
                match framer.next_message() {
                    Ok(Some(frame)) => {
                        if inbound.send(Inbound::Frame(peer, frame)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(error) => {
                        warn!(target: "sip", from = %peer.addr, %error, "closing a stream that cannot be framed");
                        return;
                    }
                }
            }
        }
    };
    tokio::select! {
        () = writing => {}
        () = reading => {}
    }
    debug!(target: "sip", peer = %peer.addr, "connection closed");
}
