//! REFER (RFC 3515) inside a call, the endpoint's part: the transfer command (an attended
//! transfer names another of our calls, whose dialog goes in the `Replaces`), the NOTIFY
//! command, and the answer to our REFER, reported even when the call has ended since. The
//! rest is the call's (`call/transfer.rs`).

use std::time::Instant;

use wink_ports::{SessionId, SignalingError, SignalingEvent, TransferTarget};

use super::call::transfer::escape_header_value;
use super::{Endpoint, EndpointOutput};
use crate::message::StartLine;
use crate::transaction::Event;

impl Endpoint {
    /// Asks the remote party to call `target` (REFER with Refer-To and Referred-By); for an
    /// attended transfer the Refer-To carries a `Replaces` naming our other call.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`] without a dialog.
    pub fn transfer(
        &mut self,
        now: Instant,
        session: &SessionId,
        target: &TransferTarget,
    ) -> Result<(), SignalingError> {
        let refer_to = match target {
            TransferTarget::Blind(uri) => format!("<{uri}>"),
            TransferTarget::Attended(other) => self.replacing_refer_to(other)?,
        };
        self.on_call(now, session, |call, ctx| call.refer(ctx, refer_to))
    }

    /// `<sip:target?Replaces=call-id%3Bto-tag%3D…%3Bfrom-tag%3D…>` for our call `other`
    /// (RFC 3891): the target will see its own tag as `to-tag`.
    fn replacing_refer_to(&self, other: &SessionId) -> Result<String, SignalingError> {
        let call = self
            .calls
            .get(other)
            .ok_or_else(|| SignalingError::UnknownSession(other.clone()))?;
        let dialog = call
            .dialog
            .as_ref()
            .ok_or_else(|| SignalingError::InvalidState {
                session: other.clone(),
                action: "transfer to",
            })?;
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            dialog.call_id, dialog.remote_tag, dialog.local_tag
        );
        let target = dialog
            .remote_uri
            .uri
            .split(';')
            .next()
            .unwrap_or(&dialog.remote_uri.uri)
            .to_owned();
        Ok(format!(
            "<{target}?Replaces={}>",
            escape_header_value(&replaces)
        ))
    }

    /// The answer to our REFER: an error ends the transfer attempt (told even when the
    /// call is over).
    pub(super) fn on_refer_event(&mut self, session: &SessionId, event: Event) {
        let (code, reason) = match event {
            Event::Response(response) => match response.start {
                StartLine::Response { code, reason } if code >= 300 => (code, reason),
                _ => return,
            },
            Event::Timeout => (408, "no response to the transfer request".to_owned()),
            Event::Unreachable => (503, "could not connect to send the transfer".to_owned()),
            _ => return,
        };
        self.outputs
            .push_back(EndpointOutput::Event(SignalingEvent::TransferProgress {
                session: session.clone(),
                code,
                reason,
            }));
    }

    /// Reports to the transferor how our call to the target goes.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    pub fn notify_transfer(
        &mut self,
        now: Instant,
        session: &SessionId,
        code: u16,
        reason: &str,
    ) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| {
            call.notify_transfer(ctx, code, reason)
        })
    }
}
