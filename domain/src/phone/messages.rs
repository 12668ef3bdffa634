//! Short messages: checked against their limit, stored before they are sent (so nothing the
//! user wrote is lost), and their delivery state followed.

use wink_ports::{
    AccountId, CallDirection, ChatMessageRecord, DeliveryState, MessageId, MessageOutcome,
    MessageRequest, SipUri,
};

use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::{ShortMessage, Target};

const TEXT_PLAIN: &str = "text/plain;charset=utf-8";

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
        match self.ports.signaling.send_message(request).await {
            Ok(()) => {
                self.set_message_state(&id, DeliveryState::Sent).await;
                Ok(CommandOutcome::Message(id))
            }
            Err(error) => {
                self.set_message_state(&id, DeliveryState::Failed).await;
                Err(error.into())
            }
        }
    }

    async fn set_message_state(&mut self, id: &MessageId, state: DeliveryState) {
        if let Err(error) = self.ports.storage.set_message_state(id, state).await {
            self.emit(PhoneEvent::Problem(format!(
                "the message state could not be saved: {error}"
            )));
        }
        self.emit(PhoneEvent::MessageState {
            id: id.clone(),
            state,
        });
    }

    pub(super) async fn on_message_outcome(&mut self, id: &MessageId, outcome: MessageOutcome) {
        let state = match outcome {
            MessageOutcome::Delivered => DeliveryState::Delivered,
            MessageOutcome::Failed { .. } => DeliveryState::Failed,
        };
        self.set_message_state(id, state).await;
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
