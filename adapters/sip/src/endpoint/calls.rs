//! The endpoint's side of calls: it holds them ([`Call`]), lends a call what it needs of
//! the endpoint for one step ([`Endpoint::with_call`]), and carries out what the call asks
//! ([`Endpoint::drain_call`]). The commands here only find the call and hand it on; what
//! spans calls stays with the endpoint (`calls/routing.rs`: which call a message is for;
//! `calls/new_invite.rs`: whether an INVITE becomes a call; `invite_checks.rs`).

use std::time::Instant;

use wink_ports::{
    DtmfDigit, InviteRequest, Sdp, SessionId, SignalingError, SignalingEvent, StatusCode,
};

use super::call::{Call, CallContext, CallOutput};
use super::{Endpoint, EndpointOutput, Owner};
use crate::transaction::{Input, TransactionKey};

mod new_invite;
mod routing;

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

    /// Tells the domain.
    pub(super) fn emit(&mut self, event: SignalingEvent) {
        self.outputs.push_back(EndpointOutput::Event(event));
    }

    /// Adds a new call, and carries out what it asked already.
    fn add_call(&mut self, now: Instant, call: Call) {
        let session = call.session.clone();
        self.calls.insert(session.clone(), call);
        self.drain_call(now, &session);
    }

    /// Carries out, in order, everything `session`'s call asked: its requests become client
    /// transactions, its responses go out on their server transactions, its ACKs to the
    /// wire, its events to the domain; a call that ended is dropped. The outputs are taken
    /// out at once, so what one of them makes the call say meanwhile (an ACK handed to its
    /// transaction confirms the call) is carried out in its own turn, where it happened.
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
                if let Some(key) = TransactionKey::for_request(&request) {
                    let owner = Owner::IncomingReInvite {
                        session: session.clone(),
                        key,
                    };
                    self.start_server(now, peer, &request, owner);
                }
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
            CallOutput::StopRetransmitting(key) => {
                if let Some(entry) = self.transactions.get_mut(&key) {
                    entry.transaction.handle(now, Input::StopRetransmitting);
                }
                self.drain_transaction(now, &key);
            }
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

    /// Sends an INVITE (with an offer, or without one for a late offer).
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`].
    pub fn invite(&mut self, now: Instant, request: InviteRequest) -> Result<(), SignalingError> {
        let mut ctx = CallContext::new(
            &request.account,
            &self.accounts,
            &self.public_contacts,
            &self.locals,
            &mut self.ids,
            &self.user_agent,
        );
        let call = Call::place(&mut ctx, request)?;
        self.add_call(now, call);
        Ok(())
    }

    /// Gives up on our INVITE (CANCEL), now or as soon as the callee has answered 1xx.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`] for a callee.
    pub fn cancel(&mut self, now: Instant, session: &SessionId) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| call.cancel(ctx))
    }

    /// Sends 180 Ringing.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    pub fn ring(&mut self, now: Instant, session: &SessionId) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| call.ring(ctx))
    }

    /// Answers with 200 OK: the INVITE (our answer, or our offer for a late offer) or a
    /// pending re-INVITE.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    pub fn answer(
        &mut self,
        now: Instant,
        session: &SessionId,
        sdp: Option<Sdp>,
    ) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| call.answer(ctx, sdp.as_ref()))
    }

    /// Refuses an incoming INVITE with a final status (603 Decline, 486 Busy Here, …).
    ///
    /// # Errors
    /// [`SignalingError::BadStatus`], [`SignalingError::UnknownSession`],
    /// [`SignalingError::InvalidState`] once answered.
    pub fn reject(
        &mut self,
        now: Instant,
        session: &SessionId,
        status: StatusCode,
    ) -> Result<(), SignalingError> {
        // A status that is no refusal is refused first, whatever the session.
        if !(300..=699).contains(&status.0) {
            return Err(SignalingError::BadStatus(status.0));
        }
        self.on_call(now, session, |call, ctx| call.reject(ctx, status))
    }

    /// Ends a call with BYE (or CANCEL before it is answered, or, for an unanswered
    /// incoming call, 603).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`].
    pub fn hang_up(&mut self, now: Instant, session: &SessionId) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| call.hang_up(ctx))
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
        digit: DtmfDigit,
    ) -> Result<(), SignalingError> {
        self.on_call(now, session, |call, ctx| call.send_dtmf_info(ctx, digit))
    }
}
