//! The caller's side of a call: our INVITE, its provisional and final responses (with
//! digest authentication and DNS failover), the ACK of its 2xx, and CANCEL.

use super::*;

impl Endpoint {
    /// Sends an INVITE (with an offer, or without one for a late offer).
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`].
    pub fn invite(&mut self, now: Instant, request: InviteRequest) -> Result<(), SignalingError> {
        let binding = self
            .accounts
            .get(&request.account)
            .ok_or_else(|| SignalingError::UnknownAccount(request.account.clone()))?;
        let mut invite = Message::request(Method::Invite, request.target.to_string());
        if let Some(route) = &binding.route {
            invite.headers.push(HeaderName::Route, format!("<{route}>"));
        }
        invite.headers.push(HeaderName::MaxForwards, "70");
        let mut from = NameAddr::new(binding.display_name.as_deref(), binding.aor.clone());
        from.set_param("tag", Some(&self.ids.tag()));
        invite.headers.push(HeaderName::From, from.to_string());
        invite.headers.push(
            HeaderName::To,
            NameAddr::new(None, request.target.to_string()).to_string(),
        );
        invite.headers.push(HeaderName::CallId, self.ids.call_id());
        invite.headers.push(
            HeaderName::CSeq,
            CSeq {
                seq: 1,
                method: Method::Invite,
            }
            .to_string(),
        );
        invite.headers.push(
            HeaderName::Contact,
            format!("<{}>", self.contact_for(binding)),
        );
        invite.headers.push(HeaderName::Allow, crate::ALLOW);
        invite
            .headers
            .push(HeaderName::Supported, "timer, replaces");
        if let Some(replaces) = &request.replaces {
            invite.headers.push(HeaderName::Replaces, replaces.clone());
        }
        invite.headers.push(
            HeaderName::SessionExpires,
            session_timer::SESSION_EXPIRES.to_string(),
        );
        invite
            .headers
            .push(HeaderName::UserAgent, self.user_agent.clone());
        with_body(&mut invite, request.offer.as_ref());
        let peer = binding.first_hop(&request.target.to_string());
        let sent = self.start_client(now, invite, peer, Owner::Invite(request.session.clone()));
        let role = Role::Caller {
            provisional: false,
            cancel_pending: false,
            cancelled: false,
            ack: None,
        };
        self.calls.insert(
            request.session.clone(),
            Call {
                session: request.session.clone(),
                account: request.account,
                invite: sent,
                dialog: None,
                peer,
                role,
                session_expires: None,
                refresh_at: None,
                incoming_reinvite: None,
                reinviting: false,
                last_offer: None,
                retry_reinvite: None,
                dtmf_info: Default::default(),
                outputs: Default::default(),
            },
        );
        Ok(())
    }

    /// A response to our INVITE.
    pub(in crate::endpoint) fn on_invite_event(
        &mut self,
        now: Instant,
        session: &SessionId,
        event: Event,
    ) {
        let response = match event {
            Event::Response(response) => response,
            failure @ (Event::Timeout | Event::Unreachable) => {
                if self.retry_invite_elsewhere(now, session) {
                    return;
                }
                self.calls.remove(session);
                let (code, reason) = super::super::no_answer(&failure);
                return self.emit(SignalingEvent::Failed {
                    session: session.clone(),
                    code,
                    reason,
                });
            }
            _ => return,
        };
        let code = response.status().unwrap_or(0);
        let Some(call) = self.calls.get_mut(session) else {
            if (200..300).contains(&code) {
                self.stray_2xx(now, session, &response);
            }
            return;
        };
        match code {
            100 => {}
            101..=199 => {
                let Role::Caller {
                    provisional,
                    cancel_pending,
                    ..
                } = &mut call.role
                else {
                    return;
                };
                *provisional = true;
                let cancel_now = std::mem::take(cancel_pending);
                if call.dialog.is_none()
                    && response
                        .to_header()
                        .ok()
                        .and_then(|t| t.tag().map(str::to_owned))
                        .is_some()
                {
                    call.dialog =
                        Dialog::from_response(&call.invite, &response)
                            .ok()
                            .map(|mut dialog| {
                                route_through_outbound_proxy(
                                    self.accounts.get(&call.account),
                                    &mut dialog,
                                );
                                dialog
                            });
                }
                if cancel_now {
                    self.send_cancel(now, session);
                } else {
                    self.emit(SignalingEvent::Progress {
                        session: session.clone(),
                        code,
                        sdp: sdp_body(&response),
                    });
                }
            }
            200..=299 => self.on_invite_ok(now, session, &response),
            401 | 407 => {
                let account = call.account.clone();
                let invite = call.invite.clone();
                let peer = call.peer;
                match self.authenticated_retry(&account, &invite, code, &response) {
                    Some(retry)
                        if invite.headers.get(&HeaderName::Authorization).is_none()
                            && invite
                                .headers
                                .get(&HeaderName::ProxyAuthorization)
                                .is_none() =>
                    {
                        let sent =
                            self.start_client(now, retry, peer, Owner::Invite(session.clone()));
                        if let Some(call) = self.calls.get_mut(session) {
                            call.invite = sent;
                        }
                    }
                    _ => {
                        self.calls.remove(session);
                        self.emit(SignalingEvent::Failed {
                            session: session.clone(),
                            code,
                            reason: "authentication failed".into(),
                        });
                    }
                }
            }
            503 if self.retry_invite_elsewhere(now, session) => {}
            _ => {
                self.calls.remove(session);
                self.emit(SignalingEvent::Failed {
                    session: session.clone(),
                    code,
                    reason: reason_phrase(&response),
                });
            }
        }
    }

    /// RFC 3263 §4.3: our INVITE got no answer or 503 from a server we found in DNS; send
    /// it to the next one (the account moves there, its registration too).
    pub(super) fn retry_invite_elsewhere(&mut self, now: Instant, session: &SessionId) -> bool {
        let Some(call) = self.calls.get(session) else {
            return false;
        };
        let untouched = matches!(
            call.role,
            Role::Caller {
                provisional: false,
                ..
            }
        );
        let first_hop_was_server = self
            .accounts
            .get(&call.account)
            .is_some_and(|a| a.next_hop == call.peer);
        if !untouched || !first_hop_was_server {
            return false;
        }
        let account = call.account.clone();
        let mut invite = call.invite.clone();
        if !self.fail_over(now, &account) {
            return false;
        }
        let Some(peer) = self.accounts.get(&account).map(|a| a.next_hop) else {
            return false;
        };
        invite.headers.remove(&HeaderName::Via);
        let sent = self.start_client(now, invite, peer, Owner::Invite(session.clone()));
        if let Some(call) = self.calls.get_mut(session) {
            call.invite = sent;
            call.peer = peer;
        }
        true
    }

    pub(super) fn on_invite_ok(&mut self, now: Instant, session: &SessionId, response: &Message) {
        let Some(call) = self.calls.get_mut(session) else {
            return;
        };
        let Role::Caller { ack, cancelled, .. } = &mut call.role else {
            return;
        };
        if let Some(bytes) = ack.clone() {
            // A retransmitted 2xx: our ACK was lost; send it again.
            let peer = in_dialog_peer(
                self.accounts.get(&call.account),
                call.dialog.as_ref(),
                call.peer,
            );
            self.outputs
                .push_back(EndpointOutput::Transmit { peer, bytes });
            return;
        }
        let hang_up_at_once = *cancelled;
        let Ok(mut dialog) = Dialog::from_response(&call.invite, response) else {
            warn!(target: "sip", %session, "2xx without a usable To tag or Contact");
            return;
        };
        dialog.update_target(response);
        route_through_outbound_proxy(self.accounts.get(&call.account), &mut dialog);
        let seq = call.invite.cseq().map(|c| c.seq).unwrap_or(1);
        let mut ack_message = dialog.ack(seq);
        call.dialog = Some(dialog);
        let peer = in_dialog_peer(
            self.accounts.get(&call.account),
            call.dialog.as_ref(),
            call.peer,
        );
        let via = self.via_for(peer.transport);
        ack_message.headers.push_front(HeaderName::Via, via);
        let bytes = ack_message.to_bytes();
        self.outputs.push_back(EndpointOutput::Transmit {
            peer,
            bytes: bytes.clone(),
        });
        if let Some(Call {
            role: Role::Caller { ack, .. },
            ..
        }) = self.calls.get_mut(session)
        {
            *ack = Some(bytes);
        }
        if hang_up_at_once {
            // Answered while we were giving up (the 200 OK crossed our CANCEL): the user
            // has left the call, so acknowledge it and end it; the domain hears nothing.
            let _ = self.hang_up(now, session);
            return;
        }
        if let (Some((seconds, refresher)), Some(call)) = (
            session_timer::parse_session_expires(response),
            self.calls.get_mut(session),
        ) {
            call.session_expires = Some(seconds);
            if refresher.as_deref() != Some("uas") {
                call.refresh_at = Some(now + session_timer::refresh_in(seconds));
            }
        }
        self.emit(SignalingEvent::Answered {
            session: session.clone(),
            sdp: sdp_body(response),
        });
    }

    pub(super) fn send_cancel(&mut self, now: Instant, session: &SessionId) {
        let Some(call) = self.calls.get(session) else {
            return;
        };
        let invite = &call.invite;
        let StartLine::Request { uri, .. } = &invite.start else {
            return;
        };
        let mut cancel = Message::request(Method::Cancel, uri.clone());
        if let Some(via) = invite.headers.list(&HeaderName::Via).first() {
            cancel.headers.push(HeaderName::Via, *via);
        }
        cancel
            .headers
            .copy_from(&invite.headers, &HeaderName::Route);
        cancel.headers.push(HeaderName::MaxForwards, "70");
        for name in [HeaderName::From, HeaderName::To, HeaderName::CallId] {
            cancel.headers.copy_from(&invite.headers, &name);
        }
        let seq = invite.cseq().map(|c| c.seq).unwrap_or(1);
        cancel.headers.push(
            HeaderName::CSeq,
            CSeq {
                seq,
                method: Method::Cancel,
            }
            .to_string(),
        );
        // The CANCEL reuses the INVITE's branch, so it bypasses start_client's new Via.
        let Some(key) = TransactionKey::for_client_request(&cancel) else {
            return;
        };
        let peer = call.peer;
        let reliability = peer.transport.reliability();
        let transaction = Transaction::ClientNonInvite(crate::transaction::ClientNonInvite::new(
            now,
            &cancel,
            reliability,
            self.timers,
        ));
        self.transactions
            .insert(key.clone(), Entry::new(transaction, peer, Owner::Server));
        self.drain_transaction(now, &key);
    }

    /// Gives up on our INVITE (CANCEL), now or as soon as the callee has answered 1xx.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`] for a callee.
    pub fn cancel(&mut self, now: Instant, session: &SessionId) -> Result<(), SignalingError> {
        let call = self
            .calls
            .get_mut(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))?;
        match &mut call.role {
            Role::Caller { ack: Some(_), .. } => self.hang_up(now, session),
            Role::Caller {
                provisional: true,
                cancelled,
                ..
            } => {
                *cancelled = true;
                self.send_cancel(now, session);
                Ok(())
            }
            Role::Caller {
                cancel_pending,
                cancelled,
                ..
            } => {
                *cancel_pending = true;
                *cancelled = true;
                Ok(())
            }
            Role::Callee { .. } => Err(SignalingError::InvalidState {
                session: session.clone(),
                action: "cancel",
            }),
        }
    }
}
