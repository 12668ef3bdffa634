//! An MSRP frame (RFC 4975 §7): a request (SEND, REPORT, AUTH, …) or a response, its
//! headers, body and end-line, and how it is written on the wire.

use std::fmt;

use crate::uri::MsrpUri;

/// A request method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Carries (a chunk of) a message.
    Send,
    /// A delivery report.
    Report,
    /// Authentication to a relay (RFC 4976).
    Auth,
    /// Any other method (answered 501).
    Other(String),
}

impl Method {
    /// The method named `token`.
    #[must_use]
    pub fn from_token(token: &str) -> Self {
        match token {
            "SEND" => Self::Send,
            "REPORT" => Self::Report,
            "AUTH" => Self::Auth,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The method's name on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Send => "SEND",
            Self::Report => "REPORT",
            Self::Auth => "AUTH",
            Self::Other(name) => name,
        }
    }
}

/// What the end-line says of the message after this chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuation {
    /// `$`: the last chunk.
    Complete,
    /// `+`: more chunks follow.
    More,
    /// `#`: the sender gave the message up.
    Aborted,
}

impl Continuation {
    /// The flag byte.
    #[must_use]
    pub fn flag(self) -> u8 {
        match self {
            Self::Complete => b'$',
            Self::More => b'+',
            Self::Aborted => b'#',
        }
    }

    /// The continuation a flag byte names.
    #[must_use]
    pub fn from_flag(flag: u8) -> Option<Self> {
        match flag {
            b'$' => Some(Self::Complete),
            b'+' => Some(Self::More),
            b'#' => Some(Self::Aborted),
            _ => None,
        }
    }
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A request.
    Request(Method),
    /// A response.
    Response {
        /// The status code.
        code: u16,
        /// The comment after it.
        comment: Option<String>,
    },
}

/// The start line and headers of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The transaction id (also the end-line's boundary).
    pub transaction: String,
    /// Request or response.
    pub kind: Kind,
    /// The headers in order, as `(name, value)`.
    pub headers: Vec<(String, String)>,
}

/// A whole frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Start line and headers.
    pub head: Head,
    /// The body (empty for none).
    pub body: Vec<u8>,
    /// The end-line's flag.
    pub continuation: Continuation,
}

/// A `Byte-Range` (RFC 4975 §9): first and last byte (from 1) and the total, `None`
/// for `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// The first byte of the chunk, counted from 1.
    pub start: u64,
    /// The last byte, when known.
    pub end: Option<u64>,
    /// The message's size, when known.
    pub total: Option<u64>,
}

impl ByteRange {
    /// Parses `1-25/25`, `1-*/*`.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        let (range, total) = raw.trim().split_once('/')?;
        let (start, end) = range.split_once('-')?;
        let star_or = |s: &str| match s {
            "*" => Some(None),
            n => n.parse::<u64>().ok().map(Some),
        };
        let start: u64 = start.parse().ok().filter(|s| *s >= 1)?;
        let end = star_or(end)?;
        let total = star_or(total)?;
        if end.is_some_and(|e| e + 1 < start) || total.zip(end).is_some_and(|(t, e)| e > t) {
            return None;
        }
        Some(Self { start, end, total })
    }
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let star = |v: Option<u64>| v.map_or_else(|| "*".to_owned(), |v| v.to_string());
        write!(f, "{}-{}/{}", self.start, star(self.end), star(self.total))
    }
}

/// `Failure-Report` (RFC 4975 §7.1.1): which responses the sender wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureReport {
    /// Every response (the default).
    #[default]
    Yes,
    /// Only failures.
    Partial,
    /// None at all.
    No,
}

impl Head {
    /// The first header named `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `To-Path`, parsed.
    #[must_use]
    pub fn to_path(&self) -> Option<Vec<MsrpUri>> {
        MsrpUri::parse_path(self.header("To-Path")?).ok()
    }

    /// `From-Path`, parsed.
    #[must_use]
    pub fn from_path(&self) -> Option<Vec<MsrpUri>> {
        MsrpUri::parse_path(self.header("From-Path")?).ok()
    }

    /// `Message-ID`.
    #[must_use]
    pub fn message_id(&self) -> Option<&str> {
        self.header("Message-ID").map(str::trim)
    }

    /// `Byte-Range`: `None` when absent (the whole message, `1-*/*`), `Some(Err)` when it
    /// does not parse.
    #[must_use]
    pub fn byte_range(&self) -> Option<Result<ByteRange, ()>> {
        self.header("Byte-Range")
            .map(|raw| ByteRange::parse(raw).ok_or(()))
    }

    /// `Content-Type`, without parameters.
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.header("Content-Type")
            .map(|v| v.split(';').next().unwrap_or_default().trim())
    }

    /// `Success-Report: yes`.
    #[must_use]
    pub fn wants_success_report(&self) -> bool {
        self.header("Success-Report")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("yes"))
    }

    /// `Failure-Report`, `yes` when absent or unknown.
    #[must_use]
    pub fn failure_report(&self) -> FailureReport {
        match self.header("Failure-Report").map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("no") => FailureReport::No,
            Some(v) if v.eq_ignore_ascii_case("partial") => FailureReport::Partial,
            _ => FailureReport::Yes,
        }
    }

    /// `Status: 000 200 OK` of a REPORT: the code.
    #[must_use]
    pub fn status_code(&self) -> Option<u16> {
        let mut parts = self.header("Status")?.split_ascii_whitespace();
        let _namespace = parts.next()?;
        parts.next()?.parse().ok()
    }
}

impl Frame {
    /// Writes the frame on the wire: start line, `To-Path` and `From-Path` first, the other
    /// headers, `Content-Type` last before the body, the end-line.
    ///
    /// The caller makes sure the body does not hold the end-line (see
    /// [`body_holds_end_line`]).
    pub fn encode(&self, out: &mut Vec<u8>) {
        encode_head(&self.head, &self.body, out);
        out.extend_from_slice(&self.body);
        encode_end(
            &self.head.transaction,
            !self.body.is_empty() || has_content_type(&self.head),
            self.continuation,
            out,
        );
    }
}

fn has_content_type(head: &Head) -> bool {
    head.header("Content-Type").is_some()
}

/// Writes the start line and headers, and the empty line before a body.
pub(crate) fn encode_head(head: &Head, body: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b"MSRP ");
    out.extend_from_slice(head.transaction.as_bytes());
    out.push(b' ');
    match &head.kind {
        Kind::Request(method) => out.extend_from_slice(method.as_str().as_bytes()),
        Kind::Response { code, comment } => {
            out.extend_from_slice(format!("{code:03}").as_bytes());
            if let Some(comment) = comment {
                out.push(b' ');
                out.extend_from_slice(comment.as_bytes());
            }
        }
    }
    out.extend_from_slice(b"\r\n");
    let order = |name: &str| {
        if name.eq_ignore_ascii_case("To-Path") {
            0
        } else if name.eq_ignore_ascii_case("From-Path") {
            1
        } else if name.eq_ignore_ascii_case("Content-Type") {
            3
        } else {
            2
        }
    };
    for rank in 0..4 {
        for (name, value) in head.headers.iter().filter(|(n, _)| order(n) == rank) {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    if !body.is_empty() || has_content_type(head) {
        out.extend_from_slice(b"\r\n");
    }
}

/// Writes the end-line (after the CRLF that closes a body).
pub(crate) fn encode_end(transaction: &str, had_body: bool, flag: Continuation, out: &mut Vec<u8>) {
    if had_body {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"-------");
    out.extend_from_slice(transaction.as_bytes());
    out.push(flag.flag());
    out.extend_from_slice(b"\r\n");
}

/// Whether `body` holds the end-line of `transaction` (then the sender must pick another
/// transaction id, RFC 4975 §7.1.1).
#[must_use]
pub fn body_holds_end_line(body: &[u8], transaction: &str) -> bool {
    let mut boundary = Vec::with_capacity(9 + transaction.len());
    boundary.extend_from_slice(b"\r\n-------");
    boundary.extend_from_slice(transaction.as_bytes());
    memchr::memmem::find(body, &boundary).is_some()
}

/// The SEND of RFC 4975 §4 (for tests).
#[cfg(test)]
pub(crate) const RFC_SEND: &str = "MSRP a786hjs2 SEND\r\n\
    To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
    From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
    Message-ID: 87652491\r\n\
    Byte-Range: 1-25/25\r\n\
    Content-Type: text/plain\r\n\
    \r\n\
    Hey Bob, are you there?\r\n\
    -------a786hjs2$\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_parse_and_print() {
        for raw in ["1-25/25", "1-*/*", "26-50/*", "1-0/0"] {
            assert_eq!(ByteRange::parse(raw).unwrap().to_string(), raw);
        }
        for bad in ["0-5/5", "1-6/5", "5-2/9", "1-x/5", "1-5", ""] {
            assert_eq!(ByteRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_send_is_written_as_in_the_rfc() {
        let frame = Frame {
            head: Head {
                transaction: "a786hjs2".into(),
                kind: Kind::Request(Method::Send),
                headers: vec![
                    ("Content-Type".into(), "text/plain".into()),
                    ("Message-ID".into(), "87652491".into()),
                    (
                        "From-Path".into(),
                        "msrp://atlanta.example.com:7654/jshA7weztas;tcp".into(),
                    ),
                    (
                        "To-Path".into(),
                        "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp".into(),
                    ),
                    ("Byte-Range".into(), "1-25/25".into()),
                ],
            },
            body: b"Hey Bob, are you there?".to_vec(),
            continuation: Continuation::Complete,
        };
        let mut out = Vec::new();
        frame.encode(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), RFC_SEND);
    }

    #[test]
    fn the_end_line_is_found_in_a_body_only_after_a_line_break() {
        assert!(body_holds_end_line(b"x\r\n-------abc$", "abc"));
        assert!(!body_holds_end_line(b"-------abc$", "abc"));
    }
}
