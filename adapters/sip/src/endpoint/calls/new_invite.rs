//! A new INVITE for one of our accounts, until it is a call: its checks (content type,
//! `Accept`, the refusals of `invite_checks.rs`, From and To), the call a `Replaces` names
//! (RFC 3891), its server transaction; then the call is the call's.

use std::time::Instant;

use wink_ports::{SessionId, SignalingEvent, SipUri};

use crate::dialog::Dialog;
use crate::endpoint::call::{Call, CallContext, IncomingInvite, sdp_body};
use crate::endpoint::{Endpoint, Owner, Peer};
use crate::message::{HeaderName, Message, Rejection};

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
        let Ok(dialog) = Dialog::from_request(&request, &local_tag) else {
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
        let Some(server) = self.start_server(now, from, &request, Owner::Incoming(session.clone()))
        else {
            return;
        };
        let offer = sdp_body(&request);
        let incoming = IncomingInvite {
            session: session.clone(),
            account: account.clone(),
            request,
            from,
            server,
            local_tag,
            dialog,
        };
        let ctx = CallContext::new(
            &account,
            &self.accounts,
            &self.public_contacts,
            &self.locals,
            &mut self.ids,
            &self.user_agent,
        );
        let call = Call::incoming(now, &ctx, incoming);
        self.add_call(now, call);
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
        self.calls
            .iter()
            .find(|(_, call)| call.is_dialog(call_id, to_tag, from_tag))
            .map(|(session, _)| session.clone())
    }
}
