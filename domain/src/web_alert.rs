//! The incoming-call web page: a URL template with `$caller_party`, `$called_party` and
//! `$caller_username`, substituted and URL-escaped.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use wink_ports::SipUri;

/// When the incoming-call web page opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WebAlertMoment {
    /// As soon as the call rings (the page is there before you pick up).
    #[default]
    Ringing,
    /// Once you answer (no page for calls you do not take).
    Answered,
}

/// A URL template such as `https://crm.example.com/?caller=$caller_party&called=$called_party`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebAlertTemplate(String);

/// Percent-encodes everything but RFC 3986 unreserved characters, so a value can never
/// break out of its query parameter.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

impl WebAlertTemplate {
    /// Wraps a template.
    pub fn new(template: impl Into<String>) -> Self {
        Self(template.into())
    }

    /// The URL for a call from `caller` to `called`.
    pub fn render(&self, caller: &SipUri, called: &SipUri) -> String {
        // `$caller_party` contains `$caller_username`'s prefix? No, but replace the longest
        // names first anyway so no variable is a prefix of another at replacement time.
        self.0
            .replace(
                "$caller_username",
                &escape(caller.user().unwrap_or_default()),
            )
            .replace("$caller_party", &escape(&caller.address()))
            .replace("$called_party", &escape(&called.address()))
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_and_escapes_every_variable() {
        let template = WebAlertTemplate::new(
            "http://www.example.com?caller=$caller_party&called=$called_party&u=$caller_username",
        );
        let caller = SipUri::parse("sip:+1%20x@example.com").unwrap();
        let called = SipUri::parse("sip:me@wink.test").unwrap();
        assert_eq!(
            template.render(&caller, &called),
            "http://www.example.com?caller=%2B1%2520x%40example.com&called=me%40wink.test&u=%2B1%2520x"
        );
    }

    #[test]
    fn hostile_values_cannot_inject_parameters() {
        let template = WebAlertTemplate::new("https://crm/?c=$caller_username");
        let caller = SipUri::parse("sip:a&admin=1@evil.org").unwrap();
        let url = template.render(&caller, &SipUri::parse("sip:me@x.org").unwrap());
        assert_eq!(url, "https://crm/?c=a%26admin%3D1");
    }

    #[test]
    fn missing_user_part_renders_empty() {
        let template = WebAlertTemplate::new("u=$caller_username;p=$caller_party");
        let url = template.render(
            &SipUri::parse("sip:example.com").unwrap(),
            &SipUri::parse("sip:me@x.org").unwrap(),
        );
        assert_eq!(url, "u=;p=example.com");
    }
}
