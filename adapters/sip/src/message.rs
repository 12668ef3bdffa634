//! SIP messages (RFC 3261 §7): parse, inspect, build, print.
//!
//! The parser is ours rather than `rsip`'s (see `docs/sip.md`): it accepts compact header
//! forms, keeps bodies as bytes, bounds every size, and reports *what* is wrong so a
//! malformed request can be answered with a 400 whose reason phrase says it.

mod framing;
mod headers;
mod method;
mod parse;
mod trace;
mod typed;
mod validate;

pub use framing::{FramingError, StreamFramer};
pub use headers::{HeaderName, Headers};
pub use method::Method;
pub use parse::{MAX_HEADERS, MAX_MESSAGE_SIZE, ParseError, parse};
pub use trace::redacted;
pub use typed::{CSeq, NameAddr, TypedError, Via};
pub use validate::{Rejection, validate_request, validate_response};

/// The first line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD uri SIP/2.0`
    Request {
        /// The method.
        method: Method,
        /// The Request-URI, as text (any scheme; validation checks it).
        uri: String,
    },
    /// `SIP/2.0 code reason`
    Response {
        /// The status code, 100–699.
        code: u16,
        /// The reason phrase.
        reason: String,
    },
}

/// A SIP request or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The first line.
    pub start: StartLine,
    /// The headers, in order.
    pub headers: Headers,
    /// The body (Content-Length bytes).
    pub body: Vec<u8>,
}

impl Message {
    /// A request with no headers yet.
    pub fn request(method: Method, uri: impl Into<String>) -> Self {
        Self {
            start: StartLine::Request {
                method,
                uri: uri.into(),
            },
            headers: Headers::default(),
            body: Vec::new(),
        }
    }

    /// A response with no headers yet.
    pub fn response(code: u16, reason: impl Into<String>) -> Self {
        Self {
            start: StartLine::Response {
                code,
                reason: reason.into(),
            },
            headers: Headers::default(),
            body: Vec::new(),
        }
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The method of a request, or of the CSeq of a response.
    pub fn method(&self) -> Option<Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method.clone()),
            StartLine::Response { .. } => self.cseq().ok().map(|c| c.method),
        }
    }

    /// The status code of a response.
    pub fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// The topmost Via.
    ///
    /// # Errors
    /// [`TypedError`] if it is missing or malformed.
    pub fn top_via(&self) -> Result<Via, TypedError> {
        let raw = self
            .headers
            .list(&HeaderName::Via)
            .into_iter()
            .next()
            .ok_or(TypedError::Missing("Via"))?;
        Via::parse(raw)
    }

    /// The CSeq.
    ///
    /// # Errors
    /// [`TypedError`] if it is missing or malformed.
    pub fn cseq(&self) -> Result<CSeq, TypedError> {
        CSeq::parse(
            self.headers
                .get(&HeaderName::CSeq)
                .ok_or(TypedError::Missing("CSeq"))?,
        )
    }

    /// The Call-ID.
    pub fn call_id(&self) -> Option<&str> {
        self.headers.get(&HeaderName::CallId)
    }

    /// The From header.
    ///
    /// # Errors
    /// [`TypedError`] if it is missing or malformed.
    pub fn from_header(&self) -> Result<NameAddr, TypedError> {
        NameAddr::parse(
            self.headers
                .get(&HeaderName::From)
                .ok_or(TypedError::Missing("From"))?,
        )
    }

    /// The To header.
    ///
    /// # Errors
    /// [`TypedError`] if it is missing or malformed.
    pub fn to_header(&self) -> Result<NameAddr, TypedError> {
        NameAddr::parse(
            self.headers
                .get(&HeaderName::To)
                .ok_or(TypedError::Missing("To"))?,
        )
    }

    /// The message as bytes on the wire; Content-Length is set from the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512 + self.body.len());
        match &self.start {
            StartLine::Request { method, uri } => {
                out.extend_from_slice(format!("{method} {uri} SIP/2.0\r\n").as_bytes());
            }
            StartLine::Response { code, reason } => {
                out.extend_from_slice(format!("SIP/2.0 {code} {reason}\r\n").as_bytes());
            }
        }
        for (name, value) in self.headers.iter() {
            if *name == HeaderName::ContentLength {
                continue;
            }
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", self.body.len()).as_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reparses() {
        let mut request = Message::request(Method::Options, "sip:bob@example.com");
        request.headers.push(
            HeaderName::Via,
            "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1",
        );
        request
            .headers
            .push(HeaderName::From, "<sip:alice@example.com>;tag=1");
        request
            .headers
            .push(HeaderName::To, "<sip:bob@example.com>");
        request.headers.push(HeaderName::CallId, "abc");
        request.headers.push(HeaderName::CSeq, "1 OPTIONS");
        request.headers.push(HeaderName::ContentLength, "999");
        request.body = b"hello".to_vec();
        let bytes = request.to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Content-Length: 5\r\n\r\nhello"), "{text}");
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.method(), Some(Method::Options));
        assert_eq!(parsed.body, b"hello");
        assert_eq!(parsed.cseq().unwrap().seq, 1);
        assert_eq!(parsed.top_via().unwrap().branch(), Some("z9hG4bK1"));
    }
}
