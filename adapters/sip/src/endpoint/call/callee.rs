//! The callee's side of a call: 180, 200 with our answer (or our offer, for an INVITE
//! without one), refusals (603, 486, …), their CANCEL of an INVITE we have not answered,
//! and the ACK of our 200 (or its absence). Whether a new INVITE becomes a call at all
//! (its checks, `Replaces`, merged requests, the cap on ringing calls) is the endpoint's.

use std::collections::VecDeque;
use std::time::Instant;

use tracing::warn;
use wink_ports::{AccountId, Reason, Sdp, SessionId, SignalingError, SignalingEvent, StatusCode};

use super::{Call, CallContext, CallOutput, Role, sdp_body, with_body};
use crate::dialog::Dialog;
use crate::endpoint::outbound_route::route_through_outbound_proxy;
use crate::endpoint::{Peer, session_timer};
use crate::message::{HeaderName, Message};
use crate::transaction::{Event, TransactionKey, response_to};

/// Parses `SIP ;cause=200 ;text="Call completed elsewhere"` (RFC 3326).
fn parse_reason(raw: &str) -> Option<Reason> {
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

/// A new INVITE that becomes a call, as the endpoint accepted it.
#[derive(Debug)]
pub(in crate::endpoint) struct IncomingInvite {
    /// The session the domain will know it by.
    pub(in crate::endpoint) session: SessionId,
    /// The account it is for.
    pub(in crate::endpoint) account: AccountId,
    /// The INVITE.
    pub(in crate::endpoint) request: Message,
    /// Where it came from.
    pub(in crate::endpoint) from: Peer,
    /// Its server transaction (100 Trying has gone out).
    pub(in crate::endpoint) server: TransactionKey,
    /// Our To tag.
    pub(in crate::endpoint) local_tag: String,
    /// The dialog our answer makes.
    pub(in crate::endpoint) dialog: Dialog,
}

impl Call {
    /// A call we received: RFC 4028's refresher is the caller, unless it asked us to be
    /// (then we refresh, halfway through the interval).
    pub(in crate::endpoint) fn incoming(
        now: Instant,
        ctx: &CallContext<'_>,
        invite: IncomingInvite,
    ) -> Self {
        let IncomingInvite {
            session,
            account,
            request,
            from,
            server,
            local_tag,
            mut dialog,
        } = invite;
        let (session_expires, refresh_at) = match session_timer::parse_session_expires(&request) {
            Some((seconds, Some(refresher))) if refresher == "uas" => (
                Some(seconds),
                Some(now + session_timer::refresh_in(seconds)),
            ),
            Some((seconds, _)) => (Some(seconds), None),
            None => (None, None),
        };
        route_through_outbound_proxy(ctx.account, &mut dialog);
        Self {
            session,
            account,
            invite: request,
            dialog: Some(dialog),
            peer: from,
            role: Role::Callee {
                server,
                local_tag,
                answered: false,
            },
            session_expires,
            refresh_at,
            incoming_reinvite: None,
            reinviting: false,
            last_offer: None,
            retry_reinvite: None,
            dtmf_info: Default::default(),
            outputs: VecDeque::new(),
        }
    }

    /// Whether we received this call and have not answered it yet.
    pub(in crate::endpoint) fn is_ringing(&self) -> bool {
        matches!(
            self.role,
            Role::Callee {
                answered: false,
                ..
            }
        )
    }

    /// The server transaction of the INVITE we received (`None` for a call we placed).
    pub(in crate::endpoint) fn server_key(&self) -> Option<&TransactionKey> {
        match &self.role {
            Role::Callee { server, .. } => Some(server),
            Role::Caller { .. } => None,
        }
    }

    /// A response from us to their INVITE, with our tag and Contact.
    fn callee_response(
        &self,
        ctx: &CallContext<'_>,
        code: u16,
        reason: &str,
        sdp: Option<&Sdp>,
    ) -> Message {
        let mut response = response_to(&self.invite, code, reason);
        if let Role::Callee { local_tag, .. } = &self.role
            && let Ok(mut to) = response.to_header()
        {
            to.set_param("tag", Some(local_tag));
            response.headers.set(HeaderName::To, to.to_string());
        }
        if code > 100 && code < 300 {
            if let Some(contact) = ctx.contact() {
                response
                    .headers
                    .push(HeaderName::Contact, format!("<{contact}>"));
            }
            response
                .headers
                .copy_from(&self.invite.headers, &HeaderName::RecordRoute);
        }
        if (200..300).contains(&code) {
            response.headers.push(HeaderName::Allow, crate::ALLOW);
            if let Some(seconds) = self.session_expires {
                let refresher = if self.refresh_at.is_some() {
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

    /// The INVITE's server transaction, while the call is not answered.
    fn unanswered(&self, action: &'static str) -> Result<TransactionKey, SignalingError> {
        match &self.role {
            Role::Callee {
                server,
                answered: false,
                ..
            } => Ok(server.clone()),
            _ => Err(SignalingError::InvalidState {
                session: self.session.clone(),
                action,
            }),
        }
    }

    /// Sends 180 Ringing.
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] once answered, or for a call we placed.
    pub(in crate::endpoint) fn ring(
        &mut self,
        ctx: &CallContext<'_>,
    ) -> Result<(), SignalingError> {
        let key = self.unanswered("ring")?;
        let response = self.callee_response(ctx, 180, "Ringing", None);
        self.outputs
            .push_back(CallOutput::Respond { key, response });
        Ok(())
    }

    /// Answers with 200 OK: their re-INVITE waiting for our answer, else the INVITE (our
    /// answer, or our offer for a late offer).
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] with nothing to answer.
    pub(in crate::endpoint) fn answer(
        &mut self,
        ctx: &CallContext<'_>,
        sdp: Option<&Sdp>,
    ) -> Result<(), SignalingError> {
        if self.answer_reinvite(ctx, sdp) {
            return Ok(());
        }
        let key = self.unanswered("answer")?;
        let response = self.callee_response(ctx, 200, "OK", sdp);
        self.outputs
            .push_back(CallOutput::Respond { key, response });
        if let Role::Callee { answered, .. } = &mut self.role {
            *answered = true;
        }
        Ok(())
    }

    /// Refuses their INVITE with a final status (603 Decline, 486 Busy Here, …); the call
    /// is over.
    ///
    /// # Errors
    /// [`SignalingError::BadStatus`] for a status that is no refusal,
    /// [`SignalingError::InvalidState`] once answered.
    pub(in crate::endpoint) fn reject(
        &mut self,
        ctx: &CallContext<'_>,
        status: StatusCode,
    ) -> Result<(), SignalingError> {
        if !(300..=699).contains(&status.0) {
            return Err(SignalingError::BadStatus(status.0));
        }
        let key = self.unanswered("reject")?;
        let reason = match status.0 {
            486 => "Busy Here",
            603 => "Decline",
            480 => "Temporarily Unavailable",
            488 => "Not Acceptable Here",
            _ => "Rejected",
        };
        let response = self.callee_response(ctx, status.0, reason, None);
        self.end(false);
        self.outputs
            .push_back(CallOutput::Respond { key, response });
        Ok(())
    }

    /// An event of their INVITE's server transaction: the ACK of our 200 confirms the call;
    /// none in time ends it.
    pub(in crate::endpoint) fn handle_server_event(
        &mut self,
        ctx: &mut CallContext<'_>,
        event: Event,
    ) {
        match event {
            Event::Acked(ack) => self.emit(SignalingEvent::Confirmed {
                session: self.session.clone(),
                sdp: sdp_body(&ack),
            }),
            Event::AckTimeout => {
                warn!(target: "sip", session = %self.session, "our 200 OK was never acknowledged; ending the call");
                let _ = self.hang_up(ctx);
                self.emit(SignalingEvent::HungUp {
                    session: self.session.clone(),
                });
            }
            _ => {}
        }
    }

    /// Their CANCEL of the INVITE: 200 to it, and unless we answered already, 487 to the
    /// INVITE; the domain hears the `Reason`.
    pub(in crate::endpoint) fn handle_cancel(
        &mut self,
        ctx: &CallContext<'_>,
        from: Peer,
        cancel: Message,
    ) {
        let mut ok = response_to(&cancel, 200, "OK");
        if let Ok(mut to) = ok.to_header() {
            if let Role::Callee { local_tag, .. } = &self.role {
                to.set_param("tag", Some(local_tag));
            }
            ok.headers.set(HeaderName::To, to.to_string());
        }
        let reason = cancel
            .headers
            .get(&HeaderName::Reason)
            .and_then(parse_reason);
        self.reply(from, cancel, ok);
        let Role::Callee {
            server, answered, ..
        } = &self.role
        else {
            return;
        };
        if *answered {
            return;
        }
        let key = server.clone();
        self.end(false);
        let response = self.callee_response(ctx, 487, "Request Terminated", None);
        self.outputs
            .push_back(CallOutput::Respond { key, response });
        self.emit(SignalingEvent::Cancelled {
            session: self.session.clone(),
            reason,
        });
    }
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
