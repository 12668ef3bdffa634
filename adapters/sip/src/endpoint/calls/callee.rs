//! The callee's side of a call: a new INVITE (its checks, `Replaces`), 180, 200 with our
//! answer or offer, refusals (603, 486), and CANCEL of an INVITE we have not answered.

use super::*;

impl Endpoint {
    /// A new INVITE for one of our accounts.
    pub(in crate::endpoint) fn on_new_invite(
        &mut self,
        now: Instant,
        from: Peer,
        request: Message,
    ) {
        let Some(account) = self.account_for(&request) else {
            let rejection = Rejection {
                code: 404,
                reason: "Not Found".into(),
                headers: vec![],
            };
            return self.respond_new(now, from, &request, rejection);
        };
        if !request.body.is_empty() {
            let content_type = request.headers.get(&HeaderName::ContentType).unwrap_or("");
            if !content_type
                .trim()
                .to_ascii_lowercase()
                .starts_with("application/sdp")
            {
                let rejection = Rejection {
                    code: 415,
                    reason: "Unsupported Media Type".into(),
                    headers: vec![(HeaderName::Accept, "application/sdp".into())],
                };
                return self.respond_new(now, from, &request, rejection);
            }
        }
        if !accepts_sdp(&request) {
            let rejection = Rejection {
                code: 406,
                reason: "Not Acceptable".into(),
                headers: vec![(
                    HeaderName::Other("Warning".into()),
                    "399 wink \"our answer is application/sdp, which Accept leaves out\"".into(),
                )],
            };
            return self.respond_new(now, from, &request, rejection);
        }
        if let Some(rejection) = self.refuse_new_invite(&request) {
            return self.respond_new(now, from, &request, rejection);
        }
        let (Ok(caller), Ok(called)) = (request.from_header(), request.to_header()) else {
            return;
        };
        let (Ok(caller_uri), Ok(called_uri)) =
            (SipUri::parse(&caller.uri), SipUri::parse(&called.uri))
        else {
            return self.respond_new(
                now,
                from,
                &request,
                Rejection::bad_request("From and To must be sip: addresses"),
            );
        };
        // RFC 3891: an INVITE with Replaces must name one of our dialogs, else 481.
        let replaces = match request.headers.get(&HeaderName::Replaces) {
            None => None,
            Some(raw) => match self.replaced_session(raw) {
                Some(session) => Some(session),
                None => {
                    let rejection = Rejection::no_such_call();
                    return self.respond_new(now, from, &request, rejection);
                }
            },
        };
        let local_tag = self.ids.tag();
        let Ok(mut dialog) = Dialog::from_request(&request, &local_tag) else {
            return self.respond_new(
                now,
                from,
                &request,
                Rejection::bad_request("Missing From tag or Contact"),
            );
        };
        let Ok(session) = SessionId::new(format!("in-{local_tag}")) else {
            return;
        };
        let Some(key) = self.start_server(now, from, &request, Owner::Incoming(session.clone()))
        else {
            return;
        };
        let offer = sdp_body(&request);
        // RFC 4028: the caller refreshes unless it asked us to (then we do, halfway).
        let (session_expires, refresh_at) = match session_timer::parse_session_expires(&request) {
            Some((seconds, Some(refresher))) if refresher == "uas" => (
                Some(seconds),
                Some(now + session_timer::refresh_in(seconds)),
            ),
            Some((seconds, _)) => (Some(seconds), None),
            None => (None, None),
        };
        let role = Role::Callee {
            server: key,
            local_tag,
            answered: false,
        };
        route_through_outbound_proxy(self.accounts.get(&account), &mut dialog);
        self.calls.insert(
            session.clone(),
            Call {
                session: session.clone(),
                account: account.clone(),
                invite: request,
                dialog: Some(dialog),
                peer: from,
                role,
                session_expires,
                refresh_at,
                incoming_reinvite: None,
                reinviting: false,
                last_offer: None,
                retry_reinvite: None,
                dtmf_info: Default::default(),
                outputs: Default::default(),
            },
        );
        self.emit(SignalingEvent::IncomingCall {
            session,
            account,
            from: caller_uri,
            from_display: caller.display,
            to: called_uri,
            offer,
            replaces,
        });
    }

    /// The call a `Replaces: call-id;to-tag=…;from-tag=…` value names (our tag is the
    /// to-tag).
    pub(super) fn replaced_session(&self, raw: &str) -> Option<SessionId> {
        let mut parts = raw.split(';');
        let call_id = parts.next()?.trim();
        let (mut to_tag, mut from_tag) = (None, None);
        for part in parts {
            match part.trim().split_once('=') {
                Some((name, value)) if name.eq_ignore_ascii_case("to-tag") => {
                    to_tag = Some(value.trim())
                }
                Some((name, value)) if name.eq_ignore_ascii_case("from-tag") => {
                    from_tag = Some(value.trim())
                }
                _ => {}
            }
        }
        let (to_tag, from_tag) = (to_tag?, from_tag?);
        self.calls.iter().find_map(|(session, call)| {
            let dialog = call.dialog.as_ref()?;
            (dialog.call_id == call_id
                && dialog.local_tag == to_tag
                && dialog.remote_tag == from_tag)
                .then(|| session.clone())
        })
    }

    /// Starts the server transaction of an INVITE (100 Trying goes out); its key, or `None`
    /// for a request without a usable branch.
    /// A server transaction for `request` (INVITE or not), answered later.
    pub(in crate::endpoint) fn start_server(
        &mut self,
        now: Instant,
        from: Peer,
        request: &Message,
        owner: Owner,
    ) -> Option<TransactionKey> {
        let key = TransactionKey::for_request(request)?;
        let reliability = from.transport.reliability();
        let transaction = if request.method() == Some(Method::Invite) {
            Transaction::ServerInvite(ServerInvite::new(request, reliability, self.timers))
        } else {
            Transaction::ServerNonInvite(crate::transaction::ServerNonInvite::new(
                reliability,
                self.timers,
            ))
        };
        self.transactions
            .insert(key.clone(), Entry::new(transaction, from, owner));
        self.drain_transaction(now, &key);
        Some(key)
    }

    /// A response from us to the callee's INVITE, with our tag and Contact.
    pub(super) fn callee_response(
        &self,
        call: &Call,
        code: u16,
        reason: &str,
        sdp: Option<&Sdp>,
    ) -> Message {
        let mut response = response_to(&call.invite, code, reason);
        if let Role::Callee { local_tag, .. } = &call.role
            && let Ok(mut to) = response.to_header()
        {
            to.set_param("tag", Some(local_tag));
            response.headers.set(HeaderName::To, to.to_string());
        }
        if code > 100 && code < 300 {
            if let Some(binding) = self.accounts.get(&call.account) {
                response.headers.push(
                    HeaderName::Contact,
                    format!("<{}>", self.contact_for(binding)),
                );
            }
            response
                .headers
                .copy_from(&call.invite.headers, &HeaderName::RecordRoute);
        }
        if (200..300).contains(&code) {
            response.headers.push(HeaderName::Allow, crate::ALLOW);
            if let Some(seconds) = call.session_expires {
                let refresher = if call.refresh_at.is_some() {
                    "uas"
                } else {
                    "uac"
                };
                response.headers.push(
                    HeaderName::SessionExpires,
                    format!("{seconds};refresher={refresher}"),
                );
                response.headers.push(HeaderName::Require, "timer");
            }
        }
        with_body(&mut response, sdp);
        response
    }

    pub(in crate::endpoint) fn respond_in(
        &mut self,
        now: Instant,
        key: &TransactionKey,
        response: Message,
    ) {
        if let Some(entry) = self.transactions.get_mut(key) {
            entry.transaction.handle(now, Input::Respond(response));
        }
        self.drain_transaction(now, key);
    }

    /// An incoming call not answered yet, and its INVITE's server transaction.
    pub(super) fn unanswered_invite(
        &self,
        session: &SessionId,
        action: &'static str,
    ) -> Result<(TransactionKey, &Call), SignalingError> {
        let call = self
            .calls
            .get(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))?;
        match &call.role {
            Role::Callee {
                server,
                answered: false,
                ..
            } => Ok((server.clone(), call)),
            _ => Err(SignalingError::InvalidState {
                session: session.clone(),
                action,
            }),
        }
    }

    /// Sends 180 Ringing.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    pub fn ring(&mut self, now: Instant, session: &SessionId) -> Result<(), SignalingError> {
        let (key, call) = self.unanswered_invite(session, "ring")?;
        let response = self.callee_response(call, 180, "Ringing", None);
        self.respond_in(now, &key, response);
        Ok(())
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
        let answered_reinvite = self.with_call(now, session, |call, ctx| {
            call.answer_reinvite(ctx, sdp.as_ref())
        });
        if answered_reinvite == Some(true) {
            return Ok(());
        }
        let (key, call) = self.unanswered_invite(session, "answer")?;
        let response = self.callee_response(call, 200, "OK", sdp.as_ref());
        self.respond_in(now, &key, response);
        if let Some(Call {
            role: Role::Callee { answered, .. },
            ..
        }) = self.calls.get_mut(session)
        {
            *answered = true;
        }
        Ok(())
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
        if !(300..=699).contains(&status.0) {
            return Err(SignalingError::BadStatus(status.0));
        }
        let (key, call) = self.unanswered_invite(session, "reject")?;
        let reason = match status.0 {
            486 => "Busy Here",
            603 => "Decline",
            480 => "Temporarily Unavailable",
            488 => "Not Acceptable Here",
            _ => "Rejected",
        };
        let response = self.callee_response(call, status.0, reason, None);
        self.calls.remove(session);
        self.respond_in(now, &key, response);
        Ok(())
    }

    /// Events of an incoming INVITE's server transaction.
    pub(in crate::endpoint) fn on_incoming_event(
        &mut self,
        now: Instant,
        session: &SessionId,
        event: Event,
    ) {
        match event {
            Event::Acked(ack) => {
                self.emit(SignalingEvent::Confirmed {
                    session: session.clone(),
                    sdp: sdp_body(&ack),
                });
            }
            Event::AckTimeout if self.calls.contains_key(session) => {
                warn!(target: "sip", %session, "our 200 OK was never acknowledged; ending the call");
                let _ = self.hang_up(now, session);
                self.emit(SignalingEvent::HungUp {
                    session: session.clone(),
                });
            }
            _ => {}
        }
    }

    /// A CANCEL: stop the INVITE it names with 487 and report the `Reason`.
    pub(in crate::endpoint) fn on_cancel(&mut self, now: Instant, from: Peer, cancel: Message) {
        let invite_key = TransactionKey::for_cancelled_invite(&cancel);
        let target = invite_key.as_ref().and_then(|key| {
            self.calls
                .iter()
                .find_map(|(session, call)| match &call.role {
                    Role::Callee {
                        server, answered, ..
                    } if server == key => Some((session.clone(), *answered)),
                    _ => None,
                })
        });
        let Some((session, answered)) = target else {
            let rejection = Rejection::no_such_call();
            return self.respond_new(now, from, &cancel, rejection);
        };
        let mut ok = response_to(&cancel, 200, "OK");
        if let Ok(mut to) = ok.to_header() {
            if let Some(Call {
                role: Role::Callee { local_tag, .. },
                ..
            }) = self.calls.get(&session)
            {
                to.set_param("tag", Some(local_tag));
            }
            ok.headers.set(HeaderName::To, to.to_string());
        }
        self.respond_with(now, from, &cancel, ok);
        if answered {
            return;
        }
        let call = self.calls.remove(&session).expect("found above");
        let response = self.callee_response(&call, 487, "Request Terminated", None);
        if let Role::Callee { server, .. } = &call.role {
            let key = server.clone();
            self.respond_in(now, &key, response);
        }
        let reason = cancel
            .headers
            .get(&HeaderName::Reason)
            .and_then(parse_reason);
        self.emit(SignalingEvent::Cancelled { session, reason });
    }
}
