//! Header names (with compact forms) and the ordered header list.

use std::fmt;

/// A header name, canonicalised: compact forms (`v`, `i`, `f`, …) and any case map to the
/// full name, so lookups never miss a header a peer wrote differently.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum HeaderName {
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    MaxForwards,
    ContentLength,
    ContentType,
    Route,
    RecordRoute,
    Expires,
    MinExpires,
    Allow,
    Accept,
    Supported,
    Require,
    ProxyRequire,
    Unsupported,
    UserAgent,
    Server,
    WwwAuthenticate,
    ProxyAuthenticate,
    Authorization,
    ProxyAuthorization,
    Reason,
    ReferTo,
    ReferredBy,
    Replaces,
    Event,
    SubscriptionState,
    SessionExpires,
    MinSe,
    ContentEncoding,
    Subject,
    AllowEvents,
    RetryAfter,
    /// Any other header, as written.
    Other(String),
}

const KNOWN: &[(HeaderName, &str, Option<&str>)] = &[
    (HeaderName::Via, "Via", Some("v")),
    (HeaderName::From, "From", Some("f")),
    (HeaderName::To, "To", Some("t")),
    (HeaderName::CallId, "Call-ID", Some("i")),
    (HeaderName::CSeq, "CSeq", None),
    (HeaderName::Contact, "Contact", Some("m")),
    (HeaderName::MaxForwards, "Max-Forwards", None),
    (HeaderName::ContentLength, "Content-Length", Some("l")),
    (HeaderName::ContentType, "Content-Type", Some("c")),
    (HeaderName::Route, "Route", None),
    (HeaderName::RecordRoute, "Record-Route", None),
    (HeaderName::Expires, "Expires", None),
    (HeaderName::MinExpires, "Min-Expires", None),
    (HeaderName::Allow, "Allow", None),
    (HeaderName::Accept, "Accept", None),
    (HeaderName::Supported, "Supported", Some("k")),
    (HeaderName::Require, "Require", None),
    (HeaderName::ProxyRequire, "Proxy-Require", None),
    (HeaderName::Unsupported, "Unsupported", None),
    (HeaderName::UserAgent, "User-Agent", None),
    (HeaderName::Server, "Server", None),
    (HeaderName::WwwAuthenticate, "WWW-Authenticate", None),
    (HeaderName::ProxyAuthenticate, "Proxy-Authenticate", None),
    (HeaderName::Authorization, "Authorization", None),
    (HeaderName::ProxyAuthorization, "Proxy-Authorization", None),
    (HeaderName::Reason, "Reason", None),
    (HeaderName::ReferTo, "Refer-To", Some("r")),
    (HeaderName::ReferredBy, "Referred-By", Some("b")),
    (HeaderName::Replaces, "Replaces", None),
    (HeaderName::Event, "Event", Some("o")),
    (HeaderName::SubscriptionState, "Subscription-State", None),
    (HeaderName::SessionExpires, "Session-Expires", Some("x")),
    (HeaderName::MinSe, "Min-SE", None),
    (HeaderName::ContentEncoding, "Content-Encoding", Some("e")),
    (HeaderName::Subject, "Subject", Some("s")),
    (HeaderName::AllowEvents, "Allow-Events", Some("u")),
    (HeaderName::RetryAfter, "Retry-After", None),
];

impl HeaderName {
    /// The canonical name for `raw` (any case, full or compact).
    pub fn parse(raw: &str) -> Self {
        for (name, full, compact) in KNOWN {
            if raw.eq_ignore_ascii_case(full)
                || compact.is_some_and(|c| raw.eq_ignore_ascii_case(c))
            {
                return name.clone();
            }
        }
        HeaderName::Other(raw.to_owned())
    }

    /// The full name, as we print it.
    pub fn as_str(&self) -> &str {
        if let HeaderName::Other(raw) = self {
            return raw;
        }
        KNOWN
            .iter()
            .find(|(n, _, _)| n == self)
            .map_or("", |(_, full, _)| full)
    }

    /// Whether several values may share one header line, separated by commas.
    pub fn is_list(&self) -> bool {
        matches!(
            self,
            HeaderName::Via
                | HeaderName::Contact
                | HeaderName::Route
                | HeaderName::RecordRoute
                | HeaderName::Allow
                | HeaderName::Accept
                | HeaderName::Supported
                | HeaderName::Require
                | HeaderName::ProxyRequire
                | HeaderName::Unsupported
                | HeaderName::AllowEvents
        )
    }

    fn matches(&self, other: &HeaderName) -> bool {
        match (self, other) {
            (HeaderName::Other(a), HeaderName::Other(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Splits a list header value at commas outside quotes and angle brackets.
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let (mut start, mut in_quotes, mut in_angle, mut escaped) = (0, false, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '<' if !in_quotes => in_angle = true,
            '>' if !in_quotes => in_angle = false,
            ',' if !in_quotes && !in_angle => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty())
}

/// The headers of a message, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers(Vec<(HeaderName, String)>);

impl Headers {
    /// Appends a header.
    pub fn push(&mut self, name: HeaderName, value: impl Into<String>) {
        self.0.push((name, value.into()));
    }

    /// Inserts a header first (a new top Via or Route).
    pub fn push_front(&mut self, name: HeaderName, value: impl Into<String>) {
        self.0.insert(0, (name, value.into()));
    }

    /// Replaces every header `name` with one value.
    pub fn set(&mut self, name: HeaderName, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter().position(|(n, _)| n.matches(&name)) {
            Some(first) => {
                self.0[first].1 = value;
                let mut index = 0;
                self.0.retain(|(n, _)| {
                    index += 1;
                    index - 1 == first || !n.matches(&name)
                });
            }
            None => self.0.push((name, value)),
        }
    }

    /// Removes every header `name`.
    pub fn remove(&mut self, name: &HeaderName) {
        self.0.retain(|(n, _)| !n.matches(name));
    }

    /// The first value of `name`.
    pub fn get(&self, name: &HeaderName) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.matches(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header line named `name`, in order.
    pub fn all<'a>(&'a self, name: &'a HeaderName) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.matches(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a list header, comma-separated values split apart, in order.
    pub fn list<'a>(&'a self, name: &'a HeaderName) -> Vec<&'a str> {
        self.all(name).flat_map(split_list).collect()
    }

    /// How many header lines are named `name`.
    pub fn count(&self, name: &HeaderName) -> usize {
        self.all(name).count()
    }

    /// Every header, in order.
    pub fn iter(&self) -> impl Iterator<Item = &(HeaderName, String)> {
        self.0.iter()
    }

    /// Copies every header `name` from `other`, in order (Via, Record-Route into responses).
    pub fn copy_from(&mut self, other: &Headers, name: &HeaderName) {
        for value in other.all(name) {
            self.push(name.clone(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_case_insensitive_names() {
        assert_eq!(HeaderName::parse("v"), HeaderName::Via);
        assert_eq!(HeaderName::parse("CALL-id"), HeaderName::CallId);
        assert_eq!(HeaderName::parse("i"), HeaderName::CallId);
        assert_eq!(HeaderName::parse("X-Custom").as_str(), "X-Custom");
        let mut headers = Headers::default();
        headers.push(HeaderName::parse("x-custom"), "1");
        assert_eq!(headers.get(&HeaderName::parse("X-CUSTOM")), Some("1"));
    }

    #[test]
    fn list_values_split_outside_quotes_and_brackets() {
        let mut headers = Headers::default();
        headers.push(
            HeaderName::Contact,
            "\"Doe, John\" <sip:j@x.org;a=b,c>, <sip:k@y.org>",
        );
        headers.push(HeaderName::Contact, "sip:l@z.org");
        assert_eq!(
            headers.list(&HeaderName::Contact),
            [
                "\"Doe, John\" <sip:j@x.org;a=b,c>",
                "<sip:k@y.org>",
                "sip:l@z.org"
            ]
        );
    }

    #[test]
    fn set_replaces_all_copies() {
        let mut headers = Headers::default();
        headers.push(HeaderName::Expires, "1");
        headers.push(HeaderName::CallId, "x");
        headers.push(HeaderName::Expires, "2");
        headers.set(HeaderName::Expires, "3");
        assert_eq!(headers.all(&HeaderName::Expires).collect::<Vec<_>>(), ["3"]);
        assert_eq!(headers.iter().count(), 2);
    }
}
