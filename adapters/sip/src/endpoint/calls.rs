//! Calls: INVITE dialogs as caller and callee — early media, late offer (an INVITE without
//! SDP is answered with our offer in the 200 OK), CANCEL with `Reason` (RFC 3326), 603 vs
//! 486, BYE, re-INVITE, and the ACK of 2xx responses.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use tracing::{debug, warn};
use wink_ports::{
    AccountId, InviteRequest, Reason, Sdp, SessionId, SignalingError, SignalingEvent, SipUri,
    StatusCode,
};

use super::outbound_route::route_through_outbound_proxy;
use super::reinvites::IncomingReinvite;
use super::session_timer;
use super::{Endpoint, EndpointOutput, Entry, Owner, Peer, TransportKind};
use crate::dialog::Dialog;
use crate::message::{CSeq, HeaderName, Message, Method, NameAddr, Rejection, StartLine};
use crate::transaction::{Event, Input, ServerInvite, Transaction, TransactionKey, response_to};

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

/// One call.
#[derive(Debug)]
pub(super) struct Call {
    pub(super) account: AccountId,
    /// Our INVITE as sent (caller) or theirs as received (callee).
    pub(super) invite: Message,
    pub(super) dialog: Option<Dialog>,
    /// The next hop (caller) or where the INVITE came from (callee).
    pub(super) peer: Peer,
    pub(super) role: Role,
    /// The session-timer interval agreed, if any (RFC 4028).
    pub(super) session_expires: Option<u32>,
    /// When we refresh the session next (we are the refresher).
    pub(super) refresh_at: Option<Instant>,
    /// Their re-INVITE, until its ACK.
    pub(super) incoming_reinvite: Option<IncomingReinvite>,
    /// Our re-INVITE has no final response yet.
    pub(super) reinviting: bool,
    /// The offer of our last re-INVITE (sent again after a 491).
    pub(super) last_offer: Option<Sdp>,
    /// A re-INVITE refused with 491, to send again at this time.
    pub(super) retry_reinvite: Option<(Instant, Sdp)>,
}

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

/// A peer for a URI whose host is an IP address; `None` for names (the caller falls back to
/// the account's next hop).
pub(super) fn peer_for_uri(uri: &str) -> Option<Peer> {
    let uri = SipUri::parse(uri).ok()?;
    let ip: IpAddr = uri.host().trim_matches(['[', ']']).parse().ok()?;
    let transport = match uri
        .param("transport")
        .flatten()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("tcp") => TransportKind::Tcp,
        Some("tls") => TransportKind::Tls,
        _ => TransportKind::Udp,
    };
    Some(Peer {
        addr: SocketAddr::new(ip, uri.port().unwrap_or(5060)),
        transport,
    })
}

pub(super) fn sdp_body(message: &Message) -> Option<Sdp> {
    (!message.body.is_empty())
        .then(|| Sdp::new(String::from_utf8_lossy(&message.body).into_owned()))
}

impl Endpoint {
    fn call(&mut self, session: &SessionId) -> Result<&mut Call, SignalingError> {
        self.calls
            .get_mut(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))
    }

    pub(super) fn emit(&mut self, event: SignalingEvent) {
        self.outputs.push_back(EndpointOutput::Event(event));
    }

    /// Where in-dialog requests of a call go: the outbound proxy when the account has one,
    /// else the first Route or the remote target when it is an IP address.
    pub(super) fn dialog_peer(&self, call: &Call) -> Peer {
        self.in_dialog_peer(&call.account, call.dialog.as_ref(), call.peer)
    }

    /// Where in-dialog requests of `account` go: to its outbound proxy when it has one,
    /// else the dialog's first hop, else `fallback`.
    pub(super) fn in_dialog_peer(
        &self,
        account: &AccountId,
        dialog: Option<&Dialog>,
        fallback: Peer,
    ) -> Peer {
        let account_hop = self
            .accounts
            .get(account)
            .map(|a| (a.next_hop, a.route.is_some()));
        match (account_hop, dialog) {
            (Some((hop, true)), _) => hop,
            (hop, Some(dialog)) => peer_for_uri(&dialog.first_hop())
                .or(hop.map(|h| h.0))
                .unwrap_or(fallback),
            (hop, None) => hop.map_or(fallback, |h| h.0),
        }
    }

    pub(super) fn with_body(message: &mut Message, sdp: Option<&Sdp>) {
        if let Some(sdp) = sdp {
            message
                .headers
                .set(HeaderName::ContentType, "application/sdp");
            message.body = sdp.as_str().as_bytes().to_vec();
        }
    }

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
        Self::with_body(&mut invite, request.offer.as_ref());
        let peer = binding.first_hop(&request.target.to_string());
        let sent = self.start_client(now, invite, peer, Owner::Invite(request.session.clone()));
        let role = Role::Caller {
            provisional: false,
            cancel_pending: false,
            cancelled: false,
            ack: None,
        };
        self.calls.insert(
            request.session,
            Call {
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
            },
        );
        Ok(())
    }

    /// A response to our INVITE.
    pub(super) fn on_invite_event(&mut self, now: Instant, session: &SessionId, event: Event) {
        let response = match event {
            Event::Response(response) => response,
            Event::Timeout => {
                if self.retry_invite_elsewhere(now, session) {
                    return;
                }
                self.calls.remove(session);
                return self.emit(SignalingEvent::Failed {
                    session: session.clone(),
                    code: 408,
                    reason: "no response".into(),
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
    fn retry_invite_elsewhere(&mut self, now: Instant, session: &SessionId) -> bool {
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
        if !self.fail_over(now, &account) {
            return false;
        }
        let Some(peer) = self.accounts.get(&account).map(|a| a.next_hop) else {
            return false;
        };
        let mut invite = self.calls.get(session).expect("present").invite.clone();
        invite.headers.remove(&HeaderName::Via);
        let sent = self.start_client(now, invite, peer, Owner::Invite(session.clone()));
        if let Some(call) = self.calls.get_mut(session) {
            call.invite = sent;
            call.peer = peer;
        }
        true
    }

    fn on_invite_ok(&mut self, now: Instant, session: &SessionId, response: &Message) {
        let Some(call) = self.calls.get_mut(session) else {
            return;
        };
        let Role::Caller { ack, cancelled, .. } = &mut call.role else {
            return;
        };
        if let Some(bytes) = ack.clone() {
            // A retransmitted 2xx: our ACK was lost; send it again.
            let peer = self.dialog_peer(self.calls.get(session).expect("present"));
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
        let peer = self.dialog_peer(self.calls.get(session).expect("present"));
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

    fn send_cancel(&mut self, now: Instant, session: &SessionId) {
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
        let call = self.call(session)?;
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
        let call = self.call(session)?;
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
        let peer = self.dialog_peer(self.calls.get(session).expect("present"));
        self.start_client(now, invite, peer, Owner::ReInvite(session.clone()));
        if let Some(call) = self.calls.get_mut(session) {
            call.reinviting = true;
            call.last_offer = Some(offer.clone());
        }
        Ok(())
    }

    /// The answer to our re-INVITE: acknowledge a 2xx.
    pub(super) fn on_reinvite_event(&mut self, now: Instant, session: &SessionId, event: Event) {
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

    /// A new INVITE for one of our accounts.
    pub(super) fn on_new_invite(&mut self, now: Instant, from: Peer, request: Message) {
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
    fn replaced_session(&self, raw: &str) -> Option<SessionId> {
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
    pub(super) fn start_server(
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
    fn callee_response(&self, call: &Call, code: u16, reason: &str, sdp: Option<&Sdp>) -> Message {
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
        Self::with_body(&mut response, sdp);
        response
    }

    pub(super) fn respond_in(&mut self, now: Instant, key: &TransactionKey, response: Message) {
        if let Some(entry) = self.transactions.get_mut(key) {
            entry.transaction.handle(now, Input::Respond(response));
        }
        self.drain_transaction(now, key);
    }

    /// The server transaction of an incoming call not answered yet.
    fn unanswered_invite(
        &mut self,
        session: &SessionId,
        action: &'static str,
    ) -> Result<TransactionKey, SignalingError> {
        match &self.call(session)?.role {
            Role::Callee {
                server,
                answered: false,
                ..
            } => Ok(server.clone()),
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
        let key = self.unanswered_invite(session, "ring")?;
        let response = self.callee_response(
            self.calls.get(session).expect("present"),
            180,
            "Ringing",
            None,
        );
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
        if self.answer_reinvite(now, session, sdp.as_ref()) {
            return Ok(());
        }
        let call = self.call(session)?;
        match &call.role {
            Role::Callee {
                server,
                answered: false,
                ..
            } => {
                let key = server.clone();
                let call = self.calls.get(session).expect("present");
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
            _ => Err(SignalingError::InvalidState {
                session: session.clone(),
                action: "answer",
            }),
        }
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
        let key = self.unanswered_invite(session, "reject")?;
        let reason = match status.0 {
            486 => "Busy Here",
            603 => "Decline",
            480 => "Temporarily Unavailable",
            488 => "Not Acceptable Here",
            _ => "Rejected",
        };
        let response = self.callee_response(
            self.calls.get(session).expect("present"),
            status.0,
            reason,
            None,
        );
        self.calls.remove(session);
        self.respond_in(now, &key, response);
        Ok(())
    }

    /// Events of an incoming INVITE's server transaction.
    pub(super) fn on_incoming_event(&mut self, now: Instant, session: &SessionId, event: Event) {
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

    /// An ACK outside any transaction: the ACK of our 2xx (it has its own branch).
    pub(super) fn on_dialog_ack(&mut self, now: Instant, ack: Message) {
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

    /// A CANCEL: stop the INVITE it names with 487 and report the `Reason`.
    pub(super) fn on_cancel(&mut self, now: Instant, from: Peer, cancel: Message) {
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

    /// A request inside one of our dialogs (BYE, re-INVITE, INFO, …).
    pub(super) fn on_in_dialog(&mut self, now: Instant, from: Peer, request: Message) {
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
            Method::Info if super::dtmf_info::is_dtmf_relay(&request) => {
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
            _ => {
                let rejection = Rejection {
                    code: 501,
                    reason: "Not Implemented".into(),
                    headers: vec![(HeaderName::Allow, crate::ALLOW.into())],
                };
                self.respond_new(now, from, &request, rejection);
            }
        }
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
