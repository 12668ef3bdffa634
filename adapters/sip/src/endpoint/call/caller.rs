//! The caller's side of a call: our INVITE, its provisional and final responses (with
//! digest authentication), the ACK of its 2xx (repeated for each retransmission of it),
//! and CANCEL. Sending the INVITE to the next DNS server is the endpoint's (it moves the
//! account there); the call sends it again when told ([`Call::resend_invite`]).

use std::collections::VecDeque;
use std::time::Instant;

use tracing::warn;
use wink_ports::{InviteRequest, SignalingError, SignalingEvent};

use super::{Call, CallContext, CallOutput, Role, sdp_body, with_body};
use crate::dialog::Dialog;
use crate::endpoint::outbound_route::route_through_outbound_proxy;
use crate::endpoint::outgoing::digest_retry;
use crate::endpoint::{Owner, Peer, no_answer, session_timer};
use crate::message::{CSeq, HeaderName, Message, Method, NameAddr, StartLine};
use crate::transaction::Event;

fn reason_phrase(response: &Message) -> String {
    match &response.start {
        StartLine::Response { reason, .. } => reason.clone(),
        StartLine::Request { .. } => String::new(),
    }
}

impl Call {
    /// A call we place: the INVITE (with an offer, or without one for a late offer) goes to
    /// the account's first hop for the target.
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`] when the context has no account.
    pub(in crate::endpoint) fn place(
        ctx: &mut CallContext<'_>,
        request: InviteRequest,
    ) -> Result<Self, SignalingError> {
        let Some(binding) = ctx.account else {
            return Err(SignalingError::UnknownAccount(request.account));
        };
        let mut invite = Message::request(Method::Invite, request.target.to_string());
        if let Some(route) = &binding.route {
            invite.headers.push(HeaderName::Route, format!("<{route}>"));
        }
        invite.headers.push(HeaderName::MaxForwards, "70");
        let mut from = NameAddr::new(binding.display_name.as_deref(), binding.aor.clone());
        from.set_param("tag", Some(&ctx.ids.tag()));
        invite.headers.push(HeaderName::From, from.to_string());
        invite.headers.push(
            HeaderName::To,
            NameAddr::new(None, request.target.to_string()).to_string(),
        );
        invite.headers.push(HeaderName::CallId, ctx.ids.call_id());
        invite.headers.push(
            HeaderName::CSeq,
            CSeq {
                seq: 1,
                method: Method::Invite,
            }
            .to_string(),
        );
        if let Some(contact) = ctx.contact() {
            invite
                .headers
                .push(HeaderName::Contact, format!("<{contact}>"));
        }
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
            .push(HeaderName::UserAgent, ctx.user_agent.to_owned());
        with_body(&mut invite, request.offer.as_ref());
        let peer = binding.first_hop(&request.target.to_string());
        let mut call = Self {
            session: request.session,
            account: request.account,
            invite,
            dialog: None,
            peer,
            role: Role::Caller {
                provisional: false,
                cancel_pending: false,
                cancelled: false,
                ack: None,
            },
            session_expires: None,
            refresh_at: None,
            incoming_reinvite: None,
            reinviting: false,
            last_offer: None,
            retry_reinvite: None,
            dtmf_info: Default::default(),
            outputs: VecDeque::new(),
        };
        call.send_invite(ctx, peer);
        Ok(call)
    }

    /// Sends our INVITE to `peer` in a new client transaction, under a new Via (instead
    /// of the one it had), and keeps it as sent (a CANCEL copies its Via).
    fn send_invite(&mut self, ctx: &mut CallContext<'_>, peer: Peer) {
        self.invite.headers.remove(&HeaderName::Via);
        let via = ctx.via(peer.transport);
        self.invite.headers.push_front(HeaderName::Via, via);
        self.outputs.push_back(CallOutput::Request {
            message: self.invite.clone(),
            peer,
            owner: Owner::Invite(self.session.clone()),
        });
    }

    /// Whether our INVITE has had no answer but 100 yet (it may go to another server).
    pub(in crate::endpoint) fn untouched(&self) -> bool {
        matches!(
            self.role,
            Role::Caller {
                provisional: false,
                ..
            }
        )
    }

    /// Sends our INVITE again, to `peer` (the next server of the account, RFC 3263 §4.3).
    pub(in crate::endpoint) fn resend_invite(&mut self, ctx: &mut CallContext<'_>, peer: Peer) {
        self.send_invite(ctx, peer);
        self.peer = peer;
    }

    /// What became of our INVITE: a response, or none in time (the endpoint has found no
    /// other server to try).
    pub(in crate::endpoint) fn handle_invite_event(
        &mut self,
        now: Instant,
        ctx: &mut CallContext<'_>,
        event: Event,
    ) {
        match event {
            Event::Response(response) => self.handle_invite_response(now, ctx, &response),
            failure @ (Event::Timeout | Event::Unreachable) => {
                self.end(false);
                let (code, reason) = no_answer(&failure);
                self.emit(SignalingEvent::Failed {
                    session: self.session.clone(),
                    code,
                    reason,
                });
            }
            _ => {}
        }
    }

    fn handle_invite_response(
        &mut self,
        now: Instant,
        ctx: &mut CallContext<'_>,
        response: &Message,
    ) {
        let code = response.status().unwrap_or(0);
        match code {
            100 => {}
            101..=199 => self.on_provisional(ctx, code, response),
            200..=299 => self.on_invite_ok(now, ctx, response),
            401 | 407 => {
                let cnonce = ctx.ids.tag();
                let retry = ctx.account.and_then(|binding| {
                    digest_retry(binding, &self.invite, code, response, &cnonce)
                });
                match retry {
                    Some(retry)
                        if self
                            .invite
                            .headers
                            .get(&HeaderName::Authorization)
                            .is_none()
                            && self
                                .invite
                                .headers
                                .get(&HeaderName::ProxyAuthorization)
                                .is_none() =>
                    {
                        self.invite = retry;
                        self.send_invite(ctx, self.peer);
                    }
                    _ => {
                        self.end(false);
                        self.emit(SignalingEvent::Failed {
                            session: self.session.clone(),
                            code,
                            reason: "authentication failed".into(),
                        });
                    }
                }
            }
            _ => {
                self.end(false);
                self.emit(SignalingEvent::Failed {
                    session: self.session.clone(),
                    code,
                    reason: reason_phrase(response),
                });
            }
        }
    }

    /// 101–199: an early dialog when it has a To tag; the CANCEL the user asked for goes
    /// now, else the domain hears of the progress.
    fn on_provisional(&mut self, ctx: &CallContext<'_>, code: u16, response: &Message) {
        let Role::Caller {
            provisional,
            cancel_pending,
            ..
        } = &mut self.role
        else {
            return;
        };
        *provisional = true;
        let cancel_now = std::mem::take(cancel_pending);
        if self.dialog.is_none()
            && response
                .to_header()
                .ok()
                .and_then(|t| t.tag().map(str::to_owned))
                .is_some()
        {
            self.dialog = Dialog::from_response(&self.invite, response)
                .ok()
                .map(|mut dialog| {
                    route_through_outbound_proxy(ctx.account, &mut dialog);
                    dialog
                });
        }
        if cancel_now {
            self.send_cancel();
        } else {
            self.emit(SignalingEvent::Progress {
                session: self.session.clone(),
                code,
                sdp: sdp_body(response),
            });
        }
    }

    /// A 2xx to our INVITE: ACK it (again, for a retransmission); the call is answered,
    /// unless the user gave up meanwhile (then it is ended at once).
    fn on_invite_ok(&mut self, now: Instant, ctx: &mut CallContext<'_>, response: &Message) {
        let Role::Caller { ack, cancelled, .. } = &self.role else {
            return;
        };
        if let Some(bytes) = ack.clone() {
            // A retransmitted 2xx: our ACK was lost; send it again.
            let peer = self.dialog_peer(ctx);
            self.outputs.push_back(CallOutput::Transmit { peer, bytes });
            return;
        }
        let hang_up_at_once = *cancelled;
        let Ok(mut dialog) = Dialog::from_response(&self.invite, response) else {
            warn!(target: "sip", session = %self.session, "2xx without a usable To tag or Contact");
            return;
        };
        dialog.update_target(response);
        route_through_outbound_proxy(ctx.account, &mut dialog);
        let seq = self.invite.cseq().map(|c| c.seq).unwrap_or(1);
        let mut ack_message = dialog.ack(seq);
        self.dialog = Some(dialog);
        let peer = self.dialog_peer(ctx);
        let via = ctx.via(peer.transport);
        ack_message.headers.push_front(HeaderName::Via, via);
        let bytes = ack_message.to_bytes();
        self.outputs.push_back(CallOutput::Transmit {
            peer,
            bytes: bytes.clone(),
        });
        if let Role::Caller { ack, .. } = &mut self.role {
            *ack = Some(bytes);
        }
        if hang_up_at_once {
            // Answered while we were giving up (the 200 OK crossed our CANCEL): the user
            // has left the call, so acknowledge it and end it; the domain hears nothing.
            let _ = self.hang_up(ctx);
            return;
        }
        if let Some((seconds, refresher)) = session_timer::parse_session_expires(response) {
            self.session_expires = Some(seconds);
            if refresher.as_deref() != Some("uas") {
                self.refresh_at = Some(now + session_timer::refresh_in(seconds));
            }
        }
        self.emit(SignalingEvent::Answered {
            session: self.session.clone(),
            sdp: sdp_body(response),
        });
    }

    /// CANCEL of our INVITE, in a transaction of its own that shares the INVITE's branch.
    fn send_cancel(&mut self) {
        let invite = &self.invite;
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
        self.outputs.push_back(CallOutput::Request {
            message: cancel,
            peer: self.peer,
            owner: Owner::Server,
        });
    }

    /// Gives up on our INVITE (CANCEL), now or as soon as the callee has answered 1xx; a
    /// call already answered is ended with BYE.
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] for a callee.
    pub(in crate::endpoint) fn cancel(
        &mut self,
        ctx: &mut CallContext<'_>,
    ) -> Result<(), SignalingError> {
        match &mut self.role {
            Role::Caller { ack: Some(_), .. } => self.hang_up(ctx),
            Role::Caller {
                provisional: true,
                cancelled,
                ..
            } => {
                *cancelled = true;
                self.send_cancel();
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
                session: self.session.clone(),
                action: "cancel",
            }),
        }
    }
}
