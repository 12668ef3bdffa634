//! Short messages: checked against their limit, stored before they are sent (so nothing the
//! user wrote is lost), and their delivery state followed.

use wink_ports::{
    AccountId, CallDirection, ChatMessageRecord, DeliveryState, MessageId, MessageOutcome,
    MessageRequest, SipUri,
};

use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::{ShortMessage, Target};

const TEXT_PLAIN: &str = "text/plain;charset=utf-8";

/// How many unsent messages one registration sends again at most (the newest).
pub(super) const RESEND_LIMIT: usize = 100;

impl Phone {
    pub(super) async fn send_message(
        &mut self,
        typed: &str,
        text: &str,
        requested: Option<&AccountId>,
    ) -> Result<CommandOutcome, PhoneError> {
        let account = self.pick_account(requested)?;
        let account_id = account.id.clone();
        let target = Target::parse(typed)?;
        let to = target.resolve(account)?.uri;
        let message = ShortMessage::new(text, target.is_phone_number())?;
        let id = self.new_message_id();
        let record = ChatMessageRecord {
            id: id.clone(),
            account: account_id.clone(),
            remote: to.address(),
            direction: CallDirection::Outgoing,
            content_type: TEXT_PLAIN.into(),
            body: message.as_str().to_owned(),
            at: self.ports.clock.now(),
            state: DeliveryState::Queued,
        };
        // Stored first: if sending fails, the text is still there to resend.
        self.ports.storage.add_message(record).await?;
        let request = MessageRequest {
            id: id.clone(),
            account: account_id,
            to,
            content_type: TEXT_PLAIN.into(),
            body: message.as_str().to_owned(),
        };
        self.resent.insert(id.clone());
        match self.ports.signaling.send_message(request).await {
            Ok(()) => {
                self.set_message_state(&id, DeliveryState::Sent).await;
                Ok(CommandOutcome::Message(id))
            }
            Err(error) => {
                self.fail_message(&id, error.to_string()).await;
                Err(error.into())
            }
        }
    }

    /// Sends again, oldest first, what the user wrote from `account` that never got out:
    /// messages still queued (the app stopped while sending) or failed. Each goes at most
    /// once per run, so a message the other side refuses for good is not sent at every
    /// registration refresh; it stays failed for the user to see.
    pub(super) async fn resend_unsent(&mut self, account: &AccountId) {
        let unsent = match self
            .ports
            .storage
            .unsent_messages(account, RESEND_LIMIT)
            .await
        {
            Ok(unsent) => unsent,
            Err(error) => {
                self.emit(PhoneEvent::Problem(format!(
                    "the unsent messages could not be read: {error}"
                )));
                return;
            }
        };
        for record in unsent {
            if self.resent.insert(record.id.clone()) {
                let _ = self.send_stored(record).await;
            }
        }
    }

    /// Sends a stored message of ours as a short message; its state follows (sent, or
    /// failed and why).
    async fn send_stored(&mut self, record: ChatMessageRecord) -> Result<MessageId, PhoneError> {
        let id = record.id;
        let to = SipUri::parse(&format!("sip:{}", record.remote))
            .map_err(|_| PhoneError::NotUnsent(id.clone()))?;
        let request = MessageRequest {
            id: id.clone(),
            account: record.account,
            to,
            content_type: record.content_type,
            body: record.body,
        };
        match self.ports.signaling.send_message(request).await {
            Ok(()) => {
                self.set_message_state(&id, DeliveryState::Sent).await;
                Ok(id)
            }
            Err(error) => {
                self.fail_message(&id, error.to_string()).await;
                Err(error.into())
            }
        }
    }

    pub(super) async fn set_message_state(&mut self, id: &MessageId, state: DeliveryState) {
        self.store_message_state(id, state, None).await;
    }

    /// A message did not get through, and why.
    pub(super) async fn fail_message(&mut self, id: &MessageId, reason: String) {
        self.store_message_state(id, DeliveryState::Failed, Some(reason))
            .await;
    }

    async fn store_message_state(
        &mut self,
        id: &MessageId,
        state: DeliveryState,
        reason: Option<String>,
    ) {
        if let Err(error) = self.ports.storage.set_message_state(id, state).await {
            self.emit(PhoneEvent::Problem(format!(
                "the message state could not be saved: {error}"
            )));
        }
        self.emit(PhoneEvent::MessageState {
            id: id.clone(),
            state,
            reason,
        });
    }

    pub(super) async fn on_message_outcome(&mut self, id: &MessageId, outcome: MessageOutcome) {
        match outcome {
            MessageOutcome::Delivered => {
                self.set_message_state(id, DeliveryState::Delivered).await;
            }
            MessageOutcome::Failed { code, reason } => {
                self.fail_message(id, refusal_words(code, &reason)).await;
            }
        }
    }

    /// Sends again a message of ours that never got out, by its id: over the chat session
    /// with its recipient when one is connected, else as a short message.
    pub(super) async fn resend(&mut self, id: &MessageId) -> Result<CommandOutcome, PhoneError> {
        let accounts: Vec<AccountId> = self
            .settings
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect();
        let mut found = None;
        for account in &accounts {
            let unsent = self
                .ports
                .storage
                .unsent_messages(account, RESEND_LIMIT)
                .await?;
            if let Some(record) = unsent.into_iter().find(|r| &r.id == id) {
                found = Some(record);
                break;
            }
        }
        let record = found.ok_or_else(|| PhoneError::NotUnsent(id.clone()))?;
        self.resent.insert(record.id.clone());
        if let Some(session) = self.connected_chat_with(&record.account, &record.remote) {
            self.set_message_state(&record.id, DeliveryState::Queued)
                .await;
            let message = wink_ports::OutgoingMessage {
                id: record.id.clone(),
                content_type: record.content_type,
                body: record.body.into_bytes(),
            };
            self.hand_to_stream(&session, message).await?;
            return Ok(CommandOutcome::Message(record.id));
        }
        self.send_stored(record).await.map(CommandOutcome::Message)
    }

    pub(super) async fn on_message_received(
        &mut self,
        account: AccountId,
        from: SipUri,
        content_type: String,
        body: String,
    ) {
        let id = self.new_message_id();
        let record = ChatMessageRecord {
            id: id.clone(),
            account: account.clone(),
            remote: from.address(),
            direction: CallDirection::Incoming,
            content_type,
            body: body.clone(),
            at: self.ports.clock.now(),
            state: DeliveryState::Received,
        };
        if let Err(error) = self.ports.storage.add_message(record).await {
            self.emit(PhoneEvent::Problem(format!(
                "a received message could not be saved: {error}"
            )));
        }
        self.emit(PhoneEvent::MessageReceived {
            id,
            account,
            from,
            body,
        });
    }
}

/// A refused SIP MESSAGE in plain words.
fn refusal_words(code: u16, reason: &str) -> String {
    match code {
        404 | 480 => "the other side is not reachable now".to_owned(),
        408 => "no answer from the other side".to_owned(),
        413 => "the message is too long for the other side".to_owned(),
        415 => "the other side does not take this kind of message".to_owned(),
        486 | 600 => "the other side is busy".to_owned(),
        603 => "the other side declined it".to_owned(),
        _ => format!("refused ({code} {reason})"),
    }
}
