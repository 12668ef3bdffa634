//! Re-INVITEs (and UPDATEs with an offer, RFC 3311) from the other side, whichever side
//! placed the call (a callee puts us on hold as often as a caller does). One offer at a
//! time (RFC 3261 §14.2, RFC 3311 §5.2): a second one while we have not answered the first
//! gets 500 with `Retry-After`; one that crosses our own re-INVITE, or comes while the
//! answer to the offer in our 200 is still due in the ACK, gets 491 Request Pending. The
//! ACK of our 200 to a re-INVITE stops that 200's retransmissions (RFC 3261 §13.3.1.4) and
//! brings the answer to a late offer to the domain; an UPDATE has no ACK.

use std::time::Instant;

use tracing::debug;
use wink_ports::{Sdp, SessionId, SignalingEvent};

use super::{Endpoint, Owner, Peer};
use crate::message::{HeaderName, Message, Method, Rejection};
use crate::transaction::{Input, TransactionKey, response_to};

/// A re-INVITE we received, until its ACK.
#[derive(Debug)]
pub(super) enum IncomingReinvite {
    /// Waiting for the domain's answer.
    Pending {
        key: TransactionKey,
        request: Box<Message>,
    },
    /// Answered with 200; its ACK has not come yet.
    Answered {
        key: TransactionKey,
        seq: u32,
        /// The re-INVITE had no offer: our 200 carried one, the answer comes in the ACK.
        offered: bool,
    },
}

impl IncomingReinvite {
    fn key(&self) -> &TransactionKey {
        match self {
            Self::Pending { key, .. } | Self::Answered { key, .. } => key,
        }
    }
}

/// 0–10 s, drawn at random (RFC 3261 §14.2).
fn retry_after(ids: &mut super::Ids) -> String {
    ids.up_to(10).to_string()
}

impl Endpoint {
    /// A re-INVITE for `session`: refused while another offer is open, else passed on.
    pub(super) fn on_reinvite_request(
        &mut self,
        now: Instant,
        from: Peer,
        session: SessionId,
        request: Message,
    ) {
        let Some(call) = self.calls.get(&session) else {
            return;
        };
        let refusal = match &call.incoming_reinvite {
            Some(IncomingReinvite::Pending { .. }) => Some(Rejection {
                code: 500,
                reason: "Server Internal Error".into(),
                headers: vec![(HeaderName::RetryAfter, retry_after(&mut self.ids))],
            }),
            Some(IncomingReinvite::Answered { offered: true, .. }) => Some(pending()),
            _ if call.reinviting => Some(pending()),
            _ => None,
        };
        if let Some(rejection) = refusal {
            debug!(target: "sip", %session, code = rejection.code, "re-INVITE refused");
            return self.respond_new(now, from, &request, rejection);
        }
        let Some(key) = self.start_server(now, from, &request, Owner::Server) else {
            return;
        };
        let offer = super::calls::sdp_body(&request);
        if let Some(call) = self.calls.get_mut(&session) {
            if let Some(dialog) = call.dialog.as_mut() {
                dialog.update_target(&request);
            }
            call.incoming_reinvite = Some(IncomingReinvite::Pending {
                key,
                request: Box::new(request),
            });
        }
        self.emit(SignalingEvent::ReInvite { session, offer });
    }

    /// Answers the re-INVITE `session` waits on with 200 and `sdp`; `false` when none waits.
    pub(super) fn answer_reinvite(
        &mut self,
        now: Instant,
        session: &SessionId,
        sdp: Option<&Sdp>,
    ) -> bool {
        let Some(call) = self.calls.get_mut(session) else {
            return false;
        };
        let Some(IncomingReinvite::Pending { key, request }) = call.incoming_reinvite.take() else {
            return false;
        };
        let seq = request.cseq().map(|c| c.seq).unwrap_or_default();
        // An UPDATE is done with our 200; a re-INVITE waits for its ACK.
        call.incoming_reinvite =
            (request.method() == Some(Method::Invite)).then(|| IncomingReinvite::Answered {
                key: key.clone(),
                seq,
                offered: request.body.is_empty() && sdp.is_some(),
            });
        let account = call.account.clone();
        let mut response = response_to(&request, 200, "OK");
        if let Some(binding) = self.accounts.get(&account) {
            response.headers.push(
                HeaderName::Contact,
                format!("<{}>", self.contact_for(binding)),
            );
        }
        Self::with_body(&mut response, sdp);
        self.respond_in(now, &key, response);
        true
    }

    /// The ACK of our 200 to a re-INVITE of `session`: it ends that transaction and may
    /// carry the answer to our offer. `false` when the ACK is for another INVITE.
    pub(super) fn ack_reinvite(
        &mut self,
        now: Instant,
        session: &SessionId,
        ack: &Message,
    ) -> bool {
        let Some(call) = self.calls.get_mut(session) else {
            return false;
        };
        let ack_seq = ack.cseq().map(|c| c.seq).ok();
        let Some(IncomingReinvite::Answered { key, seq, offered }) = &call.incoming_reinvite else {
            return false;
        };
        if ack_seq != Some(*seq) {
            return false;
        }
        let (key, offered) = (key.clone(), *offered);
        call.incoming_reinvite = None;
        if let Some(entry) = self.transactions.get_mut(&key) {
            entry.transaction.handle(now, Input::Received(ack.clone()));
        }
        self.drain_transaction(now, &key);
        if offered {
            self.emit(SignalingEvent::Confirmed {
                session: session.clone(),
                sdp: super::calls::sdp_body(ack),
            });
        }
        true
    }

    /// The call is over: a 200 to its re-INVITE is not retransmitted any more.
    pub(super) fn forget_reinvite(&mut self, reinvite: Option<IncomingReinvite>) {
        if let Some(reinvite) = reinvite {
            self.forget_transaction(reinvite.key());
        }
    }
}

/// 491: another offer on this dialog is still open.
fn pending() -> Rejection {
    Rejection {
        code: 491,
        reason: "Request Pending".into(),
        headers: vec![],
    }
}
