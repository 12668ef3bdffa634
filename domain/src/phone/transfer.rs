//! Blind transfer (RFC 3515): as transferor we REFER the remote party to a target and end
//! our call once it reports success; as transferee we call the target ourselves and keep the
//! transferor informed (NOTIFY with the status of that call).

use wink_ports::{SessionId, SipUri, TransferTarget};

use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::{CallState, Target};

impl Phone {
    /// Transfers the remote party of a connected call to `typed`.
    pub(super) async fn transfer(
        &mut self,
        id: &SessionId,
        typed: &str,
    ) -> Result<CommandOutcome, PhoneError> {
        let session = self.session_mut(id)?;
        if !session.is_connected() {
            let state = session.state();
            return Err(crate::SessionError::InvalidTransition {
                state,
                action: "transfer",
            }
            .into());
        }
        let account = session.account.clone();
        let resolved = Target::parse(typed)?.resolve(self.account(&account)?)?;
        self.ports
            .signaling
            .transfer(id, TransferTarget::Blind(resolved.uri))
            .await?;
        Ok(CommandOutcome::Done)
    }

    /// Attended transfer: asks the remote party of `id` to call the remote party of `other`,
    /// replacing our call with them.
    pub(super) async fn transfer_to_call(
        &mut self,
        id: &SessionId,
        other: &SessionId,
    ) -> Result<CommandOutcome, PhoneError> {
        for session in [id, other] {
            let call = self.session_mut(session)?;
            if !call.is_connected() {
                let state = call.state();
                return Err(crate::SessionError::InvalidTransition {
                    state,
                    action: "transfer",
                }
                .into());
            }
        }
        self.ports
            .signaling
            .transfer(id, TransferTarget::Attended(other.clone()))
            .await?;
        Ok(CommandOutcome::Done)
    }

    /// The transferee reports on the call we transferred: a success ends our call.
    pub(super) async fn on_transfer_progress(
        &mut self,
        id: &SessionId,
        code: u16,
    ) -> Result<(), PhoneError> {
        self.emit(PhoneEvent::TransferProgress {
            session: id.clone(),
            code,
        });
        if (200..300).contains(&code) && self.calls.contains_key(id) {
            self.hang_up(id).await?;
        }
        Ok(())
    }

    /// The remote party asks us to call `target`: we do, from the same account.
    pub(super) async fn on_transfer_requested(
        &mut self,
        id: &SessionId,
        target: SipUri,
        replaces: Option<String>,
    ) -> Result<(), PhoneError> {
        self.emit(PhoneEvent::TransferRequested {
            session: id.clone(),
            target: target.clone(),
        });
        let account = self.session_mut(id)?.account.clone();
        match Box::pin(self.place_call(&target.to_string(), Some(&account), replaces)).await {
            Ok(CommandOutcome::Session(new_call)) => {
                if let Some(call) = self.calls.get_mut(&new_call) {
                    call.transferred_from = Some(id.clone());
                }
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(error) => {
                let _ = self
                    .ports
                    .signaling
                    .notify_transfer(id, 503, "Service Unavailable")
                    .await;
                Err(error)
            }
        }
    }

    /// Keeps the transferor (`original`, the call whose party transferred us) informed about
    /// the call we made for it; after a final answer it hears no more.
    pub(super) async fn report_transfer(
        &mut self,
        call: &SessionId,
        original: &SessionId,
        state: CallState,
    ) {
        let (code, reason) = match state {
            CallState::Ringing => (180, "Ringing"),
            CallState::EarlyMedia => (183, "Session Progress"),
            CallState::Established => (200, "OK"),
            CallState::Terminated(result) => match result {
                wink_ports::CallResult::Busy => (486, "Busy Here"),
                wink_ports::CallResult::Rejected => (603, "Decline"),
                wink_ports::CallResult::Answered => return,
                _ => (480, "Temporarily Unavailable"),
            },
            _ => return,
        };
        if code >= 200
            && let Some(call) = self.calls.get_mut(call)
        {
            call.transferred_from = None;
        }
        if let Err(error) = self
            .ports
            .signaling
            .notify_transfer(original, code, reason)
            .await
        {
            tracing::warn!(%error, "could not tell the transferor how the transfer went");
        }
    }
}
