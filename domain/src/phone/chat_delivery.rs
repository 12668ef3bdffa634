//! Chat lines in their envelope (RFC 3862 `message/cpim`) and delivery notifications
//! (IMDN, RFC 5438): a line to a side that takes CPIM goes wrapped, asking to be told when
//! it is delivered; a line that asks us is answered with a `delivered` notification; a
//! notification about a line of ours sets its state.

use tracing::debug;
use wink_ports::{DeliveryState, MessageId, MessageSection, OutgoingMessage, SessionId};

use super::{Phone, PhoneError};
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

    /// Tells the other side of `session` that its line `their_id` was delivered.
    pub(super) async fn say_delivered(&mut self, session: &SessionId, their_id: &str) {
        let Some(call) = self.calls.get(session) else {
            return;
        };
        let now = self.ports.clock.now();
        let from = format!("sip:{}", call.session.account.as_str());
        let to = format!("sip:{}", call.session.remote.address());
        let id = self.new_message_id();
        let envelope = Envelope {
            from: &from,
            to: &to,
            at: now,
            imdn_id: Some(id.as_str()),
            disposition: Some("notification"),
            content_type: crate::imdn::CONTENT_TYPE,
        };
        let body = envelope.wrap(crate::imdn::delivered(their_id, now).as_bytes());
        self.notifications_sent.insert(id.clone());
        let message = OutgoingMessage {
            id: id.clone(),
            content_type: "message/cpim".to_owned(),
            body,
        };
        if let Err(error) = self.ports.streams.send(session, message).await {
            debug!(target: "msrp", %session, %error, "the delivery notification did not go");
            self.notifications_sent.remove(&id);
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
            self.set_message_state(&id, DeliveryState::Failed).await;
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
