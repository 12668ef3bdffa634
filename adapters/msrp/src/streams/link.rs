//! A stream's connection, from connecting (or being connected to, or the relay's) to its
//! close: what waited is sent, and the session's events are said in the domain's words —
//! a chat's lines and their delivery, or a file's progress and outcome.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tracing::{debug, warn};
use wink_ports::{MessageId, OutgoingMessage, SessionId, StreamEvent};

use super::file_transfer;
use super::{CONNECT_WAIT, Carries, Link, Pending, Stream, lock};
use crate::connection::{Connection, SessionHandle};
use crate::session::{Event, Reports, Session};
use crate::uri::MsrpUri;

/// How a link starts: the session's stream, how its connection comes, and what it carries.
pub(super) struct Start {
    /// The session.
    pub session: SessionId,
    /// The relay's connection, or the listener's promise of one.
    pub pending: Option<Pending>,
    /// Where to connect when we do.
    pub first_hop: MsrpUri,
    /// Whether we open the connection.
    pub we_connect: bool,
    /// The MSRP session to run on it.
    pub msrp: Session,
    /// A chat, or a file.
    pub carries: Carries,
    /// The roots trusted for `msrps:`.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// The streams (the link marks its own up, then closed).
    pub streams: Arc<Mutex<HashMap<SessionId, Stream>>>,
    /// Where events go.
    pub events: mpsc::UnboundedSender<StreamEvent>,
}

impl Start {
    /// Connects (or waits for, or takes the relay's) connection, runs the session on it,
    /// sends what waited, and passes its events on until it closes.
    pub(super) async fn run(self) {
        let Start {
            session,
            pending,
            first_hop,
            we_connect,
            msrp,
            carries,
            tls,
            streams,
            events,
        } = self;
        let connection = match pending {
            Some(Pending::Relay(connection)) => Ok(connection),
            Some(Pending::Listening(expected)) if !we_connect => {
                expected.connection(CONNECT_WAIT).await
            }
            _ => Connection::connect_with(&first_hop, tls.as_ref()).await,
        };
        let connection = match connection {
            Ok(connection) => connection,
            Err(error) => {
                warn!(target: "msrp", %session, %error, "MSRP connection failed");
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
        match carries {
            Carries::Chat => {
                for message in waiting {
                    send_on(&handle, message).await;
                }
            }
            Carries::FileOut(file) => {
                file_transfer::send(&session, &handle, file, &mut msrp_events, &events).await;
            }
            Carries::FileIn(file) => {
                file_transfer::receive(&session, file, &mut msrp_events, &events).await;
            }
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
            "the connection closed".to_owned(),
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

pub(super) async fn send_on(handle: &SessionHandle, message: OutgoingMessage) {
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
pub(super) fn failure_words(code: u16, reason: &str) -> String {
    match code {
        0 => "the chat connection closed before the message was delivered".to_owned(),
        408 => "no answer from the other side".to_owned(),
        413 => "the message is too large for the other side".to_owned(),
        415 => "the other side does not take this kind of message".to_owned(),
        481 => "the other side no longer has this chat".to_owned(),
        _ => format!("refused ({code} {reason})"),
    }
}
