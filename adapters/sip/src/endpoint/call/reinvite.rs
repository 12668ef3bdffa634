//! Re-INVITEs, ours and theirs (and UPDATEs with an offer, RFC 3311), whichever side
//! placed the call (a callee puts us on hold as often as a caller does).
//!
//! Ours: sent with a new offer (hold, resume), its 2xx acknowledged; refused with 491
//! Request Pending (it crossed theirs) it is sent again after a random wait (RFC 3261
//! §14.1): 2.1–4 s when we own the Call-ID (we placed the call), else 0–2 s, so the two
//! sides do not collide again.
//!
//! Theirs: one offer at a time (RFC 3261 §14.2, RFC 3311 §5.2): a second one while we have
//! not answered the first gets 500 with `Retry-After`; one that crosses our own re-INVITE,
//! or comes while the answer to the offer in our 200 is still due in the ACK, gets 491. The
//! ACK of our 200 to a re-INVITE stops that 200's retransmissions (RFC 3261 §13.3.1.4) and
//! brings the answer to a late offer to the domain, whether it has a branch of its own
//! (end-to-end) or reuses the re-INVITE's: either way it reaches the call as its server
//! transaction's `Acked`; an UPDATE has no ACK. A call that ends
//! (BYE, refusal, CANCEL, failure) answers the one still waiting with 487 and stops the 200
//! of one answered.

use std::time::{Duration, Instant};

use tracing::{debug, warn};
use wink_ports::{Sdp, SignalingError, SignalingEvent};

use super::{Call, CallContext, CallOutput, Role, sdp_body, with_body};
use crate::endpoint::{Ids, Owner, Peer};
use crate::message::{HeaderName, Message, Method, Rejection};
use crate::transaction::{Event, TransactionKey, response_to};

/// A re-INVITE we received, until its ACK.
#[derive(Debug)]
pub(super) enum IncomingReinvite {
    /// Waiting for the domain's answer.
    Pending {
        /// Its server transaction.
        key: TransactionKey,
        /// The request.
        request: Box<Message>,
    },
    /// Answered with 200; its ACK has not come yet.
    Answered {
        /// Its server transaction.
        key: TransactionKey,
        /// Its CSeq number (the ACK's).
        seq: u32,
        /// The re-INVITE had no offer: our 200 carried one, the answer comes in the ACK.
        offered: bool,
    },
}

/// 0–10 s, drawn at random (RFC 3261 §14.2).
fn retry_after(ids: &mut Ids) -> String {
    ids.up_to(10).to_string()
}

/// 491: another offer on this dialog is still open.
fn pending() -> Rejection {
    Rejection {
        code: 491,
        reason: "Request Pending".into(),
        headers: vec![],
    }
}

/// The random wait before a refused re-INVITE goes again.
fn wait_after_491(ids: &mut Ids, we_placed_the_call: bool) -> Duration {
    let (from_ms, span_ms) = if we_placed_the_call {
        (2_100, 1_900)
    } else {
        (0, 2_000)
    };
    Duration::from_millis(from_ms + ids.up_to(span_ms))
}

impl Call {
    /// Sends a re-INVITE with a new offer (hold, resume).
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] before the dialog.
    pub(in crate::endpoint) fn reinvite(
        &mut self,
        ctx: &mut CallContext<'_>,
        offer: &Sdp,
    ) -> Result<(), SignalingError> {
        let contact = ctx.contact();
        let Some(dialog) = self.dialog.as_mut() else {
            return Err(SignalingError::InvalidState {
                session: self.session.clone(),
                action: "re-INVITE",
            });
        };
        let mut invite = dialog.request(Method::Invite);
        if let Some(contact) = contact {
            invite
                .headers
                .push(HeaderName::Contact, format!("<{contact}>"));
        }
        with_body(&mut invite, Some(offer));
        let peer = self.dialog_peer(ctx);
        self.reinviting = true;
        self.last_offer = Some(offer.clone());
        let owner = Owner::ReInvite(self.session.clone());
        self.send(ctx, invite, peer, owner);
        Ok(())
    }

    /// What became of our re-INVITE: a 2xx is acknowledged, a 491 sent again later.
    pub(in crate::endpoint) fn handle_reinvite_event(
        &mut self,
        now: Instant,
        ctx: &mut CallContext<'_>,
        event: Event,
    ) {
        let final_response = match &event {
            Event::Response(response) => response.status().is_some_and(|code| code >= 200),
            _ => true,
        };
        if final_response {
            self.reinviting = false;
        }
        let Event::Response(response) = event else {
            return;
        };
        let Some(code) = response.status() else {
            return;
        };
        if code == 491 {
            return self.retry_reinvite_later(now, ctx);
        }
        if !(200..300).contains(&code) {
            if code >= 300 {
                warn!(target: "sip", session = %self.session, code, "re-INVITE refused");
            }
            return;
        }
        let Some(dialog) = &self.dialog else { return };
        let seq = response.cseq().map(|c| c.seq).unwrap_or(dialog.local_seq);
        let mut ack = dialog.ack(seq);
        let peer = self.dialog_peer(ctx);
        let via = ctx.via(peer.transport);
        ack.headers.push_front(HeaderName::Via, via);
        self.outputs.push_back(CallOutput::Transmit {
            peer,
            bytes: ack.to_bytes(),
        });
    }

    /// Schedules our last re-INVITE offer to go again after the wait of §14.1.
    fn retry_reinvite_later(&mut self, now: Instant, ctx: &mut CallContext<'_>) {
        let Some(offer) = self.last_offer.clone() else {
            return;
        };
        let wait = wait_after_491(ctx.ids, matches!(self.role, Role::Caller { .. }));
        debug!(target: "sip", session = %self.session, ?wait, "re-INVITE refused with 491; sent again later");
        self.retry_reinvite = Some((now + wait, offer));
    }

    /// Their re-INVITE (or UPDATE with an offer): refused while another offer is open,
    /// else passed on to the domain, whose answer goes in [`Call::answer_reinvite`].
    pub(super) fn on_reinvite_request(
        &mut self,
        ctx: &mut CallContext<'_>,
        from: Peer,
        request: Message,
    ) {
        let refusal = match &self.incoming_reinvite {
            Some(IncomingReinvite::Pending { .. }) => Some(Rejection {
                code: 500,
                reason: "Server Internal Error".into(),
                headers: vec![(HeaderName::RetryAfter, retry_after(ctx.ids))],
            }),
            Some(IncomingReinvite::Answered { offered: true, .. }) => Some(pending()),
            _ if self.reinviting => Some(pending()),
            _ => None,
        };
        if let Some(rejection) = refusal {
            debug!(target: "sip", session = %self.session, code = rejection.code, "re-INVITE refused");
            return self.refuse(ctx, from, request, rejection);
        }
        let Some(key) = TransactionKey::for_request(&request) else {
            return;
        };
        self.outputs.push_back(CallOutput::Serve {
            peer: from,
            request: request.clone(),
        });
        let offer = sdp_body(&request);
        if let Some(dialog) = self.dialog.as_mut() {
            dialog.update_target(&request);
        }
        self.incoming_reinvite = Some(IncomingReinvite::Pending {
            key,
            request: Box::new(request),
        });
        self.emit(SignalingEvent::ReInvite {
            session: self.session.clone(),
            offer,
        });
    }

    /// Answers the re-INVITE the call waits on with 200 and `sdp`; `false` when none waits
    /// (one answered already, whose ACK is awaited, is left as it is).
    pub(super) fn answer_reinvite(&mut self, ctx: &CallContext<'_>, sdp: Option<&Sdp>) -> bool {
        if !matches!(
            self.incoming_reinvite,
            Some(IncomingReinvite::Pending { .. })
        ) {
            return false;
        }
        let Some(IncomingReinvite::Pending { key, request }) = self.incoming_reinvite.take() else {
            return false;
        };
        let seq = request.cseq().map(|c| c.seq).unwrap_or_default();
        // An UPDATE is done with our 200; a re-INVITE waits for its ACK.
        self.incoming_reinvite =
            (request.method() == Some(Method::Invite)).then(|| IncomingReinvite::Answered {
                key: key.clone(),
                seq,
                offered: request.body.is_empty() && sdp.is_some(),
            });
        let mut response = response_to(&request, 200, "OK");
        if let Some(contact) = ctx.contact() {
            response
                .headers
                .push(HeaderName::Contact, format!("<{contact}>"));
        }
        with_body(&mut response, sdp);
        self.outputs
            .push_back(CallOutput::Respond { key, response });
        true
    }

    /// An ACK outside any transaction (a branch of its own, end-to-end) for our 200 to
    /// their re-INVITE: handed to that re-INVITE's transaction, which stops the 200 and
    /// tells the call as it does of an ACK reusing its branch
    /// ([`Call::handle_reinvite_server_event`]). `false` when the ACK is for another INVITE.
    pub(super) fn ack_reinvite(&mut self, ack: &Message) -> bool {
        let ack_seq = ack.cseq().map(|c| c.seq).ok();
        let Some(IncomingReinvite::Answered { key, seq, .. }) = &self.incoming_reinvite else {
            return false;
        };
        if ack_seq != Some(*seq) {
            return false;
        }
        self.outputs.push_back(CallOutput::Ack {
            key: key.clone(),
            ack: ack.clone(),
        });
        true
    }

    /// An event of the server transaction `key` of their re-INVITE: its ACK (with a branch
    /// of its own, or reusing the re-INVITE's) ends the wait, and may carry the answer to
    /// the offer in our 200; none before timer L ends the wait too, so later offers are
    /// not refused with 491 for the rest of the call.
    pub(in crate::endpoint) fn handle_reinvite_server_event(
        &mut self,
        key: &TransactionKey,
        event: Event,
    ) {
        let Some(IncomingReinvite::Answered {
            key: awaited,
            offered,
            ..
        }) = &self.incoming_reinvite
        else {
            return;
        };
        if awaited != key {
            return;
        }
        let offered = *offered;
        match event {
            Event::Acked(ack) => {
                self.incoming_reinvite = None;
                if offered {
                    self.emit(SignalingEvent::Confirmed {
                        session: self.session.clone(),
                        sdp: sdp_body(&ack),
                    });
                }
            }
            Event::AckTimeout => {
                warn!(target: "sip", session = %self.session, "our 200 OK to their re-INVITE was never acknowledged");
                self.incoming_reinvite = None;
            }
            _ => {}
        }
    }

    /// The call is over: their re-INVITE or UPDATE still waiting for our answer gets 487
    /// Request Terminated (RFC 3261 §15.1.2: a dialog that ends still answers its pending
    /// requests), so its transaction ends on its own timers (an unanswered non-INVITE one
    /// has none, and would stay forever); a 200 to one is not retransmitted any more
    /// (§13.3.1.4).
    pub(super) fn close_reinvite(&mut self) {
        match self.incoming_reinvite.take() {
            Some(IncomingReinvite::Pending { key, request }) => {
                let response = response_to(&request, 487, "Request Terminated");
                self.outputs
                    .push_back(CallOutput::Respond { key, response });
            }
            Some(IncomingReinvite::Answered { key, .. }) => {
                self.outputs.push_back(CallOutput::StopRetransmitting(key));
            }
            None => {}
        }
    }
}
