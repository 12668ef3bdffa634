//! The [`MessageStreamPort`] over MSRP: one [`Listener`] for the streams we wait for, a
//! relay when the account has one, and per session the connection, the messages waiting
//! for it, and the events translated to the domain's words.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tracing::{debug, warn};
use wink_digest::Credentials;
use wink_ports::stream::EventStream;
use wink_ports::{
    MessageId, MessageSection, MessageStreamPort, OutgoingMessage, SessionId, Setup, StreamError,
    StreamEvent,
};

use crate::connection::{Connection, SessionHandle};
use crate::ids::Ids;
use crate::listener::{Expected, Listener};
use crate::relay::RelayAuth;
use crate::session::{Event, Reports, Session, SessionConfig};
use crate::uri::MsrpUri;

/// How long the other side has to connect to a stream we wait for.
const CONNECT_WAIT: Duration = Duration::from_secs(30);

/// The chunk size through a relay: kamailio's relay drops frames over its 16 KiB read
/// buffer, and smaller chunks are what relays are built for.
pub const RELAYED_CHUNK_SIZE: usize = 4096;

/// The content types a chat stream takes.
const CHAT_TYPES: [&str; 2] = ["message/cpim", "text/plain"];
/// Inside `message/cpim`.
const WRAPPED_TYPES: [&str; 3] = ["text/plain", "text/html", "message/imdn+xml"];

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
    /// The largest message taken.
    pub max_message_size: u64,
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
            let mut connection = Connection::connect(&relay.uri).await.map_err(|e| {
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

    fn section(&self, path: &[MsrpUri], setup: Setup) -> MessageSection {
        let first = path.first();
        MessageSection {
            secure: false,
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

    /// Keeps a new stream of `session` (not connected yet) and returns our section for it.
    fn remember(
        &self,
        session: &SessionId,
        path: Vec<MsrpUri>,
        pending: Option<Pending>,
        setup: Setup,
    ) -> MessageSection {
        let section = self.section(&path, setup);
        let stream = Stream {
            path,
            pending,
            link: Link::Waiting(Vec::new()),
        };
        lock(&self.streams).insert(session.clone(), stream);
        section
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
        let (path, pending) = {
            let mut streams = lock(&self.streams);
            let stream = streams
                .get_mut(session)
                .ok_or_else(|| StreamError::UnknownSession(session.clone()))?;
            (stream.path.clone(), stream.pending.take())
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
        let seed = self
            .ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .up_to(u64::MAX);
        let active = we_connect || matches!(pending, Some(Pending::Relay(_)));
        let msrp = Session::new(config, vec![local], to_path.clone(), seed, active);
        let first_hop = to_path[0].clone();
        let task = Link::start(
            session.clone(),
            pending,
            first_hop,
            we_connect,
            msrp,
            Arc::clone(&self.streams),
            self.events.clone(),
        );
        tokio::spawn(task);
        Ok(())
    }
}

fn lock(
    streams: &Mutex<HashMap<SessionId, Stream>>,
) -> std::sync::MutexGuard<'_, HashMap<SessionId, Stream>> {
    streams.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Link {
    /// Connects (or waits for, or takes the relay's) connection, runs the session on it,
    /// sends what waited, and passes its events on until it closes.
    async fn start(
        session: SessionId,
        pending: Option<Pending>,
        first_hop: MsrpUri,
        we_connect: bool,
        msrp: Session,
        streams: Arc<Mutex<HashMap<SessionId, Stream>>>,
        events: mpsc::UnboundedSender<StreamEvent>,
    ) {
        let connection = match pending {
            Some(Pending::Relay(connection)) => Ok(connection),
            Some(Pending::Listening(expected)) if !we_connect => {
                expected.connection(CONNECT_WAIT).await
            }
            _ => Connection::connect(&first_hop).await,
        };
        let connection = match connection {
            Ok(connection) => connection,
            Err(error) => {
                warn!(target: "msrp", %session, %error, "chat connection failed");
                return close(
                    &session,
                    &streams,
                    &events,
                    format!("could not connect: {error}"),
                );
            }
        };
        let (handle, mut msrp_events) = connection.run(msrp);
        let waiting = {
            let mut streams = lock(&streams);
            match streams.get_mut(&session) {
                Some(stream) => match std::mem::replace(&mut stream.link, Link::Up(handle.clone()))
                {
                    Link::Waiting(waiting) => waiting,
                    _ => Vec::new(),
                },
                None => {
                    handle.close();
                    return;
                }
            }
        };
        let _ = events.send(StreamEvent::Connected {
            session: session.clone(),
        });
        for message in waiting {
            send_on(&handle, message).await;
        }
        while let Some(event) = msrp_events.recv().await {
            if let Some(event) = translate(&session, event) {
                let _ = events.send(event);
            }
        }
        close(
            &session,
            &streams,
            &events,
            "the chat connection closed".to_owned(),
        );
    }
}

fn close(
    session: &SessionId,
    streams: &Mutex<HashMap<SessionId, Stream>>,
    events: &mpsc::UnboundedSender<StreamEvent>,
    reason: String,
) {
    let waiting = match lock(streams).get_mut(session) {
        Some(stream) => match std::mem::replace(&mut stream.link, Link::Closed) {
            Link::Waiting(waiting) => waiting,
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    for message in waiting {
        let _ = events.send(StreamEvent::Failed {
            session: session.clone(),
            id: message.id,
            reason: reason.clone(),
        });
    }
    let _ = events.send(StreamEvent::Closed {
        session: session.clone(),
        reason,
    });
}

async fn send_on(handle: &SessionHandle, message: OutgoingMessage) {
    let reports = Reports {
        success: true,
        ..Reports::default()
    };
    let label = Some(message.id.as_str().to_owned());
    if handle
        .send_as(label, &message.content_type, message.body, reports)
        .await
        .is_none()
    {
        debug!(target: "msrp", id = %message.id, "message sent as the connection closed");
    }
}

/// The domain's word for a session event (file pieces are not a chat's).
fn translate(session: &SessionId, event: Event) -> Option<StreamEvent> {
    let session = session.clone();
    let id = |raw: String| MessageId::new(raw).ok();
    Some(match event {
        Event::Message {
            content_type, body, ..
        } => StreamEvent::Received {
            session,
            content_type,
            body,
        },
        Event::Sent { id: raw } => StreamEvent::Sent {
            session,
            id: id(raw)?,
        },
        Event::Delivered { id: raw } => StreamEvent::Delivered {
            session,
            id: id(raw)?,
        },
        Event::Failed {
            id: raw,
            code,
            reason,
        } => StreamEvent::Failed {
            session,
            id: id(raw)?,
            reason: failure_words(code, &reason),
        },
        Event::Broken { reason } => {
            warn!(target: "msrp", %session, %reason, "chat stream broken");
            return None;
        }
        other => {
            debug!(target: "msrp", %session, ?other, "not a chat event");
            return None;
        }
    })
}

/// A failure status in plain words.
fn failure_words(code: u16, reason: &str) -> String {
    match code {
        0 => "the chat connection closed before the message was delivered".to_owned(),
        408 => "no answer from the other side".to_owned(),
        413 => "the message is too large for the other side".to_owned(),
        415 => "the other side does not take this kind of message".to_owned(),
        481 => "the other side no longer has this chat".to_owned(),
        _ => format!("refused ({code} {reason})"),
    }
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
        Ok(self.remember(session, path, pending, setup))
    }

    async fn answer(
        &self,
        session: &SessionId,
        offer: &MessageSection,
    ) -> Result<MessageSection, StreamError> {
        let takes_text = offer
            .accept_types
            .iter()
            .any(|t| t == "*" || CHAT_TYPES.iter().any(|ours| t.eq_ignore_ascii_case(ours)));
        if offer.port == 0 || offer.path.is_empty() || !takes_text {
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
        let section = self.remember(session, path, pending, setup);
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
        send_on(&handle, message).await;
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
