//! REFER (RFC 3515) inside a call: sending one (transferor), taking one (transferee), and
//! the NOTIFYs with `message/sipfrag` that report how the transferred call goes.

use std::time::Instant;

use tracing::debug;
use wink_ports::{SessionId, SignalingError, SignalingEvent, SipUri, TransferTarget};

use super::{Endpoint, EndpointOutput, Owner, Peer};
use crate::message::{HeaderName, Message, Method, NameAddr, Rejection, StartLine};
use crate::transaction::{Event, response_to};

/// Escapes a value for a URI header (`?name=value`): everything but unreserved characters.
fn escape_header_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Undoes `%XX` escapes (invalid escapes are kept as written).
fn unescape_header_value(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| value.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The status line of a `message/sipfrag` body: `SIP/2.0 200 OK`.
fn sipfrag_status(body: &[u8]) -> Option<(u16, String)> {
    let text = std::str::from_utf8(body).ok()?;
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0 ")?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let code: u16 = code.parse().ok().filter(|c| (100..700).contains(c))?;
    Some((code, reason.to_owned()))
}

impl Endpoint {
    pub(super) fn in_dialog_request(
        &mut self,
        session: &SessionId,
        method: Method,
    ) -> Result<(Message, Peer), SignalingError> {
        let call = self
            .calls
            .get_mut(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))?;
        let dialog = call
            .dialog
            .as_mut()
            .ok_or_else(|| SignalingError::InvalidState {
                session: session.clone(),
                action: "transfer",
            })?;
        let request = dialog.request(method);
        let peer = super::calls::call_peer(&self.accounts, call);
        Ok((request, peer))
    }

    /// Asks the remote party to call `target` (REFER with Refer-To and Referred-By); for an
    /// attended transfer the Refer-To carries a `Replaces` naming our other call.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`] without a dialog,
    pub fn transfer(
        &mut self,
        now: Instant,
        session: &SessionId,
        target: &TransferTarget,
    ) -> Result<(), SignalingError> {
        let refer_to = match target {
            TransferTarget::Blind(uri) => format!("<{uri}>"),
            TransferTarget::Attended(other) => self.replacing_refer_to(other)?,
        };
        let account = self.calls.get(session).map(|c| c.account.clone());
        let (mut refer, peer) = self.in_dialog_request(session, Method::Refer)?;
        refer.headers.push(HeaderName::ReferTo, refer_to);
        if let Some(binding) = account.and_then(|a| self.accounts.get(&a)) {
            refer
                .headers
                .push(HeaderName::ReferredBy, format!("<{}>", binding.aor));
            refer.headers.push(
                HeaderName::Contact,
                format!("<{}>", self.contact_for(binding)),
            );
        }
        self.start_client(now, refer, peer, Owner::Refer(session.clone()));
        Ok(())
    }

    /// `<sip:target?Replaces=call-id%3Bto-tag%3D…%3Bfrom-tag%3D…>` for our call `other`
    /// (RFC 3891): the target will see its own tag as `to-tag`.
    fn replacing_refer_to(&self, other: &SessionId) -> Result<String, SignalingError> {
        let call = self
            .calls
            .get(other)
            .ok_or_else(|| SignalingError::UnknownSession(other.clone()))?;
        let dialog = call
            .dialog
            .as_ref()
            .ok_or_else(|| SignalingError::InvalidState {
                session: other.clone(),
                action: "transfer to",
            })?;
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            dialog.call_id, dialog.remote_tag, dialog.local_tag
        );
        let target = dialog
            .remote_uri
            .uri
            .split(';')
            .next()
            .unwrap_or(&dialog.remote_uri.uri)
            .to_owned();
        Ok(format!(
            "<{target}?Replaces={}>",
            escape_header_value(&replaces)
        ))
    }

    /// The answer to our REFER: an error ends the transfer attempt.
    pub(super) fn on_refer_event(&mut self, session: &SessionId, event: Event) {
        let (code, reason) = match event {
            Event::Response(response) => match response.start {
                StartLine::Response { code, reason } if code >= 300 => (code, reason),
                _ => return,
            },
            Event::Timeout => (408, "no response to the transfer request".to_owned()),
            Event::Unreachable => (503, "could not connect to send the transfer".to_owned()),
            _ => return,
        };
        self.outputs
            .push_back(EndpointOutput::Event(SignalingEvent::TransferProgress {
                session: session.clone(),
                code,
                reason,
            }));
    }

    /// Reports to the transferor how our call to the target goes.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    pub fn notify_transfer(
        &mut self,
        now: Instant,
        session: &SessionId,
        code: u16,
        reason: &str,
    ) -> Result<(), SignalingError> {
        let (mut notify, peer) = self.in_dialog_request(session, Method::Notify)?;
        notify.headers.push(HeaderName::Event, "refer");
        let state = if code >= 200 {
            "terminated;reason=noresource".to_owned()
        } else {
            "active;expires=60".to_owned()
        };
        notify.headers.push(HeaderName::SubscriptionState, state);
        notify
            .headers
            .push(HeaderName::ContentType, "message/sipfrag;version=2.0");
        notify.body = format!("SIP/2.0 {code} {reason}\r\n").into_bytes();
        self.start_client(now, notify, peer, Owner::Server);
        Ok(())
    }

    /// An in-dialog REFER: accept it (202), tell the transferor we are trying, and ask the
    /// domain to call the target.
    pub(super) fn on_refer(
        &mut self,
        now: Instant,
        from: Peer,
        session: SessionId,
        request: &Message,
    ) {
        let refer_to = request
            .headers
            .get(&HeaderName::ReferTo)
            .and_then(|raw| NameAddr::parse(raw).ok());
        let (uri, headers) = refer_to
            .as_ref()
            .map(|address| {
                address
                    .uri
                    .split_once('?')
                    .unwrap_or((address.uri.as_str(), ""))
            })
            .unwrap_or_default();
        let target = SipUri::parse(uri).ok();
        let replaces = headers.split('&').find_map(|header| {
            let (name, value) = header.split_once('=')?;
            name.eq_ignore_ascii_case("Replaces")
                .then(|| unescape_header_value(value))
        });
        let Some(target) = target else {
            return self.respond_new(
                now,
                from,
                request,
                Rejection::bad_request("Missing or malformed Refer-To header"),
            );
        };
        self.respond_with(now, from, request, response_to(request, 202, "Accepted"));
        let _ = self.notify_transfer(now, &session, 100, "Trying");
        self.outputs
            .push_back(EndpointOutput::Event(SignalingEvent::TransferRequested {
                session,
                target,
                replaces,
            }));
    }

    /// An in-dialog NOTIFY: for our REFER, report the status it carries.
    pub(super) fn on_notify(
        &mut self,
        now: Instant,
        from: Peer,
        session: SessionId,
        request: &Message,
    ) {
        self.respond_with(now, from, request, response_to(request, 200, "OK"));
        let is_refer = request
            .headers
            .get(&HeaderName::Event)
            .is_some_and(|e| e.trim().to_ascii_lowercase().starts_with("refer"));
        match (is_refer, sipfrag_status(&request.body)) {
            (true, Some((code, reason))) => {
                self.outputs
                    .push_back(EndpointOutput::Event(SignalingEvent::TransferProgress {
                        session,
                        code,
                        reason,
                    }));
            }
            _ => debug!(target: "sip", %session, "NOTIFY without a refer status; acknowledged"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sipfrag_status;

    #[test]
    fn replaces_values_survive_the_uri_header_escaping() {
        let value = "a84b4c76@pc33.test;to-tag=8321234356;from-tag=9fxced76sl";
        let escaped = super::escape_header_value(value);
        assert!(
            !escaped.contains(';') && !escaped.contains('@') && !escaped.contains('='),
            "{escaped}"
        );
        assert_eq!(super::unescape_header_value(&escaped), value);
        assert_eq!(super::unescape_header_value("bad%zzend%4"), "bad%zzend%4");
    }

    #[test]
    fn sipfrag_status_lines() {
        assert_eq!(
            sipfrag_status(b"SIP/2.0 200 OK\r\n"),
            Some((200, "OK".into()))
        );
        assert_eq!(
            sipfrag_status(b"SIP/2.0 100 Trying"),
            Some((100, "Trying".into()))
        );
        assert_eq!(sipfrag_status(b"garbage"), None);
        assert_eq!(sipfrag_status(b"SIP/2.0 999 Nope"), None);
    }
}
