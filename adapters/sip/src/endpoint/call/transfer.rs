//! REFER (RFC 3515) inside a call: sending one (transferor), taking one (transferee), and
//! the NOTIFYs with `message/sipfrag` that report how the transferred call goes. Finding
//! the other call of an attended transfer is the endpoint's (it holds the calls).

use tracing::debug;
use wink_ports::{SignalingError, SignalingEvent, SipUri};

use super::{Call, CallContext};
use crate::endpoint::{Owner, Peer};
use crate::message::{HeaderName, Message, Method, NameAddr, Rejection};
use crate::transaction::response_to;

/// Escapes a value for a URI header (`?name=value`): everything but unreserved characters.
pub(in crate::endpoint) fn escape_header_value(value: &str) -> String {
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

impl Call {
    /// Asks the remote party to call `refer_to` (REFER with Refer-To and Referred-By).
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] without a dialog.
    pub(in crate::endpoint) fn refer(
        &mut self,
        ctx: &mut CallContext<'_>,
        refer_to: String,
    ) -> Result<(), SignalingError> {
        let (mut refer, peer) = self.in_dialog_request(ctx, Method::Refer, "transfer")?;
        refer.headers.push(HeaderName::ReferTo, refer_to);
        if let Some(binding) = ctx.account {
            refer
                .headers
                .push(HeaderName::ReferredBy, format!("<{}>", binding.aor));
        }
        if let Some(contact) = ctx.contact() {
            refer
                .headers
                .push(HeaderName::Contact, format!("<{contact}>"));
        }
        let owner = Owner::Refer(self.session.clone());
        self.send(ctx, refer, peer, owner);
        Ok(())
    }

    /// Reports to the transferor how our call to the target goes.
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] without a dialog.
    pub(in crate::endpoint) fn notify_transfer(
        &mut self,
        ctx: &mut CallContext<'_>,
        code: u16,
        reason: &str,
    ) -> Result<(), SignalingError> {
        let (mut notify, peer) =
            self.in_dialog_request(ctx, Method::Notify, "report transfer progress in")?;
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
        self.send(ctx, notify, peer, Owner::Server);
        Ok(())
    }

    /// Their REFER: accept it (202), tell the transferor we are trying, and ask the domain
    /// to call the target.
    pub(super) fn on_refer(&mut self, ctx: &mut CallContext<'_>, from: Peer, request: Message) {
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
            let rejection = Rejection::bad_request("Missing or malformed Refer-To header");
            return self.refuse(ctx, from, request, rejection);
        };
        let accepted = response_to(&request, 202, "Accepted");
        self.reply(from, request, accepted);
        let _ = self.notify_transfer(ctx, 100, "Trying");
        self.emit(SignalingEvent::TransferRequested {
            session: self.session.clone(),
            target,
            replaces,
        });
    }

    /// Their NOTIFY: for our REFER, report the status it carries.
    pub(super) fn on_notify(&mut self, from: Peer, request: Message) {
        let is_refer = request
            .headers
            .get(&HeaderName::Event)
            .is_some_and(|e| e.trim().to_ascii_lowercase().starts_with("refer"));
        let status = sipfrag_status(&request.body);
        let ok = response_to(&request, 200, "OK");
        self.reply(from, request, ok);
        match (is_refer, status) {
            (true, Some((code, reason))) => self.emit(SignalingEvent::TransferProgress {
                session: self.session.clone(),
                code,
                reason,
            }),
            _ => {
                debug!(target: "sip", session = %self.session, "NOTIFY without a refer status; acknowledged")
            }
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
