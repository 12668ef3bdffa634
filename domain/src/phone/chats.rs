//! Chat sessions (MSRP, RFC 4975): an INVITE whose SDP carries one `m=message` stream,
//! made and taken by the [`MessageStreamPort`](wink_ports::MessageStreamPort); the lines
//! typed in it (stored first, so nothing is lost; the stream holds them until it is up);
//! and what the stream reports (arrivals, delivery, failure, a connection gone).

use std::net::{IpAddr, Ipv4Addr};

use tracing::warn;
use wink_ports::sdp::SessionDescription;
use wink_ports::{
    AccountId, CallDirection, ChatMessageRecord, DeliveryState, FileAttributes, MediaKind,
    MessageSection, OutgoingMessage, Sdp, SessionId, SipUri, StatusCode, StreamError, StreamEvent,
};

use super::chat_delivery::takes_cpim;
use super::files::Offering;
use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::CallState;
use crate::cpim::ChatContent;

const TEXT_PLAIN: &str = "text/plain";

/// What an offer with an `m=message` stream and no audio is: a chat, or a file pushed to
/// us (with its attributes). `None` for a call.
pub(super) fn message_stream_offered(offer: &Sdp) -> Option<(MediaKind, Option<FileAttributes>)> {
    let sdp = SessionDescription::parse(offer.as_str()).ok()?;
    if sdp.media.iter().any(|m| m.kind == "audio" && m.port != 0) {
        return None;
    }
    let media = sdp
        .media
        .iter()
        .find(|m| m.kind == "message" && m.port != 0)?;
    let file = MessageSection::from_media(media).ok().and_then(|s| s.file);
    Some(match file {
        Some(file) => (MediaKind::FileTransfer, Some(file)),
        None => (MediaKind::Chat, None),
    })
}

/// The chat stream of an SDP, with the session's address where the section has none.
fn message_section(sdp: &Sdp) -> Result<MessageSection, StreamError> {
    let parsed = SessionDescription::parse(sdp.as_str())
        .map_err(|e| StreamError::NotAcceptable(format!("the SDP does not parse: {e}")))?;
    let media = parsed
        .media
        .iter()
        .find(|m| m.kind == "message")
        .ok_or_else(|| StreamError::NotAcceptable("the SDP has no chat stream".to_owned()))?;
    let mut section =
        MessageSection::from_media(media).map_err(|e| StreamError::NotAcceptable(e.to_string()))?;
    section.address = section.address.or(parsed.connection);
    Ok(section)
}

/// An SDP with our message stream alone.
pub(super) fn chat_sdp(section: &MessageSection, version: u64) -> Sdp {
    let address = section.address.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let mut media = section.to_media();
    media.connection = None;
    let sdp = SessionDescription {
        origin_user: "-".to_owned(),
        session_id: version,
        session_version: version,
        origin_address: address,
        name: "-".to_owned(),
        connection: Some(address),
        attributes: Vec::new(),
        media: vec![media],
    };
    Sdp::new(sdp.to_string())
}

impl Phone {
    /// Who a chat is with (its account and the other side), while it runs or shortly after.
    fn chat_party(&self, id: &SessionId) -> Option<(AccountId, SipUri)> {
        match self.calls.get(id) {
            Some(call) => Some((call.session.account.clone(), call.session.remote.clone())),
            None => self
                .ended_chats
                .iter()
                .find(|(ended, _, _)| ended == id)
                .map(|(_, account, remote)| (account.clone(), remote.clone())),
        }
    }

    /// Keeps who an ended chat was with, for the lines still on their way (the last few).
    pub(super) fn remember_ended_chat(&mut self, id: &SessionId, session: &crate::Session) {
        const KEPT: usize = 32;
        if self.ended_chats.len() == KEPT {
            self.ended_chats.pop_front();
        }
        self.ended_chats
            .push_back((id.clone(), session.account.clone(), session.remote.clone()));
    }

    /// Whether a session carries `kind`.
    pub(super) fn carries(&self, id: &SessionId, kind: MediaKind) -> bool {
        self.calls
            .get(id)
            .is_some_and(|call| call.session.media.contains(&kind))
    }

    /// Whether a session is a chat or a file transfer (an MSRP stream, no audio).
    pub(super) fn on_message_stream(&self, id: &SessionId) -> bool {
        self.carries(id, MediaKind::Chat) || self.carries(id, MediaKind::FileTransfer)
    }

    /// Starts a chat session with what was typed.
    pub(super) async fn start_chat(
        &mut self,
        typed: &str,
        requested: Option<&AccountId>,
    ) -> Result<CommandOutcome, PhoneError> {
        self.place_session(typed, requested, None, Offering::Chat)
            .await
    }

    /// Our offer for a new chat session.
    pub(super) async fn chat_offer(&self, id: &SessionId) -> Result<Sdp, PhoneError> {
        let section = self.ports.streams.offer(id).await?;
        Ok(chat_sdp(&section, self.ports.clock.now().0.unsigned_abs()))
    }

    /// The other side took our chat: its stream is connected.
    pub(super) async fn on_chat_answered(
        &mut self,
        id: &SessionId,
        sdp: Option<Sdp>,
    ) -> Result<(), PhoneError> {
        let now = self.ports.clock.now();
        self.session_mut(id)?.clone().on_answered(now)?;
        let applied = match &sdp {
            Some(sdp) => match message_section(sdp) {
                Ok(section) => self.ports.streams.apply_answer(id, &section).await,
                Err(error) => Err(error),
            },
            None => Err(StreamError::NotAcceptable(
                "the answer has no SDP".to_owned(),
            )),
        };
        if let Err(error) = applied {
            warn!(target: "msrp", session = %id, %error, "the chat could not start; hanging up");
            self.emit(PhoneEvent::Problem(format!(
                "the chat could not start: {error}"
            )));
            let _ = self.ports.signaling.hang_up(id).await;
            let result = self.session_mut(id)?.fail();
            self.end_session(id, result).await;
            return Err(error.into());
        }
        if let Some(section) = sdp.as_ref().and_then(|sdp| message_section(sdp).ok()) {
            self.call_mut(id)?.peer_takes_cpim = takes_cpim(&section);
        }
        self.session_mut(id)?.on_answered(now)?;
        self.emit_state(id, CallState::Established).await;
        Ok(())
    }

    /// Accepts an incoming chat: our stream answers theirs, the 200 OK carries it.
    pub(super) async fn answer_chat(
        &mut self,
        id: &SessionId,
    ) -> Result<CommandOutcome, PhoneError> {
        let now = self.ports.clock.now();
        self.session_mut(id)?.clone().accept(now)?;
        let offer = self.call_mut(id)?.pending_offer.clone();
        let answered = match offer.as_ref().map(message_section) {
            Some(Ok(section)) => {
                self.call_mut(id)?.peer_takes_cpim = takes_cpim(&section);
                self.ports.streams.answer(id, &section).await
            }
            Some(Err(error)) => Err(error),
            None => Err(StreamError::NotAcceptable(
                "the INVITE has no SDP".to_owned(),
            )),
        };
        let section = match answered {
            Ok(section) => section,
            Err(error) => {
                let _ = self.ports.signaling.reject(id, StatusCode(488)).await;
                let result = self.session_mut(id)?.fail();
                self.end_session(id, result).await;
                return Err(error.into());
            }
        };
        let sdp = chat_sdp(&section, now.0.unsigned_abs());
        self.ports.signaling.answer(id, Some(sdp)).await?;
        self.call_mut(id)?.pending_offer = None;
        self.timers.cancel_session(id);
        self.session_mut(id)?.accept(now)?;
        self.emit_state(id, CallState::Accepted).await;
        Ok(CommandOutcome::Done)
    }

    /// A line typed in a chat: stored first (queued), then handed to the stream, which
    /// sends it once the session is up.
    pub(super) async fn send_chat(
        &mut self,
        id: &SessionId,
        text: &str,
    ) -> Result<CommandOutcome, PhoneError> {
        if !self.carries(id, MediaKind::Chat) {
            return Err(PhoneError::NotAChat(id.clone()));
        }
        let session = self.session_mut(id)?;
        let (account, remote) = (session.account.clone(), session.remote.address());
        let message_id = self.new_message_id();
        let record = ChatMessageRecord {
            id: message_id.clone(),
            account,
            remote,
            direction: CallDirection::Outgoing,
            content_type: TEXT_PLAIN.to_owned(),
            body: text.to_owned(),
            at: self.ports.clock.now(),
            state: DeliveryState::Queued,
        };
        self.ports.storage.add_message(record).await?;
        let message = OutgoingMessage {
            id: message_id.clone(),
            content_type: TEXT_PLAIN.to_owned(),
            body: text.as_bytes().to_vec(),
        };
        self.hand_to_stream(id, message).await?;
        Ok(CommandOutcome::Message(message_id))
    }

    /// The connected chat session of `account` with `remote` (`user@host`), if any.
    pub(super) fn connected_chat_with(
        &self,
        account: &AccountId,
        remote: &str,
    ) -> Option<SessionId> {
        self.calls.iter().find_map(|(id, call)| {
            let session = &call.session;
            (session.media.contains(&MediaKind::Chat)
                && session.is_connected()
                && &session.account == account
                && session.remote.address() == remote)
                .then(|| id.clone())
        })
    }

    /// Gives a stored line to the session's stream (a failure to take it fails the line).
    pub(super) async fn hand_to_stream(
        &mut self,
        id: &SessionId,
        message: OutgoingMessage,
    ) -> Result<(), PhoneError> {
        let message_id = message.id.clone();
        self.call_mut(id)?.chat_lines.insert(message_id.clone());
        let message = self.in_envelope(id, message)?;
        if let Err(error) = self.ports.streams.send(id, message).await {
            self.fail_message(&message_id, error.to_string()).await;
            return Err(error.into());
        }
        Ok(())
    }

    /// A chat session is up: the lines to the same party that never got out (failed, or
    /// queued when the app stopped) go again over it, oldest first, with their own ids.
    async fn resend_over(&mut self, id: &SessionId) {
        let Some(call) = self.calls.get(id) else {
            return;
        };
        if !call.session.media.contains(&MediaKind::Chat) {
            return;
        }
        let (account, remote) = (call.session.account.clone(), call.session.remote.address());
        let unsent = match self
            .ports
            .storage
            .unsent_messages(&account, super::messages::RESEND_LIMIT)
            .await
        {
            Ok(unsent) => unsent,
            Err(error) => {
                return self.emit(PhoneEvent::Problem(format!(
                    "the lines that did not get out could not be read: {error}"
                )));
            }
        };
        for record in unsent {
            let own = self
                .calls
                .get(id)
                .is_some_and(|call| call.chat_lines.contains(&record.id));
            if own || record.remote != remote {
                continue;
            }
            self.set_message_state(&record.id, DeliveryState::Queued)
                .await;
            let message = OutgoingMessage {
                id: record.id,
                content_type: record.content_type,
                body: record.body.into_bytes(),
            };
            if let Err(error) = self.hand_to_stream(id, message).await {
                warn!(target: "msrp", session = %id, %error, "a line could not be sent again");
            }
        }
    }

    /// What a chat stream reports.
    pub(super) async fn on_stream(&mut self, event: StreamEvent) {
        match event {
            StreamEvent::Connected { session } => {
                self.emit(PhoneEvent::ChatConnected {
                    session: session.clone(),
                });
                self.resend_over(&session).await;
            }
            StreamEvent::Received {
                session,
                content_type,
                body,
            } => {
                let Some((account, from)) = self.chat_party(&session) else {
                    return warn!(target: "msrp", %session, "a chat line for no session; dropped");
                };
                let received = crate::cpim::read_chat(&content_type, &body);
                if let Some(their_id) = &received.delivery_wanted {
                    self.say_delivered(&session, their_id).await;
                }
                match received.content {
                    ChatContent::Text(text) => {
                        self.on_message_received(account, from, TEXT_PLAIN.to_owned(), text)
                            .await;
                    }
                    ChatContent::Notification {
                        message_id,
                        delivered,
                    } => self.on_notification(&session, &message_id, delivered).await,
                    ChatContent::Composing(active) => {
                        self.emit(PhoneEvent::Composing { session, active });
                    }
                    ChatContent::Other(kind) => {
                        tracing::debug!(target: "msrp", %session, %kind, "not a line to show");
                    }
                }
            }
            // Our delivery notifications are not lines: nobody waits on their state.
            StreamEvent::Sent { id, .. } if self.signals_sent.contains(&id) => {}
            StreamEvent::Delivered { id, .. } | StreamEvent::Failed { id, .. }
                if self.signals_sent.contains(&id) =>
            {
                self.signals_sent.remove(&id);
            }
            StreamEvent::Sent { id, .. } => self.set_message_state(&id, DeliveryState::Sent).await,
            StreamEvent::Delivered { session, id } => {
                if self.first_delivery(&session, &id) {
                    self.set_message_state(&id, DeliveryState::Delivered).await;
                }
            }
            StreamEvent::Failed { id, reason, .. } => {
                warn!(target: "msrp", %id, %reason, "chat line not delivered");
                self.fail_message(&id, reason).await;
            }
            StreamEvent::Closed { session, reason } if self.calls.contains_key(&session) => {
                self.emit(PhoneEvent::Problem(format!("the chat ended: {reason}")));
                let _ = self.hang_up(&session).await;
            }
            file_event => self.on_file_event(file_event).await,
        }
    }
}
