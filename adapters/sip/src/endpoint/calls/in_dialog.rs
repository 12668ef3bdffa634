//! A call's dialog, on either side: BYE, re-INVITE (sent and received), the ACK of our
//! 2xx, and the other requests inside the dialog.

use super::*;

impl Endpoint {
    /// Ends a call with BYE (or, for an unanswered incoming call, 603).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`].
    pub fn hang_up(&mut self, now: Instant, session: &SessionId) -> Result<(), SignalingError> {
        let call = self.call(session)?;
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
        let mut call = self.calls.remove(session).expect("checked above");
        self.forget_reinvite(call.incoming_reinvite.take());
        if matches!(call.role, Role::Caller { .. }) {
            self.remember_ended_invite(now, session, &call);
        }
        let peer = self.dialog_peer(&call);
        let bye = call
            .dialog
            .as_mut()
            .expect("checked above")
            .request(Method::Bye);
        self.start_client(now, bye, peer, Owner::Server);
        Ok(())
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
        let contact = {
            let call = self.call(session)?;
            let account = call.account.clone();
            self.accounts.get(&account).map(|b| self.contact_for(b))
        };
        let call = self
            .calls
            .get_mut(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))?;
        let Some(dialog) = call.dialog.as_mut() else {
            return Err(SignalingError::InvalidState {
                session: session.clone(),
                action: "re-INVITE",
            });
        };
        let mut invite = dialog.request(Method::Invite);
        if let Some(contact) = contact {
            invite
                .headers
                .push(HeaderName::Contact, format!("<{contact}>"));
        }
        Self::with_body(&mut invite, Some(offer));
        let peer = call_peer(&self.accounts, call);
        call.reinviting = true;
        call.last_offer = Some(offer.clone());
        self.start_client(now, invite, peer, Owner::ReInvite(session.clone()));
        Ok(())
    }

    /// The answer to our re-INVITE: acknowledge a 2xx.
    pub(in crate::endpoint) fn on_reinvite_event(
        &mut self,
        now: Instant,
        session: &SessionId,
        event: Event,
    ) {
        let final_response = match &event {
            Event::Response(response) => response.status().is_some_and(|code| code >= 200),
            _ => true,
        };
        if final_response && let Some(call) = self.calls.get_mut(session) {
            call.reinviting = false;
        }
        let Event::Response(response) = event else {
            return;
        };
        let Some(code) = response.status() else {
            return;
        };
        if code == 491 {
            return self.retry_reinvite_later(now, session);
        }
        if !(200..300).contains(&code) {
            if code >= 300 {
                warn!(target: "sip", %session, code, "re-INVITE refused");
            }
            return;
        }
        let Some(call) = self.calls.get(session) else {
            return;
        };
        let Some(dialog) = &call.dialog else { return };
        let seq = response.cseq().map(|c| c.seq).unwrap_or(dialog.local_seq);
        let mut ack = dialog.ack(seq);
        let peer = self.dialog_peer(call);
        let via = self.via_for(peer.transport);
        ack.headers.push_front(HeaderName::Via, via);
        self.outputs.push_back(EndpointOutput::Transmit {
            peer,
            bytes: ack.to_bytes(),
        });
    }

    /// An ACK outside any transaction: the ACK of our 2xx (it has its own branch).
    pub(in crate::endpoint) fn on_dialog_ack(&mut self, now: Instant, ack: Message) {
        let found = self.calls.iter().find_map(|(session, call)| {
            let dialog = call.dialog.as_ref()?;
            dialog.matches_request(&ack).then(|| {
                let initial = match &call.role {
                    Role::Callee { server, .. } => Some(server.clone()),
                    Role::Caller { .. } => None,
                };
                (session.clone(), initial)
            })
        });
        let Some((session, initial)) = found else {
            return debug!(target: "sip", "ACK for no dialog; dropped");
        };
        if self.ack_reinvite(now, &session, &ack) {
            return;
        }
        let Some(key) = initial else {
            return debug!(target: "sip", %session, "ACK for no INVITE of ours; dropped");
        };
        if let Some(entry) = self.transactions.get_mut(&key) {
            entry.transaction.handle(now, Input::Received(ack));
        }
        self.drain_transaction(now, &key);
    }

    /// A request inside one of our dialogs (BYE, re-INVITE, INFO, …).
    pub(in crate::endpoint) fn on_in_dialog(&mut self, now: Instant, from: Peer, request: Message) {
        let session = self
            .calls
            .iter()
            .find(|(_, call)| {
                call.dialog
                    .as_ref()
                    .is_some_and(|d| d.matches_request(&request))
            })
            .map(|(session, _)| session.clone());
        let Some(session) = session else {
            let rejection = Rejection::no_such_call();
            return self.respond_new(now, from, &request, rejection);
        };
        let method = request.method().unwrap_or(Method::Other(String::new()));
        match method {
            Method::Bye => {
                let ended = self.calls.remove(&session);
                self.forget_reinvite(ended.and_then(|call| call.incoming_reinvite));
                self.respond_with(now, from, &request, response_to(&request, 200, "OK"));
                self.emit(SignalingEvent::HungUp { session });
            }
            Method::Invite => self.on_reinvite_request(now, from, session, request),
            Method::Refer => self.on_refer(now, from, session, &request),
            Method::Notify => self.on_notify(now, from, session, &request),
            Method::Info if super::super::dtmf_info::is_dtmf_relay(&request) => {
                self.on_dtmf_info(now, from, session, &request);
            }
            Method::Options | Method::Info => {
                self.respond_with(now, from, &request, response_to(&request, 200, "OK"));
            }
            Method::Update if request.body.is_empty() => {
                self.respond_with(now, from, &request, response_to(&request, 200, "OK"));
            }
            // An offer in an UPDATE (RFC 3311) is answered as one in a re-INVITE, without ACK.
            Method::Update => self.on_reinvite_request(now, from, session, request),
            _ => self.respond_new(now, from, &request, Rejection::not_implemented()),
        }
    }
}
