//! One call as a sans-IO machine of its own (the way [`Registration`] is one, and
//! quinn-proto's `Connection`): its INVITE, its dialog, its role, its session timer, the
//! re-INVITEs either way and the DTMF INFO queue. The endpoint only routes: it feeds a
//! call the requests, responses and transaction events that are its own, lends it what it
//! needs of the endpoint for that step (a [`CallContext`]), and carries out what the call
//! asks, drained with [`Call::poll_output`] until `None` — client transactions for its
//! requests, responses on its server transactions, ACKs, events for the domain.
//!
//! Split along its seams: [`caller`] (our INVITE and CANCEL), [`callee`] (ringing,
//! answering, refusing), [`in_dialog`] (BYE and the requests inside the dialog), and one
//! file per feature of the dialog ([`reinvite`], [`refresh`], [`dtmf_info`],
//! [`transfer`]).
//!
//! [`Registration`]: crate::registration::Registration

mod callee;
mod caller;
mod context;
mod output;

mod dtmf_info;
mod in_dialog;
mod refresh;
mod reinvite;
pub(super) mod transfer;

use std::collections::VecDeque;
use std::time::Instant;

use wink_ports::{AccountId, Sdp, SessionId, SignalingError};

pub(super) use callee::IncomingInvite;
pub(super) use context::{
    CallContext, contact_uri, in_dialog_peer, local_address, peer_for_uri, via,
};
pub(super) use output::CallOutput;
use reinvite::IncomingReinvite;

use super::{Owner, Peer};
use crate::dialog::Dialog;
use crate::message::{HeaderName, Message, Method};
use crate::transaction::TransactionKey;

/// Our side of a call.
#[derive(Debug)]
pub(super) enum Role {
    /// We sent the INVITE.
    Caller {
        /// A provisional response arrived (a CANCEL may be sent).
        provisional: bool,
        /// The user hung up before any provisional response: CANCEL when one comes.
        cancel_pending: bool,
        /// The user gave up on the call (CANCEL sent or pending): a 2xx that comes
        /// anyway, crossing the CANCEL, is acknowledged and ended with BYE.
        cancelled: bool,
        /// The ACK of the 2xx, repeated for each 2xx retransmission.
        ack: Option<Vec<u8>>,
    },
    /// We received the INVITE.
    Callee {
        /// The INVITE's server transaction.
        server: TransactionKey,
        /// Our To tag.
        local_tag: String,
        /// We sent 200 OK.
        answered: bool,
    },
}

/// One call, caller's or callee's (see the module doc). The endpoint reads what it needs
/// to tell calls apart (session, account, INVITE, dialog, peer); only the call changes its
/// state.
#[derive(Debug)]
pub(in crate::endpoint) struct Call {
    /// The session the domain knows it by.
    pub(in crate::endpoint) session: SessionId,
    /// The account it is placed or received on.
    pub(in crate::endpoint) account: AccountId,
    /// Our INVITE as sent (caller) or theirs as received (callee).
    pub(in crate::endpoint) invite: Message,
    /// The dialog, once there is one (early or confirmed).
    pub(in crate::endpoint) dialog: Option<Dialog>,
    /// The next hop (caller) or where the INVITE came from (callee).
    pub(in crate::endpoint) peer: Peer,
    /// Which side we are, and how far the INVITE got.
    role: Role,
    /// The session-timer interval agreed, if any (RFC 4028).
    session_expires: Option<u32>,
    /// When we refresh the session next (we are the refresher).
    refresh_at: Option<Instant>,
    /// Their re-INVITE, until its ACK.
    incoming_reinvite: Option<IncomingReinvite>,
    /// Our re-INVITE has no final response yet.
    reinviting: bool,
    /// The offer of our last re-INVITE (sent again after a 491).
    last_offer: Option<Sdp>,
    /// A re-INVITE refused with 491, to send again at this time.
    retry_reinvite: Option<(Instant, Sdp)>,
    /// DTMF keys waiting for the INFO before them to finish.
    dtmf_info: dtmf_info::InfoQueue,
    /// What the call asks of the endpoint, oldest first.
    outputs: VecDeque<CallOutput>,
}

impl Call {
    /// The next thing the call asks of the endpoint, until `None`.
    pub(in crate::endpoint) fn poll_output(&mut self) -> Option<CallOutput> {
        self.outputs.pop_front()
    }

    /// When the call wants [`Call::handle_timeout`]: its session refresh, or a re-INVITE
    /// refused with 491 that goes again.
    pub(in crate::endpoint) fn poll_timeout(&self) -> Option<Instant> {
        let retry = self.retry_reinvite.as_ref().map(|(at, _)| *at);
        self.refresh_at.into_iter().chain(retry).min()
    }

    /// Fires the call's timers due at `now`: the session refresh, then the re-INVITE that
    /// waited after a 491.
    pub(in crate::endpoint) fn handle_timeout(&mut self, now: Instant, ctx: &mut CallContext<'_>) {
        if self.refresh_at.is_some_and(|at| at <= now) {
            self.refresh(now, ctx);
        }
        if self
            .retry_reinvite
            .as_ref()
            .is_some_and(|(at, _)| *at <= now)
            && let Some((_, offer)) = self.retry_reinvite.take()
        {
            let _ = self.reinvite(ctx, &offer);
        }
    }

    /// Where the call's in-dialog requests go: the outbound proxy when the account has one,
    /// else the first Route or the remote target when it is an IP address.
    pub(in crate::endpoint) fn dialog_peer(&self, ctx: &CallContext<'_>) -> Peer {
        in_dialog_peer(ctx.account, self.dialog.as_ref(), self.peer)
    }

    /// The session-timer interval agreed, if any.
    #[cfg(test)]
    pub(in crate::endpoint) fn session_expires(&self) -> Option<u32> {
        self.session_expires
    }

    /// When we refresh the session next, if we are the refresher.
    #[cfg(test)]
    pub(in crate::endpoint) fn refresh_at(&self) -> Option<Instant> {
        self.refresh_at
    }

    /// Whether their re-INVITE (or UPDATE) waits for our answer or its ACK.
    #[cfg(test)]
    pub(in crate::endpoint) fn has_open_reinvite(&self) -> bool {
        self.incoming_reinvite.is_some()
    }

    /// Whether an incoming request belongs to this call's dialog.
    pub(in crate::endpoint) fn matches_request(&self, request: &Message) -> bool {
        self.dialog
            .as_ref()
            .is_some_and(|dialog| dialog.matches_request(request))
    }

    /// Whether the call's dialog is the one with this Call-ID and tags (a `Replaces`
    /// names it so).
    pub(in crate::endpoint) fn is_dialog(
        &self,
        call_id: &str,
        local_tag: &str,
        remote_tag: &str,
    ) -> bool {
        self.dialog.as_ref().is_some_and(|dialog| {
            dialog.call_id == call_id
                && dialog.local_tag == local_tag
                && dialog.remote_tag == remote_tag
        })
    }

    /// Sends `request` in a client transaction of its own, under a new Via, to `peer`;
    /// its events go to `owner`.
    fn send(&mut self, ctx: &mut CallContext<'_>, mut request: Message, peer: Peer, owner: Owner) {
        let via = ctx.via(peer.transport);
        request.headers.push_front(HeaderName::Via, via);
        self.outputs.push_back(CallOutput::Request {
            message: request,
            peer,
            owner,
        });
    }

    /// A new request inside the dialog, and where it goes; `action` names the command
    /// that wants it (in the error).
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] without a dialog.
    fn in_dialog_request(
        &mut self,
        ctx: &CallContext<'_>,
        method: Method,
        action: &'static str,
    ) -> Result<(Message, Peer), SignalingError> {
        let Some(dialog) = self.dialog.as_mut() else {
            return Err(SignalingError::InvalidState {
                session: self.session.clone(),
                action,
            });
        };
        let request = dialog.request(method);
        Ok((request, self.dialog_peer(ctx)))
    }

    /// The call is over (see [`CallOutput::Ended`]), however it ended: the re-INVITE or
    /// UPDATE of theirs it still holds open is closed first, and our 200 to their INVITE,
    /// if its ACK has not come, is not sent again (RFC 3261 §13.3.1.4: it is repeated for
    /// a dialog, which is gone; a BYE from them shows they had it).
    fn end(&mut self, keep_invite: bool) {
        self.close_reinvite();
        if let Role::Callee {
            server,
            answered: true,
            ..
        } = &self.role
        {
            self.outputs
                .push_back(CallOutput::StopRetransmitting(server.clone()));
        }
        self.outputs.push_back(CallOutput::Ended { keep_invite });
    }

    /// Tells the domain.
    fn emit(&mut self, event: wink_ports::SignalingEvent) {
        self.outputs.push_back(CallOutput::Event(event));
    }
}

/// The SDP in a message's body, if it has one.
pub(in crate::endpoint) fn sdp_body(message: &Message) -> Option<Sdp> {
    (!message.body.is_empty())
        .then(|| Sdp::new(String::from_utf8_lossy(&message.body).into_owned()))
}

/// Puts `sdp`, if any, in the body of `message`.
pub(in crate::endpoint) fn with_body(message: &mut Message, sdp: Option<&Sdp>) {
    if let Some(sdp) = sdp {
        message
            .headers
            .set(HeaderName::ContentType, "application/sdp");
        message.body = sdp.as_str().as_bytes().to_vec();
    }
}

#[cfg(test)]
mod tests;
