//! The endpoint's side of calls: it holds them ([`Call`]), finds the one a request,
//! response or transaction event is for, lends it what it needs for one step, and carries
//! out what it asks ([`Endpoint::drain_call`]). What spans calls stays here: finding a
//! dialog, the call a `Replaces` names, merged requests, the cap on ringing calls.

use std::time::Instant;

use tracing::{debug, warn};
use wink_ports::{
    InviteRequest, Reason, Sdp, SessionId, SignalingError, SignalingEvent, SipUri, StatusCode,
};

use super::call::{Call, CallContext, CallOutput, Role, in_dialog_peer, sdp_body, with_body};
use super::outbound_route::route_through_outbound_proxy;
use super::session_timer;
use super::{Endpoint, EndpointOutput, Entry, Owner, Peer};
use crate::dialog::Dialog;
use crate::message::{CSeq, HeaderName, Message, Method, NameAddr, Rejection, StartLine};
use crate::transaction::{Event, Input, ServerInvite, Transaction, TransactionKey, response_to};

mod callee;
mod caller;

fn reason_phrase(response: &Message) -> String {
    match &response.start {
        StartLine::Response { reason, .. } => reason.clone(),
        StartLine::Request { .. } => String::new(),
    }
}

/// Parses `SIP ;cause=200 ;text="Call completed elsewhere"` (RFC 3326).
pub(super) fn parse_reason(raw: &str) -> Option<Reason> {
    let mut parts = raw.split(';');
    let protocol = parts.next()?.trim().to_owned();
    if protocol.is_empty() {
        return None;
    }
    let mut reason = Reason {
        protocol,
        cause: None,
        text: None,
    };
    for part in parts {
        match part.trim().split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("cause") => {
                reason.cause = value.trim().parse().ok()
            }
            Some((name, value)) if name.trim().eq_ignore_ascii_case("text") => {
                reason.text = Some(value.trim().trim_matches('"').to_owned());
            }
            _ => {}
        }
    }
    Some(reason)
}

impl Endpoint {
    /// Lends `session`'s call what it needs of us for one step (`f`), then carries out what
    /// it asked; `None` when there is no such call.
    pub(super) fn with_call<R>(
        &mut self,
        now: Instant,
        session: &SessionId,
        f: impl FnOnce(&mut Call, &mut CallContext<'_>) -> R,
    ) -> Option<R> {
        let Self {
            calls,
            accounts,
            locals,
            public_contacts,
            ids,
            user_agent,
            ..
        } = self;
        let call = calls.get_mut(session)?;
        let mut ctx = CallContext::new(
            &call.account,
            accounts,
            public_contacts,
            locals,
            ids,
            user_agent,
        );
        let result = f(call, &mut ctx);
        self.drain_call(now, session);
        Some(result)
    }

    /// [`Endpoint::with_call`] for a command: [`SignalingError::UnknownSession`] when there
    /// is no such call.
    pub(super) fn on_call<R>(
        &mut self,
        now: Instant,
        session: &SessionId,
        f: impl FnOnce(&mut Call, &mut CallContext<'_>) -> Result<R, SignalingError>,
    ) -> Result<R, SignalingError> {
        self.with_call(now, session, f)
            .unwrap_or_else(|| Err(SignalingError::UnknownSession(session.clone())))
    }

    /// Carries out, in order, everything `session`'s call asked: its requests become client
    /// transactions, its responses go out on their server transactions, its ACKs to the
    /// wire, its events to the domain; a call that ended is dropped. Taken out at once, so
    /// what a step triggers in the call meanwhile (an ACK confirming it) is carried out in
    /// its own turn, where it happened.
    pub(super) fn drain_call(&mut self, now: Instant, session: &SessionId) {
        let Some(call) = self.calls.get_mut(session) else {
            return;
        };
        let outputs: Vec<CallOutput> = std::iter::from_fn(|| call.poll_output()).collect();
        for output in outputs {
            self.route_call_output(now, session, output);
        }
    }

    fn route_call_output(&mut self, now: Instant, session: &SessionId, output: CallOutput) {
        match output {
            CallOutput::Request {
                message,
                peer,
                owner,
            } => self.start_transaction(now, &message, peer, owner),
            CallOutput::Respond { key, response } => self.respond_in(now, &key, response),
            CallOutput::Serve { peer, request } => {
                self.start_server(now, peer, &request, Owner::Server);
            }
            CallOutput::Reply {
                peer,
                request,
                response,
            } => self.respond_with(now, peer, &request, response),
            CallOutput::Ack { key, ack } => {
                if let Some(entry) = self.transactions.get_mut(&key) {
                    entry.transaction.handle(now, Input::Received(ack));
                }
                self.drain_transaction(now, &key);
            }
            CallOutput::Transmit { peer, bytes } => self
                .outputs
                .push_back(EndpointOutput::Transmit { peer, bytes }),
            CallOutput::Forget(key) => self.forget_transaction(&key),
            CallOutput::Event(event) => self.emit(event),
            CallOutput::Ended { keep_invite } => {
                if let Some(call) = self.calls.remove(session)
                    && keep_invite
                {
                    self.remember_ended_invite(now, session, &call);
                }
            }
        }
    }

    pub(super) fn emit(&mut self, event: SignalingEvent) {
        self.outputs.push_back(EndpointOutput::Event(event));
    }

    /// Ends a call with BYE (or, for an unanswered incoming call, 603).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`].
    pub fn hang_up(&mut self, now: Instant, session: &SessionId) -> Result<(), SignalingError> {
        let call = self
            .calls
            .get(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))?;
        if let Role::Callee {
            answered: false, ..
        } = call.role
        {
            return self.reject(now, session, StatusCode::DECLINE);
        }
        // Not answered yet (an early dialog is not one to BYE): CANCEL.
        if call.dialog.is_none() || matches!(call.role, Role::Caller { ack: None, .. }) {
            return self.cancel(now, session);
        }
        self.on_call(now, session, |call, ctx| call.bye(ctx))
    }

    /// Ends every call, each as its state wants (BYE, CANCEL, or 603 for one still
    /// ringing): the program is quitting, and nobody must be left in a call with it.
    pub fn hang_up_all(&mut self, now: Instant) {
        let sessions: Vec<SessionId> = self.calls.keys().cloned().collect();
        for session in sessions {
            let _ = self.hang_up(now, &session);
        }
    }

    /// How many calls the endpoint holds (placed, ringing, up or ending).
    #[must_use]
    pub fn live_calls(&self) -> usize {
        self.calls.len()
    }

    /// Sends a re-INVITE with a new offer (hold, resume).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`] before the dialog.
    pub fn reinvite(
        &mut self,
        now: Instant,
        session: &SessionId,
        offer: &Sdp,
    ) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| call.reinvite(ctx, offer))
    }

    /// Sends one key as an INFO in the call's dialog (after the keys before it).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`] without a dialog.
    pub fn send_dtmf_info(
        &mut self,
        now: Instant,
        session: &SessionId,
        digit: wink_ports::DtmfDigit,
    ) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| call.send_dtmf_info(ctx, digit))
    }

    /// When the next call timer is due (a session refresh, a re-INVITE after 491).
    pub(super) fn next_call_timeout(&self) -> Option<Instant> {
        self.calls.values().filter_map(Call::poll_timeout).min()
    }

    /// Fires the call timers due at `now`.
    pub(super) fn handle_call_timeouts(&mut self, now: Instant) {
        let due: Vec<SessionId> = self
            .calls
            .iter()
            .filter(|(_, call)| call.poll_timeout().is_some_and(|at| at <= now))
            .map(|(session, _)| session.clone())
            .collect();
        for session in due {
            self.with_call(now, &session, |call, ctx| call.handle_timeout(now, ctx));
        }
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

/// Whether an INVITE lets us answer with SDP: it has no Accept header, or one of them lists
/// `application/sdp`, `application/*` or `*/*` (RFC 3261 §20.1; an empty one accepts
/// nothing, RFC 4475 §3.3.15).
fn accepts_sdp(request: &Message) -> bool {
    if request.headers.count(&HeaderName::Accept) == 0 {
        return true;
    }
    request
        .headers
        .list(&HeaderName::Accept)
        .iter()
        .any(|range| {
            let media = range.split(';').next().unwrap_or_default().trim();
            ["application/sdp", "application/*", "*/*"]
                .iter()
                .any(|accepted| media.eq_ignore_ascii_case(accepted))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_headers_parse() {
        let r = parse_reason("SIP ;cause=200 ;text=\"Call completed elsewhere\"").unwrap();
        assert_eq!(
            (r.protocol.as_str(), r.cause, r.text.as_deref()),
            ("SIP", Some(200), Some("Call completed elsewhere"))
        );
        let q = parse_reason("Q.850;cause=16").unwrap();
        assert_eq!((q.protocol.as_str(), q.cause), ("Q.850", Some(16)));
        assert_eq!(parse_reason(""), None);
    }
}
