//! Parsing one complete message (a datagram, or a frame cut by [`super::StreamFramer`]).

use super::{HeaderName, Headers, Message, Method, StartLine};

/// The largest message we accept (UDP's practical limit is lower; TCP frames are cut here).
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024;
/// The most header lines one message may carry.
pub const MAX_HEADERS: usize = 256;

/// Why bytes are not a SIP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing but whitespace (also a keep-alive).
    #[error("empty message")]
    Empty,
    /// Bigger than [`MAX_MESSAGE_SIZE`].
    #[error("message too large ({0} bytes)")]
    TooLarge(usize),
    /// The header section is not UTF-8.
    #[error("headers are not valid UTF-8")]
    NotUtf8,
    /// The first line is neither a request line nor a status line.
    #[error("malformed start line")]
    BadStartLine,
    /// A SIP version other than 2.0 (requests get 505).
    #[error("unsupported SIP version {0}")]
    BadVersion(String),
    /// A status code outside 100–699.
    #[error("invalid status code")]
    BadStatusCode,
    /// A method that is not a token.
    #[error("invalid method")]
    BadMethod,
    /// A header line without a colon or with a bad name.
    #[error("malformed header line")]
    BadHeaderLine,
    /// More than [`MAX_HEADERS`] header lines.
    #[error("too many headers")]
    TooManyHeaders,
    /// Content-Length is not a number.
    #[error("invalid Content-Length")]
    BadContentLength,
    /// The body is shorter than Content-Length says.
    #[error("body shorter than Content-Length ({declared} declared, {actual} received)")]
    BodyTooShort {
        /// What Content-Length said.
        declared: usize,
        /// What arrived.
        actual: usize,
    },
}

impl ParseError {
    /// The status code a request with this error gets (when enough of it could be read to
    /// answer): 505 for the version, 513 for the size, else 400.
    pub fn status(&self) -> u16 {
        match self {
            ParseError::BadVersion(_) => 505,
            ParseError::TooLarge(_) => 513,
            _ => 400,
        }
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_start_line(line: &str) -> Result<StartLine, ParseError> {
    if let Some(rest) = line.strip_prefix("SIP/") {
        let (version, rest) = rest.split_once(' ').ok_or(ParseError::BadStartLine)?;
        if version != "2.0" {
            return Err(ParseError::BadVersion(format!("SIP/{version}")));
        }
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let code: u16 = code.parse().map_err(|_| ParseError::BadStatusCode)?;
        if !(100..=699).contains(&code) {
            return Err(ParseError::BadStatusCode);
        }
        return Ok(StartLine::Response {
            code,
            reason: reason.to_owned(),
        });
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ParseError::BadStartLine);
    };
    if !is_token(method) {
        return Err(ParseError::BadMethod);
    }
    if uri.is_empty() {
        return Err(ParseError::BadStartLine);
    }
    if version != "SIP/2.0" {
        return Err(if version.starts_with("SIP/") {
            ParseError::BadVersion(version.to_owned())
        } else {
            ParseError::BadStartLine
        });
    }
    Ok(StartLine::Request {
        method: Method::from_token(method),
        uri: uri.to_owned(),
    })
}

fn parse_headers(section: &str) -> Result<Headers, ParseError> {
    let mut headers = Headers::default();
    let mut current: Option<(String, String)> = None;
    let mut count = 0;
    for line in section
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
    {
        if line.starts_with([' ', '\t']) {
            // Folded continuation of the previous header (RFC 3261 §7.3.1).
            let (_, value) = current.as_mut().ok_or(ParseError::BadHeaderLine)?;
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        if let Some((name, value)) = current.take() {
            headers.push(HeaderName::parse(&name), value);
        }
        if line.is_empty() {
            continue;
        }
        count += 1;
        if count > MAX_HEADERS {
            return Err(ParseError::TooManyHeaders);
        }
        let (name, value) = line.split_once(':').ok_or(ParseError::BadHeaderLine)?;
        let name = name.trim_end();
        if !is_token(name) {
            return Err(ParseError::BadHeaderLine);
        }
        current = Some((name.to_owned(), value.trim().to_owned()));
    }
    if let Some((name, value)) = current {
        headers.push(HeaderName::parse(&name), value);
    }
    Ok(headers)
}

/// Parses one whole message. A body longer than Content-Length is cut to it (RFC 3261
/// §18.3); a shorter one is an error. Without Content-Length the rest is the body.
///
/// # Errors
/// A [`ParseError`] naming the problem.
pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
    if bytes.len() > MAX_MESSAGE_SIZE {
        return Err(ParseError::TooLarge(bytes.len()));
    }
    // Leading CRLFs are keep-alives or padding; skip them.
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or(ParseError::Empty)?;
    let bytes = &bytes[start..];
    let (head, body) = match find(bytes, b"\r\n\r\n") {
        Some(at) => (&bytes[..at], &bytes[at + 4..]),
        None => match find(bytes, b"\n\n") {
            Some(at) => (&bytes[..at], &bytes[at + 2..]),
            None => (bytes, &[][..]),
        },
    };
    let head = std::str::from_utf8(head).map_err(|_| ParseError::NotUtf8)?;
    let (first, rest) = head.split_once('\n').unwrap_or((head, ""));
    let start = parse_start_line(first.strip_suffix('\r').unwrap_or(first))?;
    let headers = parse_headers(rest)?;
    let body = match headers.get(&HeaderName::ContentLength) {
        Some(raw) => {
            let declared: usize = raw
                .trim()
                .parse()
                .map_err(|_| ParseError::BadContentLength)?;
            if declared > body.len() {
                return Err(ParseError::BodyTooShort {
                    declared,
                    actual: body.len(),
                });
            }
            &body[..declared]
        }
        None => body,
    };
    Ok(Message {
        start,
        headers,
        body: body.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
        Max-Forwards: 70\r\n\
        To: Bob <sip:bob@biloxi.example.com>\r\n\
        From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
        CSeq: 314159 INVITE\r\n\
        Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
        Content-Type: application/sdp\r\n\
        Content-Length: 4\r\n\r\nv=0\nEXTRA";

    #[test]
    fn parses_a_request_and_cuts_the_body_at_content_length() {
        let m = parse(INVITE.as_bytes()).unwrap();
        assert_eq!(m.method(), Some(Method::Invite));
        assert_eq!(m.body, b"v=0\n");
        assert_eq!(m.call_id(), Some("a84b4c76e66710@pc33.atlanta.example.com"));
    }

    #[test]
    fn parses_compact_forms_folding_and_bare_lf() {
        let raw = "OPTIONS sip:x@y SIP/2.0\nv: SIP/2.0/TCP h;branch=z9hG4bKa\ni: abc\nf: <sip:a@b>;tag=1\nt: <sip:x@y>\nSubject: a\n  folded\nCSeq: 1 OPTIONS\nl: 0\n\n";
        let m = parse(raw.as_bytes()).unwrap();
        assert_eq!(m.call_id(), Some("abc"));
        assert_eq!(m.headers.get(&HeaderName::Subject), Some("a folded"));
        assert_eq!(m.top_via().unwrap().transport, "TCP");
    }

    #[test]
    fn parses_a_response() {
        let raw = "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n";
        let m = parse(raw.as_bytes()).unwrap();
        assert_eq!(m.status(), Some(180));
        assert_eq!(m.method(), Some(Method::Invite));
    }

    #[test]
    fn reports_what_is_wrong() {
        assert_eq!(parse(b"\r\n\r\n"), Err(ParseError::Empty));
        assert_eq!(
            parse(b"INVITE sip:x SIP/3.0\r\n\r\n"),
            Err(ParseError::BadVersion("SIP/3.0".into()))
        );
        assert_eq!(
            parse(b"SIP/2.0 99 Odd\r\n\r\n"),
            Err(ParseError::BadStatusCode)
        );
        assert_eq!(
            parse(b"INV<ITE sip:x SIP/2.0\r\n\r\n"),
            Err(ParseError::BadMethod)
        );
        assert_eq!(
            parse(b"INVITE sip:x SIP/2.0\r\nNoColon\r\n\r\n"),
            Err(ParseError::BadHeaderLine)
        );
        assert_eq!(
            parse(b"INVITE sip:x SIP/2.0\r\nl: x\r\n\r\n"),
            Err(ParseError::BadContentLength)
        );
        assert_eq!(
            parse(b"INVITE sip:x SIP/2.0\r\nl: 10\r\n\r\nabc"),
            Err(ParseError::BodyTooShort {
                declared: 10,
                actual: 3
            })
        );
        assert_eq!(
            parse(&vec![b'a'; MAX_MESSAGE_SIZE + 1]),
            Err(ParseError::TooLarge(MAX_MESSAGE_SIZE + 1))
        );
        assert_eq!(
            parse(b"INVITE sip:x SIP/2.0\r\nX: \xff\r\n\r\n"),
            Err(ParseError::NotUtf8)
        );
        let many: String = (0..300).map(|i| format!("X-{i}: 1\r\n")).collect();
        assert_eq!(
            parse(format!("OPTIONS sip:x SIP/2.0\r\n{many}\r\n").as_bytes()),
            Err(ParseError::TooManyHeaders)
        );
        assert_eq!(ParseError::BadVersion("SIP/3.0".into()).status(), 505);
    }
}
