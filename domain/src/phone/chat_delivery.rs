//! Chat lines in their envelope (RFC 3862 `message/cpim`), delivery notifications (IMDN,
//! RFC 5438) and is-composing states (RFC 3994): a line to a side that takes CPIM goes
//! wrapped, asking to be told when it is delivered; a line that asks us is answered with a
//! `delivered` notification; a notification about a line of ours sets its state; typing
//! is said to the other side, and theirs to the frontends.

use tracing::debug;
use wink_ports::{DeliveryState, MediaKind, MessageId, MessageSection, OutgoingMessage, SessionId};

use super::{CommandOutcome, Phone, PhoneError};
use crate::cpim::Envelope;

/// The type of a line inside its envelope.
const LINE_TYPE: &str = "text/plain;charset=utf-8";

/// Whether a chat stream takes `message/cpim`.
pub(super) fn takes_cpim(section: &MessageSection) -> bool {
    section
        .accept_types
        .iter()
        .any(|t| t == "*" || t.eq_ignore_ascii_case("message/cpim"))
}

impl Phone {
    /// A line as the session's other side takes it: in an envelope asking for a delivery
    /// notification when it takes CPIM, else as it is.
    pub(super) fn in_envelope(
        &self,
        id: &SessionId,
        message: OutgoingMessage,
    ) -> Result<OutgoingMessage, PhoneError> {
        let call = self
            .calls
            .get(id)
            .ok_or_else(|| PhoneError::UnknownSession(id.clone()))?;
        if !call.peer_takes_cpim {
            return Ok(message);
        }
        let from = format!("sip:{}", call.session.account.as_str());
        let to = format!("sip:{}", call.session.remote.address());
        let envelope = Envelope {
            from: &from,
            to: &to,
            at: self.ports.clock.now(),
            imdn_id: Some(message.id.as_str()),
            disposition: None,
            content_type: LINE_TYPE,
        };
        Ok(OutgoingMessage {
            body: envelope.wrap(&message.body),
            content_type: "message/cpim".to_owned(),
            id: message.id,
        })
    }

    /// Tells the other side of `session` that its line `their_id` was delivered (always in
    /// an envelope: only a side that sends CPIM asks).
    pub(super) async fn say_delivered(&mut self, session: &SessionId, their_id: &str) {
        let now = self.ports.clock.now();
        let notification = crate::imdn::delivered(their_id, now);
        self.send_signal(session, crate::imdn::CONTENT_TYPE, &notification, true)
            .await;
    }

    /// Tells the other side of a chat that we are typing, or stopped.
    pub(super) async fn say_composing(
        &mut self,
        session: &SessionId,
        active: bool,
    ) -> Result<CommandOutcome, PhoneError> {
        if !self.carries(session, MediaKind::Chat) {
            return Err(PhoneError::NotAChat(session.clone()));
        }
        let wrapped = self
            .calls
            .get(session)
            .is_some_and(|call| call.peer_takes_cpim);
        let document = crate::composing::document(active);
        self.send_signal(session, crate::composing::CONTENT_TYPE, &document, wrapped)
            .await;
        Ok(CommandOutcome::Done)
    }

    /// Sends what is not a line (no state is kept for it): in an envelope, or as it is.
    async fn send_signal(
        &mut self,
        session: &SessionId,
        content_type: &str,
        content: &str,
        in_envelope: bool,
    ) {
        let Some(call) = self.calls.get(session) else {
            return;
        };
        let from = format!("sip:{}", call.session.account.as_str());
        let to = format!("sip:{}", call.session.remote.address());
        let id = self.new_message_id();
        let (content_type, body) = if in_envelope {
            let notification = content_type == crate::imdn::CONTENT_TYPE;
            let envelope = Envelope {
                from: &from,
                to: &to,
                at: self.ports.clock.now(),
                imdn_id: notification.then_some(id.as_str()),
                disposition: notification.then_some("notification"),
                content_type,
            };
            ("message/cpim".to_owned(), envelope.wrap(content.as_bytes()))
        } else {
            (content_type.to_owned(), content.as_bytes().to_vec())
        };
        self.signals_sent.insert(id.clone());
        let message = OutgoingMessage {
            id: id.clone(),
            content_type,
            body,
        };
        if let Err(error) = self.ports.streams.send(session, message).await {
            debug!(target: "msrp", %session, %error, "a chat signal did not go");
            self.signals_sent.remove(&id);
        }
    }

    /// The other side says a line of ours in `session` was delivered (or not).
    pub(super) async fn on_notification(
        &mut self,
        session: &SessionId,
        message_id: &str,
        delivered: bool,
    ) {
        let Ok(id) = MessageId::new(message_id) else {
            return;
        };
        let ours = self
            .calls
            .get(session)
            .is_some_and(|call| call.chat_lines.contains(&id));
        if !ours {
            return debug!(target: "msrp", %session, %message_id, "a notification about no line of ours");
        }
        if !delivered {
            self.fail_message(
                &id,
                "the other side says it could not be delivered".to_owned(),
            )
            .await;
        } else if self.first_delivery(session, &id) {
            self.set_message_state(&id, DeliveryState::Delivered).await;
        }
    }

    /// Whether this is the first word that line `id` of `session` was delivered (the
    /// stream's success report and the other side's notification both say it).
    pub(super) fn first_delivery(&mut self, session: &SessionId, id: &MessageId) -> bool {
        self.calls
            .get_mut(session)
            .is_none_or(|call| call.delivered_lines.insert(id.clone()))
    }
}
