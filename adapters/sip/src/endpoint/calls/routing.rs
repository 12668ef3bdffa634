//! Which call a message or transaction event is for: the endpoint finds it (by dialog, by
//! the INVITE a CANCEL names, by the transaction's owner) and hands it on; what has no call
//! any more is answered here (481), acknowledged and ended (a late 2xx), or reported.

use std::time::Instant;

use tracing::debug;
use wink_ports::{SessionId, SignalingEvent};

use crate::endpoint::{Endpoint, Peer, no_answer};
use crate::message::{Message, Rejection};
use crate::transaction::{Event, TransactionKey};

impl Endpoint {
    /// What became of our INVITE: a timeout or 503 from a server found in DNS sends it to
    /// the next one; the rest is the call's. A 2xx for a call we no longer hold is
    /// acknowledged and ended.
    pub(in crate::endpoint) fn on_invite_event(
        &mut self,
        now: Instant,
        session: &SessionId,
        event: Event,
    ) {
        let try_elsewhere = match &event {
            Event::Timeout | Event::Unreachable => true,
            Event::Response(response) => response.status() == Some(503),
            _ => false,
        };
        if try_elsewhere && self.retry_invite_elsewhere(now, session) {
            return;
        }
        if self.calls.contains_key(session) {
            self.with_call(now, session, |call, ctx| {
                call.handle_invite_event(now, ctx, event)
            });
            return;
        }
        match event {
            Event::Response(response)
                if response.status().is_some_and(|c| (200..300).contains(&c)) =>
            {
                self.stray_2xx(now, session, &response);
            }
            failure @ (Event::Timeout | Event::Unreachable) => {
                let (code, reason) = no_answer(&failure);
                self.emit(SignalingEvent::Failed {
                    session: session.clone(),
                    code,
                    reason,
                });
            }
            _ => {}
        }
    }

    /// RFC 3263 §4.3: our INVITE got no answer or 503 from a server we found in DNS; send
    /// it to the next one (the account moves there, its registration too).
    fn retry_invite_elsewhere(&mut self, now: Instant, session: &SessionId) -> bool {
        let Some(call) = self.calls.get(session) else {
            return false;
        };
        let first_hop_was_server = self
            .accounts
            .get(&call.account)
            .is_some_and(|a| a.next_hop == call.peer);
        if !call.untouched() || !first_hop_was_server {
            return false;
        }
        let account = call.account.clone();
        if !self.fail_over(now, &account) {
            return false;
        }
        let Some(peer) = self.accounts.get(&account).map(|a| a.next_hop) else {
            return false;
        };
        self.with_call(now, session, |call, ctx| call.resend_invite(ctx, peer));
        true
    }

    /// Events of the server transaction of an INVITE we received.
    pub(in crate::endpoint) fn on_incoming_event(
        &mut self,
        now: Instant,
        session: &SessionId,
        event: Event,
    ) {
        match event {
            // An ACK with the INVITE's own branch, for a call that ended meanwhile (a BYE
            // overtook it): the transaction has absorbed it; there is no session to confirm.
            Event::Acked(_) if !self.calls.contains_key(session) => {
                debug!(target: "sip", %session, "ACK of our 200 after the call ended; dropped");
            }
            event => {
                self.with_call(now, session, |call, ctx| {
                    call.handle_server_event(ctx, event)
                });
            }
        }
    }

    /// A CANCEL: the call whose INVITE it names stops (487), else 481.
    pub(in crate::endpoint) fn on_cancel(&mut self, now: Instant, from: Peer, cancel: Message) {
        let invite_key = TransactionKey::for_cancelled_invite(&cancel);
        let target = invite_key.as_ref().and_then(|key| {
            self.calls
                .iter()
                .find(|(_, call)| call.server_key() == Some(key))
                .map(|(session, _)| session.clone())
        });
        let Some(session) = target else {
            let rejection = Rejection::no_such_call();
            return self.respond_new(now, from, &cancel, rejection);
        };
        self.with_call(now, &session, |call, ctx| {
            call.handle_cancel(ctx, from, cancel)
        });
    }

    /// An ACK outside any transaction: the ACK of our 2xx (it has its own branch).
    pub(in crate::endpoint) fn on_dialog_ack(&mut self, now: Instant, ack: Message) {
        let Some(session) = self.dialog_of(&ack) else {
            return debug!(target: "sip", "ACK for no dialog; dropped");
        };
        self.with_call(now, &session, |call, _| call.handle_ack(ack));
    }

    /// A request inside one of our dialogs (BYE, re-INVITE, INFO, …).
    pub(in crate::endpoint) fn on_in_dialog(&mut self, now: Instant, from: Peer, request: Message) {
        let Some(session) = self.dialog_of(&request) else {
            let rejection = Rejection::no_such_call();
            return self.respond_new(now, from, &request, rejection);
        };
        self.with_call(now, &session, |call, ctx| {
            call.handle_request(ctx, from, request)
        });
    }

    /// The call whose dialog `request` belongs to.
    fn dialog_of(&self, request: &Message) -> Option<SessionId> {
        self.calls
            .iter()
            .find(|(_, call)| call.matches_request(request))
            .map(|(session, _)| session.clone())
    }
}
