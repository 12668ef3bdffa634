//! Checking a parsed message before it is routed (RFC 3261 §8.2): a request that fails gets
//! an error response saying exactly what is wrong; a response that fails is dropped.

use wink_ports::{SipUri, UriError};

use super::{CSeq, HeaderName, Message, Method, NameAddr, StartLine, Via};

/// A request we refuse, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The status code: 400, 415, 416, 420, 501, 505, 513.
    pub code: u16,
    /// The reason phrase, saying what is wrong.
    pub reason: String,
    /// Headers the response must carry (Allow for 501, Accept for 415, Unsupported for 420).
    pub headers: Vec<(HeaderName, String)>,
}

impl Rejection {
    /// A 400 with `reason`.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self {
            code: 400,
            reason: reason.into(),
            headers: Vec::new(),
        }
    }

    /// 501 with `Allow`: a method we do not serve.
    pub fn not_implemented() -> Self {
        Self {
            code: 501,
            reason: "Not Implemented".into(),
            headers: vec![(HeaderName::Allow, crate::ALLOW.into())],
        }
    }

    /// 481: the request names a dialog or transaction we do not have.
    pub fn no_such_call() -> Self {
        Self {
            code: 481,
            reason: "Call/Transaction Does Not Exist".into(),
            headers: Vec::new(),
        }
    }
}

/// Headers a message may carry only once.
const SINGLE: [(HeaderName, &str); 7] = [
    (HeaderName::From, "From"),
    (HeaderName::To, "To"),
    (HeaderName::CallId, "Call-ID"),
    (HeaderName::CSeq, "CSeq"),
    (HeaderName::MaxForwards, "Max-Forwards"),
    (HeaderName::ContentLength, "Content-Length"),
    (HeaderName::ContentType, "Content-Type"),
];

/// Headers every request and response must carry.
const MANDATORY: [(HeaderName, &str); 5] = [
    (HeaderName::Via, "Via"),
    (HeaderName::From, "From"),
    (HeaderName::To, "To"),
    (HeaderName::CallId, "Call-ID"),
    (HeaderName::CSeq, "CSeq"),
];

fn check_common(message: &Message) -> Result<CSeq, Rejection> {
    for (name, label) in &SINGLE {
        if message.headers.count(name) > 1 {
            return Err(Rejection::bad_request(format!("Duplicate {label} header")));
        }
    }
    for (name, label) in &MANDATORY {
        if message.headers.count(name) == 0 {
            return Err(Rejection::bad_request(format!("Missing {label} header")));
        }
    }
    for via in message.headers.list(&HeaderName::Via) {
        Via::parse(via).map_err(|_| Rejection::bad_request("Malformed Via header"))?;
    }
    for (name, label) in [(HeaderName::From, "From"), (HeaderName::To, "To")] {
        check_address(message.headers.get(&name).unwrap_or_default(), label)?;
    }
    for contact in message.headers.list(&HeaderName::Contact) {
        if contact.trim() != "*" {
            check_address(contact, "Contact")?;
        }
    }
    if message
        .call_id()
        .is_some_and(|c| c.is_empty() || c.contains(char::is_whitespace))
    {
        return Err(Rejection::bad_request("Malformed Call-ID header"));
    }
    message
        .cseq()
        .map_err(|_| Rejection::bad_request("Malformed CSeq header"))
}

/// A From, To or Contact value: a name-addr or addr-spec whose sip: URI parses.
fn check_address(value: &str, label: &str) -> Result<(), Rejection> {
    let address = NameAddr::parse(value)
        .map_err(|e| Rejection::bad_request(format!("Malformed {label} header: {e}")))?;
    if !is_sip_scheme(&address.uri) {
        return Ok(());
    }
    match SipUri::parse(&address.uri) {
        // Headers in a bracketed URI are valid syntax (RFC 4475 §3.3.14), only not dialled.
        Ok(_) | Err(UriError::HeadersNotSupported) => Ok(()),
        Err(e) => Err(Rejection::bad_request(format!(
            "Malformed URI in {label} header: {e}"
        ))),
    }
}

/// Whether a Request-URI starts with a well-formed scheme (RFC 3261 §25.1: `ALPHA *( ALPHA
/// / DIGIT / "+" / "-" / "." ) ":"`): only such a URI can be refused for its scheme (416).
fn has_scheme(uri: &str) -> bool {
    uri.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

fn is_sip_scheme(uri: &str) -> bool {
    let lower = uri.get(..5).unwrap_or(uri).to_ascii_lowercase();
    lower.starts_with("sip:") || lower.starts_with("sips:")
}

/// Checks a request's syntax: single-value headers once, mandatory headers present, CSeq
/// matching the method, parsable Via/From/To/Contact/Request-URI, Max-Forwards a number.
/// (A missing Contact is the dialog's concern: an RFC 2543 INVITE may lack one.)
///
/// # Errors
/// A [`Rejection`] (400 with the reason, or 416 for a Request-URI scheme we do not serve).
pub fn validate_request(message: &Message) -> Result<(), Rejection> {
    let StartLine::Request { method, uri } = &message.start else {
        return Err(Rejection::bad_request("Not a request"));
    };
    let cseq = check_common(message)?;
    // An unknown method gets 501 whatever its CSeq says (RFC 4475 §3.1.2.18).
    if &cseq.method != method && !matches!(method, Method::Other(_)) {
        return Err(Rejection::bad_request(
            "CSeq method does not match the request method",
        ));
    }
    if let Some(raw) = message.headers.get(&HeaderName::MaxForwards) {
        raw.trim()
            .parse::<u8>()
            .map_err(|_| Rejection::bad_request("Malformed Max-Forwards header"))?;
    }
    if !has_scheme(uri) {
        return Err(Rejection::bad_request(
            "Malformed Request-URI: it does not start with a scheme",
        ));
    }
    if !is_sip_scheme(uri) {
        let scheme = uri.split_once(':').map_or(uri.as_str(), |(s, _)| s);
        return Err(Rejection {
            code: 416,
            reason: "Unsupported URI Scheme".into(),
            headers: vec![(
                HeaderName::Other("Warning".into()),
                format!("399 wink \"scheme {scheme} is not supported\""),
            )],
        });
    }
    SipUri::parse(uri)
        .map_err(|e| Rejection::bad_request(format!("Malformed Request-URI: {e}")))?;
    Ok(())
}

/// Checks a response: mandatory headers present and parsable. A response that fails is dropped.
///
/// # Errors
/// The reason, for the log.
pub fn validate_response(message: &Message) -> Result<(), String> {
    if message.is_request() {
        return Err("not a response".into());
    }
    check_common(message).map(|_| ()).map_err(|r| r.reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn request(extra: &str, cseq: &str, uri: &str) -> Message {
        let raw = format!(
            "MESSAGE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n\
             From: <sip:a@x.org>;tag=1\r\nTo: <sip:b@x.org>\r\nCall-ID: c1\r\nCSeq: {cseq}\r\n\
             Max-Forwards: 70\r\n{extra}Content-Length: 0\r\n\r\n"
        );
        parse(raw.as_bytes()).unwrap()
    }

    fn reason(m: &Message) -> (u16, String) {
        let r = validate_request(m).unwrap_err();
        (r.code, r.reason)
    }

    #[test]
    fn a_good_request_passes() {
        validate_request(&request("", "1 MESSAGE", "sip:b@x.org")).unwrap();
    }

    #[test]
    fn each_defect_gets_its_own_reason() {
        assert_eq!(
            reason(&request("Call-ID: c2\r\n", "1 MESSAGE", "sip:b@x.org")),
            (400, "Duplicate Call-ID header".into())
        );
        assert_eq!(
            reason(&request("CSeq: 2 MESSAGE\r\n", "1 MESSAGE", "sip:b@x.org")),
            (400, "Duplicate CSeq header".into())
        );
        assert_eq!(
            reason(&request("", "1 INVITE", "sip:b@x.org")),
            (400, "CSeq method does not match the request method".into())
        );
        assert_eq!(
            reason(&request("", "x MESSAGE", "sip:b@x.org")),
            (400, "Malformed CSeq header".into())
        );
        assert_eq!(reason(&request("", "1 MESSAGE", "sip:b@")).0, 400);
        assert_eq!(
            reason(&request("", "1 MESSAGE", "tel:+1555")),
            (416, "Unsupported URI Scheme".into())
        );
        assert_eq!(reason(&request("", "1 MESSAGE", "mailto:b@x.org")).0, 416);
        let no_call_id = parse(
            b"OPTIONS sip:b@x.org SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x.org>;tag=1\r\nTo: <sip:b@x.org>\r\nCSeq: 1 OPTIONS\r\n\r\n",
        )
        .unwrap();
        assert_eq!(reason(&no_call_id), (400, "Missing Call-ID header".into()));
        let bad_from = parse(
            b"OPTIONS sip:b@x.org SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: garbage\r\nTo: <sip:b@x.org>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
        )
        .unwrap();
        assert_eq!(
            reason(&bad_from),
            (
                400,
                "Malformed From header: an address that is not a URI".into()
            )
        );
        let bad_via = parse(
            b"OPTIONS sip:b@x.org SIP/2.0\r\nVia: nonsense\r\nFrom: <sip:a@x.org>\r\nTo: <sip:b@x.org>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
        )
        .unwrap();
        assert_eq!(reason(&bad_via), (400, "Malformed Via header".into()));
        assert_eq!(
            reason(&request("", "1 MESSAGE", "sip:b@x.org").tap_max_forwards("abc")),
            (400, "Malformed Max-Forwards header".into())
        );
    }

    trait Tap {
        fn tap_max_forwards(self, value: &str) -> Self;
    }

    impl Tap for Message {
        fn tap_max_forwards(mut self, value: &str) -> Self {
            self.headers.set(HeaderName::MaxForwards, value);
            self
        }
    }

    #[test]
    fn responses_missing_headers_are_refused() {
        let bad = parse(b"SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\n\r\n").unwrap();
        assert_eq!(validate_response(&bad), Err("Missing Via header".into()));
    }
}
