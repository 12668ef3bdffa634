//! The [`MessageStreamPort`] over MSRP: one [`Listener`] for the streams we wait for, a
//! relay when the account has one, and per session the connection, the messages waiting
//! for it, and the events translated to the domain's words.

mod file_offer;
mod file_transfer;
mod link;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use wink_digest::Credentials;
use wink_ports::sdp::Direction;
use wink_ports::stream::EventStream;
use wink_ports::{
    FileAttributes, MessageSection, MessageStreamPort, OutgoingMessage, SessionId, Setup,
    StreamError, StreamEvent,
};

use crate::connection::{Connection, SessionHandle};
use crate::ids::Ids;
use crate::incoming_file::IncomingFile;
use crate::listener::{Expected, Listener};
use crate::relay::RelayAuth;
use crate::session::{Session, SessionConfig};
use crate::uri::MsrpUri;

/// How long the other side has to connect to a stream we wait for.
const CONNECT_WAIT: Duration = Duration::from_secs(30);

/// The chunk size through a relay: kamailio's relay drops frames over its 16 KiB read
/// buffer, and smaller chunks are what relays are built for.
pub const RELAYED_CHUNK_SIZE: usize = 4096;

/// The content types a chat stream takes.
const CHAT_TYPES: [&str; 3] = [
    "message/cpim",
    "text/plain",
    "application/im-iscomposing+xml",
];
/// Inside `message/cpim`.
const WRAPPED_TYPES: [&str; 4] = [
    "text/plain",
    "text/html",
    "message/imdn+xml",
    "application/im-iscomposing+xml",
];

/// An MSRP relay and the account's credentials for it.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// `msrp://relay.example.com:2855;tcp` or `msrps://…`.
    pub uri: MsrpUri,
    /// The account's user name and password.
    pub credentials: Credentials,
}

/// How the chat streams are made.
#[derive(Debug, Clone)]
pub struct StreamsConfig {
    /// Where to listen for streams we wait for (port 0: any).
    pub listen: SocketAddr,
    /// The address written in our paths (the listening one when `None`).
    pub announce: Option<IpAddr>,
    /// A relay to go through, if any.
    pub relay: Option<RelaySettings>,
    /// The largest chat message taken (files are taken up to the size they announce).
    pub max_message_size: u64,
    /// Where received files are saved.
    pub downloads: PathBuf,
    /// The roots trusted for `msrps:` (TLS) connections, a relay's above all; without it
    /// only `msrp:` is used.
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

/// Chat streams over MSRP.
#[derive(Debug)]
pub struct MsrpStreams {
    config: StreamsConfig,
    listener: Listener,
    streams: Arc<Mutex<HashMap<SessionId, Stream>>>,
    events: mpsc::UnboundedSender<StreamEvent>,
    event_stream: Mutex<Option<mpsc::UnboundedReceiver<StreamEvent>>>,
    ids: Mutex<Ids>,
}

/// One session's stream.
#[derive(Debug)]
struct Stream {
    /// Our path: the relay's Use-Path, then our URI.
    path: Vec<MsrpUri>,
    /// How the connection comes: waited for on the listener, or the relay's.
    pending: Option<Pending>,
    link: Link,
    /// What it carries (taken when the connection starts).
    carries: Option<Carries>,
}

/// What a stream carries.
#[derive(Debug)]
enum Carries {
    /// Chat lines, both ways.
    Chat,
    /// A file we send.
    FileOut(file_transfer::Outgoing),
    /// A file we receive.
    FileIn(file_transfer::Incoming),
}

#[derive(Debug)]
enum Pending {
    Listening(Expected),
    Relay(Connection),
}

#[derive(Debug)]
enum Link {
    /// Not up yet: what was sent meanwhile.
    Waiting(Vec<OutgoingMessage>),
    Up(SessionHandle),
    Closed,
}

impl MsrpStreams {
    /// Starts listening.
    ///
    /// # Errors
    /// [`StreamError::Connection`] when the address cannot be bound.
    pub async fn new(config: StreamsConfig, seed: u64) -> Result<Self, StreamError> {
        let listener = Listener::bind(config.listen).await.map_err(|e| {
            StreamError::Connection(format!("cannot listen on {}: {e}", config.listen))
        })?;
        let (events, receiver) = mpsc::unbounded_channel();
        Ok(Self {
            config,
            listener,
            streams: Arc::default(),
            events,
            event_stream: Mutex::new(Some(receiver)),
            ids: Mutex::new(Ids::seeded(seed)),
        })
    }

    fn local_uri(&self, session_id: &str) -> MsrpUri {
        let uri = self.listener.uri(session_id);
        match self.config.announce {
            Some(ip) => {
                let host = match ip {
                    IpAddr::V6(v6) => format!("[{v6}]"),
                    v4 => v4.to_string(),
                };
                MsrpUri::endpoint(false, &host, uri.port().unwrap_or(0), session_id)
            }
            None => uri,
        }
    }

    fn new_session_id(&self) -> String {
        self.ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .alphanumeric(20)
    }

    /// Prepares our end of a stream: through the relay (its Use-Path first), or listening.
    async fn prepare(
        &self,
        listening: bool,
    ) -> Result<(Vec<MsrpUri>, Option<Pending>), StreamError> {
        let session_id = self.new_session_id();
        let local = self.local_uri(&session_id);
        if let Some(relay) = &self.config.relay {
            let connection = Connection::connect_with(&relay.uri, self.config.tls.as_ref()).await;
            let mut connection = connection.map_err(|e| {
                StreamError::Connection(format!("cannot reach the MSRP relay {}: {e}", relay.uri))
            })?;
            let seed = self
                .ids
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .up_to(u64::MAX);
            let auth = RelayAuth::new(
                relay.uri.clone(),
                local.clone(),
                relay.credentials.clone(),
                seed,
                None,
            );
            let (mut path, _expires) = connection
                .authenticate(auth)
                .await
                .map_err(|e| StreamError::Connection(e.to_string()))?;
            path.push(local);
            return Ok((path, Some(Pending::Relay(connection))));
        }
        let pending = listening.then(|| Pending::Listening(self.listener.expect(&session_id)));
        Ok((vec![local], pending))
    }

    /// Our section for a chat.
    fn section(&self, path: &[MsrpUri], setup: Setup) -> MessageSection {
        let first = path.first();
        MessageSection {
            secure: first.is_some_and(MsrpUri::is_secure),
            port: first.and_then(MsrpUri::port).unwrap_or(0),
            address: first.and_then(|uri| uri.host().trim_matches(['[', ']']).parse().ok()),
            path: path.iter().map(ToString::to_string).collect(),
            accept_types: CHAT_TYPES.iter().map(|t| (*t).to_owned()).collect(),
            accept_wrapped_types: WRAPPED_TYPES.iter().map(|t| (*t).to_owned()).collect(),
            max_size: Some(self.config.max_message_size),
            setup: Some(setup),
            direction: wink_ports::sdp::Direction::SendRecv,
            file: None,
        }
    }

    /// Our section for a file stream: it carries the file's attributes, one way.
    fn file_section(
        &self,
        path: &[MsrpUri],
        setup: Setup,
        direction: Direction,
        file: FileAttributes,
    ) -> MessageSection {
        let media_type = file
            .selector
            .media_type
            .clone()
            .unwrap_or_else(|| "*".to_owned());
        MessageSection {
            accept_types: vec![media_type],
            accept_wrapped_types: Vec::new(),
            max_size: None,
            direction,
            file: Some(file),
            ..self.section(path, setup)
        }
    }

    /// Keeps a new stream of `session` (not connected yet).
    fn remember(
        &self,
        session: &SessionId,
        path: Vec<MsrpUri>,
        pending: Option<Pending>,
        carries: Carries,
    ) {
        let stream = Stream {
            path,
            pending,
            link: Link::Waiting(Vec::new()),
            carries: Some(carries),
        };
        lock(&self.streams).insert(session.clone(), stream);
    }

    /// A file the other side offers, opened in the downloads folder (resuming a part file
    /// of the same file), and our answer's attributes: theirs, with the range we ask for.
    fn open_incoming(
        &self,
        offered: &FileAttributes,
    ) -> Result<(file_transfer::Incoming, FileAttributes), StreamError> {
        let selector = &offered.selector;
        let size = selector.size.ok_or_else(|| {
            StreamError::NotAcceptable("the offered file does not say its size".to_owned())
        })?;
        std::fs::create_dir_all(&self.config.downloads).map_err(|e| {
            StreamError::File(format!(
                "cannot open the downloads folder {}: {e}",
                self.config.downloads.display()
            ))
        })?;
        let name = selector.name.as_deref().unwrap_or("received file");
        let file = IncomingFile::open(&self.config.downloads, name, Some(size), selector.sha1)
            .map_err(|e| StreamError::File(format!("cannot save the file: {e}")))?;
        let held = file.already_received().min(size);
        let mut answer = offered.clone();
        answer.range = (held > 0).then_some((held + 1, Some(size)));
        Ok((file_transfer::Incoming { file, size }, answer))
    }

    /// Starts the connection of `session` towards `remote` (their path), in the background.
    fn connect(
        &self,
        session: &SessionId,
        remote: &MessageSection,
        we_connect: bool,
    ) -> Result<(), StreamError> {
        let remote_path = MsrpUri::parse_path(&remote.path.join(" "))
            .map_err(|e| StreamError::NotAcceptable(format!("bad a=path: {e}")))?;
        let (path, pending, carries) = {
            let mut streams = lock(&self.streams);
            let stream = streams
                .get_mut(session)
                .ok_or_else(|| StreamError::UnknownSession(session.clone()))?;
            let carries = stream.carries.take().unwrap_or(Carries::Chat);
            (stream.path.clone(), stream.pending.take(), carries)
        };
        let local = path
            .last()
            .cloned()
            .ok_or_else(|| StreamError::UnknownSession(session.clone()))?;
        // Requests go through our relay (if any), then along their path.
        let mut to_path = path[..path.len() - 1].to_vec();
        to_path.extend(remote_path.iter().cloned());
        let mut config = SessionConfig::new(local.clone());
        config.max_message_size = self.config.max_message_size;
        if path.len() > 1 {
            config.chunk_size = RELAYED_CHUNK_SIZE;
        }
        if let Carries::FileIn(incoming) = &carries {
            // Every piece goes straight to the disk, whatever the file's size.
            config.max_message_size = incoming.size;
            config.whole_message_limit = 0;
            config.already_held = incoming.file.already_received().min(incoming.size);
        }
        let seed = self
            .ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .up_to(u64::MAX);
        let active = we_connect || matches!(pending, Some(Pending::Relay(_)));
        let msrp = Session::new(config, vec![local], to_path.clone(), seed, active);
        let first_hop = to_path[0].clone();
        let start = link::Start {
            session: session.clone(),
            pending,
            first_hop,
            we_connect,
            msrp,
            carries,
            tls: self.config.tls.clone(),
            streams: Arc::clone(&self.streams),
            events: self.events.clone(),
        };
        tokio::spawn(start.run());
        Ok(())
    }
}

fn lock(
    streams: &Mutex<HashMap<SessionId, Stream>>,
) -> std::sync::MutexGuard<'_, HashMap<SessionId, Stream>> {
    streams.lock().unwrap_or_else(PoisonError::into_inner)
}

#[async_trait]
impl MessageStreamPort for MsrpStreams {
    async fn offer(&self, session: &SessionId) -> Result<MessageSection, StreamError> {
        let (path, pending) = self.prepare(true).await?;
        let setup = if self.config.relay.is_some() {
            Setup::Active
        } else {
            Setup::ActPass
        };
        let section = self.section(&path, setup);
        self.remember(session, path, pending, Carries::Chat);
        Ok(section)
    }

    async fn offer_file(
        &self,
        session: &SessionId,
        file: &Path,
    ) -> Result<MessageSection, StreamError> {
        let transfer_id = self.new_session_id();
        let described = file_offer::describe(file, transfer_id).await?;
        let (path, pending) = self.prepare(true).await?;
        let setup = if self.config.relay.is_some() {
            Setup::Active
        } else {
            Setup::ActPass
        };
        let section = self.file_section(
            &path,
            setup,
            Direction::SendOnly,
            described.attributes.clone(),
        );
        let outgoing = file_transfer::Outgoing {
            path: described.path,
            content_type: described.media_type,
            size: described.size,
            start: 0,
        };
        self.remember(session, path, pending, Carries::FileOut(outgoing));
        Ok(section)
    }

    async fn answer(
        &self,
        session: &SessionId,
        offer: &MessageSection,
    ) -> Result<MessageSection, StreamError> {
        if offer.port == 0 || offer.path.is_empty() {
            return Err(StreamError::NotAcceptable(
                "the offered stream has no path to connect to".to_owned(),
            ));
        }
        // A file pushed to us (RFC 5547 §8.2); anything else is a chat.
        let incoming = match &offer.file {
            Some(file) if offer.direction == Direction::SendOnly => Some(self.open_incoming(file)?),
            _ => None,
        };
        let takes_text = offer
            .accept_types
            .iter()
            .any(|t| t == "*" || CHAT_TYPES.iter().any(|ours| t.eq_ignore_ascii_case(ours)));
        if incoming.is_none() && !takes_text {
            return Err(StreamError::NotAcceptable(
                "the offered chat stream takes no text we can send".to_owned(),
            ));
        }
        // We connect, unless they said they would (RFC 6135).
        let we_connect = offer.setup != Some(Setup::Active);
        let (path, pending) = self.prepare(!we_connect).await?;
        let setup = if we_connect {
            Setup::Active
        } else {
            Setup::Passive
        };
        let (section, carries) = match incoming {
            Some((file, attributes)) => (
                self.file_section(&path, setup, Direction::RecvOnly, attributes),
                Carries::FileIn(file),
            ),
            None => (self.section(&path, setup), Carries::Chat),
        };
        self.remember(session, path, pending, carries);
        self.connect(session, offer, we_connect)?;
        Ok(section)
    }

    async fn apply_answer(
        &self,
        session: &SessionId,
        answer: &MessageSection,
    ) -> Result<(), StreamError> {
        if answer.port == 0 {
            self.close(session).await;
            return Err(StreamError::NotAcceptable(
                "the other side refused the chat stream".to_owned(),
            ));
        }
        // A file goes from where the other side asks (`a=file-range`, from 1).
        if let Some((first, _)) = answer.file.as_ref().and_then(|file| file.range) {
            let mut streams = lock(&self.streams);
            if let Some(Stream {
                carries: Some(Carries::FileOut(file)),
                ..
            }) = streams.get_mut(session)
            {
                file.start = first.saturating_sub(1).min(file.size);
            }
        }
        // They connect unless they said passive.
        let we_connect = answer.setup == Some(Setup::Passive);
        self.connect(session, answer, we_connect)
    }

    async fn send(&self, session: &SessionId, message: OutgoingMessage) -> Result<(), StreamError> {
        let handle = {
            let mut streams = lock(&self.streams);
            let stream = streams
                .get_mut(session)
                .ok_or_else(|| StreamError::UnknownSession(session.clone()))?;
            match &mut stream.link {
                Link::Waiting(waiting) => {
                    waiting.push(message);
                    return Ok(());
                }
                Link::Up(handle) => handle.clone(),
                Link::Closed => {
                    let _ = self.events.send(StreamEvent::Failed {
                        session: session.clone(),
                        id: message.id,
                        reason: "the chat connection is closed".to_owned(),
                    });
                    return Ok(());
                }
            }
        };
        link::send_on(&handle, message).await;
        Ok(())
    }

    async fn close(&self, session: &SessionId) {
        let removed = lock(&self.streams).remove(session);
        match removed.map(|stream| stream.link) {
            Some(Link::Up(handle)) => handle.close(),
            Some(Link::Waiting(waiting)) => {
                for message in waiting {
                    let _ = self.events.send(StreamEvent::Failed {
                        session: session.clone(),
                        id: message.id,
                        reason: "the chat ended before the message was sent".to_owned(),
                    });
                }
            }
            _ => {}
        }
    }

    fn events(&self) -> EventStream<StreamEvent> {
        match self
            .event_stream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            Some(mut receiver) => Box::pin(futures_util::stream::poll_fn(move |cx| {
                receiver.poll_recv(cx)
            })),
            None => Box::pin(futures_util::stream::empty()),
        }
    }
}
