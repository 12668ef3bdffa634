//! Requests and responses from the network: checked, matched to transactions, answered.

use std::time::Instant;

use tracing::{debug, warn};
use wink_ports::{AccountId, SignalingEvent, SipUri};

use super::{Endpoint, Entry, Owner, Peer};
use crate::message::{
    HeaderName, Message, Method, ParseError, Rejection, StartLine, parse, validate_request,
    validate_response,
};
use crate::transaction::{
    Input, ServerInvite, ServerNonInvite, Transaction, TransactionKey, response_to,
};

/// What we accept in MESSAGE bodies.
const ACCEPT_TEXT: &str = "text/plain";
/// Extensions we support (a `Require` naming another gets 420).
const SUPPORTED: &[&str] = &["timer", "replaces"];

impl Endpoint {
    /// Handles bytes received from `from`. Never panics, whatever the bytes.
    pub fn handle_received(&mut self, now: Instant, from: Peer, bytes: &[u8]) {
        let message = match parse(bytes) {
            Ok(message) => message,
            Err(ParseError::Empty) => return,
            Err(error) => return self.answer_unparsable(now, from, bytes, &error),
        };
        if message.is_request() {
            self.on_request(now, from, message);
        } else {
            self.on_response(now, message);
        }
    }

    fn on_response(&mut self, now: Instant, response: Message) {
        if let Err(reason) = validate_response(&response) {
            debug!(target: "sip", %reason, "malformed response dropped");
            return;
        }
        let Some(key) = TransactionKey::for_response(&response) else {
            return;
        };
        let Some(entry) = self.transactions.get_mut(&key) else {
            debug!(target: "sip", "response matches no transaction; dropped");
            return;
        };
        entry.transaction.handle(now, Input::Received(response));
        self.drain_transaction(now, &key);
    }

    /// Marks the top Via with where the request really came from (RFC 3261 §18.2.1, RFC 3581).
    fn stamp_via(request: &mut Message, from: Peer) {
        let Ok(mut via) = request.top_via() else {
            return;
        };
        if via.param("rport").is_some() {
            via.set_param("rport", Some(&from.addr.port().to_string()));
        }
        if via.host.trim_matches(['[', ']']) != from.addr.ip().to_string()
            || via.param("rport").is_some()
        {
            via.set_param("received", Some(&from.addr.ip().to_string()));
        }
        // Replace the first Via value (which may share a line with others).
        let mut values: Vec<String> = request
            .headers
            .list(&HeaderName::Via)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if let Some(first) = values.first_mut() {
            *first = via.to_string();
        }
        request.headers.remove(&HeaderName::Via);
        for value in values {
            request.headers.push(HeaderName::Via, value);
        }
    }

    fn on_request(&mut self, now: Instant, from: Peer, mut request: Message) {
        if let Err(rejection) = validate_request(&request) {
            warn!(target: "sip", code = rejection.code, reason = %rejection.reason, "request refused");
            if request.method() != Some(Method::Ack) && request.top_via().is_ok() {
                Self::stamp_via(&mut request, from);
                self.respond_new(now, from, &request, rejection);
            }
            return;
        }
        Self::stamp_via(&mut request, from);
        let Some(key) = TransactionKey::for_request(&request) else {
            let rejection = Rejection::bad_request("Via branch must start with z9hG4bK");
            return self.respond_new(now, from, &request, rejection);
        };
        if let Some(entry) = self.transactions.get_mut(&key) {
            entry.transaction.handle(now, Input::Received(request));
            return self.drain_transaction(now, &key);
        }
        let method = request.method().unwrap_or(Method::Other(String::new()));
        if method == Method::Ack {
            return self.on_dialog_ack(now, request);
        }
        if let Some(rejection) = unsupported_requirements(&request) {
            return self.respond_new(now, from, &request, rejection);
        }
        if method == Method::Cancel {
            return self.on_cancel(now, from, request);
        }
        let in_dialog = request
            .to_header()
            .ok()
            .is_some_and(|to| to.tag().is_some());
        if in_dialog {
            return self.on_in_dialog(now, from, request);
        }
        if self.refused_for_load(from, &request) {
            return;
        }
        match method {
            Method::Options => {
                let mut response = response_to(&request, 200, "OK");
                tag_to(&mut self.ids, &mut response);
                response.headers.push(HeaderName::Allow, crate::ALLOW);
                response.headers.push(
                    HeaderName::Accept,
                    format!("application/sdp, {ACCEPT_TEXT}"),
                );
                response
                    .headers
                    .push(HeaderName::UserAgent, self.user_agent.clone());
                self.respond_with(now, from, &request, response);
            }
            Method::Message => self.on_message(now, from, &request),
            Method::Bye | Method::Notify | Method::Refer | Method::Info | Method::Update => {
                let rejection = Rejection::no_such_call();
                self.respond_new(now, from, &request, rejection);
            }
            Method::Invite => self.on_new_invite(now, from, request),
            Method::Register => {
                // A user agent is not a registrar (RFC 3261 §8.2.1, RFC 4475 §3.3.7).
                let rejection = Rejection {
                    code: 405,
                    reason: "Method Not Allowed".into(),
                    headers: vec![(HeaderName::Allow, crate::ALLOW.into())],
                };
                self.respond_new(now, from, &request, rejection);
            }
            _ => self.respond_new(now, from, &request, Rejection::not_implemented()),
        }
    }

    /// Which account a request is for: by the Request-URI's user (our Contact token or the
    /// account's user name).
    pub(super) fn account_for(&self, request: &Message) -> Option<AccountId> {
        let StartLine::Request { uri, .. } = &request.start else {
            return None;
        };
        let uri = SipUri::parse(uri).ok()?;
        let user = uri.user()?;
        self.accounts
            .values()
            .find(|a| a.contact_user == user)
            .or_else(|| self.accounts.values().find(|a| a.aor_user() == user))
            .map(|a| a.account.clone())
    }

    fn on_message(&mut self, now: Instant, from: Peer, request: &Message) {
        let content_type = request
            .headers
            .get(&HeaderName::ContentType)
            .unwrap_or("text/plain")
            .to_owned();
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime == "application/im-iscomposing+xml" {
            // Typing notifications: acknowledged, not shown as messages.
            let mut ok = response_to(request, 200, "OK");
            tag_to(&mut self.ids, &mut ok);
            return self.respond_with(now, from, request, ok);
        }
        if !mime.starts_with("text/") {
            let rejection = Rejection {
                code: 415,
                reason: "Unsupported Media Type".into(),
                headers: vec![(HeaderName::Accept, ACCEPT_TEXT.into())],
            };
            return self.respond_new(now, from, request, rejection);
        }
        let Ok(body) = String::from_utf8(request.body.clone()) else {
            return self.respond_new(
                now,
                from,
                request,
                Rejection::bad_request("Message body is not UTF-8"),
            );
        };
        let Some(account) = self.account_for(request) else {
            let rejection = Rejection {
                code: 404,
                reason: "Not Found".into(),
                headers: vec![],
            };
            return self.respond_new(now, from, request, rejection);
        };
        let Ok(sender) = request.from_header().map(|f| f.uri).and_then(|u| {
            SipUri::parse(&u).map_err(|_| crate::message::TypedError::Malformed("From"))
        }) else {
            return self.respond_new(
                now,
                from,
                request,
                Rejection::bad_request("From must be a sip: address"),
            );
        };
        let mut ok = response_to(request, 200, "OK");
        tag_to(&mut self.ids, &mut ok);
        self.respond_with(now, from, request, ok);
        self.outputs.push_back(super::EndpointOutput::Event(
            SignalingEvent::MessageReceived {
                account,
                from: sender,
                content_type,
                body,
            },
        ));
    }

    /// Answers a new request with an error through a server transaction (so retransmissions
    /// get the same answer).
    pub(super) fn respond_new(
        &mut self,
        now: Instant,
        from: Peer,
        request: &Message,
        rejection: Rejection,
    ) {
        let response = rejection_response(&mut self.ids, request, rejection);
        self.respond_with(now, from, request, response);
    }

    pub(super) fn respond_with(
        &mut self,
        now: Instant,
        from: Peer,
        request: &Message,
        response: Message,
    ) {
        let reliability = from.transport.reliability();
        let transaction = if request.method() == Some(Method::Invite) {
            Transaction::ServerInvite(ServerInvite::new(request, reliability, self.timers))
        } else {
            Transaction::ServerNonInvite(ServerNonInvite::new(reliability, self.timers))
        };
        let Some(key) = TransactionKey::for_request(request) else {
            // No usable branch: answer once, statelessly.
            self.outputs.push_back(super::EndpointOutput::Transmit {
                peer: from,
                bytes: response.to_bytes(),
            });
            return;
        };
        let mut entry = Entry::new(transaction, from, Owner::Server);
        entry.transaction.handle(now, Input::Respond(response));
        self.transactions.insert(key.clone(), entry);
        self.drain_transaction(now, &key);
    }

    /// A server transaction for `request` (INVITE or not; an INVITE's sends 100 Trying),
    /// answered later with [`Endpoint::respond_in`]; its key, or `None` for a request
    /// without a usable branch.
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
            Transaction::ServerNonInvite(ServerNonInvite::new(reliability, self.timers))
        };
        self.transactions
            .insert(key.clone(), Entry::new(transaction, from, owner));
        self.drain_transaction(now, &key);
        Some(key)
    }

    /// Sends `response` on the server transaction `key`.
    pub(super) fn respond_in(&mut self, now: Instant, key: &TransactionKey, response: Message) {
        if let Some(entry) = self.transactions.get_mut(key) {
            entry.transaction.handle(now, Input::Respond(response));
        }
        self.drain_transaction(now, key);
    }

    /// A request that does not even parse: salvage its Via, From, To, Call-ID and CSeq to
    /// answer 400 (or 505 for another SIP version, 513 when too large). Responses are dropped.
    fn answer_unparsable(&mut self, _now: Instant, from: Peer, bytes: &[u8], error: &ParseError) {
        warn!(target: "sip", %error, bytes = bytes.len(), "unparsable message");
        let text =
            String::from_utf8_lossy(&bytes[..bytes.len().min(crate::message::MAX_MESSAGE_SIZE)]);
        // Responses and ACKs are never answered, even malformed (RFC 3261 §17.2.1).
        if text.trim_start().starts_with("SIP/") || text.trim_start().starts_with("ACK ") {
            return;
        }
        let mut salvaged = Message::request(Method::Options, "sip:invalid");
        let wanted = [
            HeaderName::Via,
            HeaderName::From,
            HeaderName::To,
            HeaderName::CallId,
            HeaderName::CSeq,
        ];
        for line in text.split('\n').skip(1).take(crate::message::MAX_HEADERS) {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let name = HeaderName::parse(name.trim());
                if wanted.contains(&name) && salvaged.headers.count(&name) == 0 {
                    salvaged.headers.push(name, value.trim());
                }
            }
        }
        if salvaged.top_via().is_err() {
            return;
        }
        Self::stamp_via(&mut salvaged, from);
        let mut response = response_to(&salvaged, error.status(), &reason_phrase(error));
        tag_to(&mut self.ids, &mut response);
        self.outputs.push_back(super::EndpointOutput::Transmit {
            peer: from,
            bytes: response.to_bytes(),
        });
    }
}

fn reason_phrase(error: &ParseError) -> String {
    match error {
        ParseError::BadVersion(_) => "Version Not Supported".into(),
        ParseError::TooLarge(_) => "Message Too Large".into(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or(text)
        }
    }
}

/// The response that refuses `request` (with a To tag, drawn from `ids` if it has none).
pub(super) fn rejection_response(
    ids: &mut super::Ids,
    request: &Message,
    rejection: Rejection,
) -> Message {
    let mut response = response_to(request, rejection.code, &rejection.reason);
    tag_to(ids, &mut response);
    for (name, value) in rejection.headers {
        response.headers.push(name, value);
    }
    response
}

/// Adds a To tag to a response that has none (every final response to an out-of-dialog
/// request needs one).
pub(super) fn tag_to(ids: &mut super::Ids, response: &mut Message) {
    if let Ok(mut to) = response.to_header()
        && to.tag().is_none()
    {
        to.set_param("tag", Some(&ids.tag()));
        response.headers.set(HeaderName::To, to.to_string());
    }
}

/// A 420 for a `Require` we do not support.
fn unsupported_requirements(request: &Message) -> Option<Rejection> {
    let unknown: Vec<&str> = request
        .headers
        .list(&HeaderName::Require)
        .into_iter()
        .filter(|option| !SUPPORTED.iter().any(|s| s.eq_ignore_ascii_case(option)))
        .collect();
    (!unknown.is_empty()).then(|| Rejection {
        code: 420,
        reason: "Bad Extension".into(),
        headers: vec![(HeaderName::Unsupported, unknown.join(", "))],
    })
}
