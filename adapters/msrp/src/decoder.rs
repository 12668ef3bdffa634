//! Reading frames from a byte stream (RFC 4975 §7): start line, headers, then the body
//! up to the end-line `-------<transaction><flag>`. A body is handed out in pieces as it
//! arrives, so a chunk of any size is read in bounded memory.

use memchr::memmem;

use crate::error::FramingError;
use crate::frame::{Continuation, Head, Kind, Method};

/// The most the start line and headers of one frame may take.
pub const MAX_HEAD: usize = 16 * 1024;

/// One thing read from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A frame's start line and headers.
    Head(Head),
    /// A piece of the current frame's body.
    Data(Vec<u8>),
    /// The current frame's end-line.
    End(Continuation),
    /// A frame whose start line was read but whose headers are malformed, read to its
    /// end-line and dropped: a request gets 400.
    Invalid {
        /// Its transaction id.
        transaction: String,
        /// Request or response.
        kind: Kind,
        /// What was wrong.
        reason: String,
    },
}

#[derive(Debug)]
enum State {
    StartLine,
    Headers(Head),
    /// In a body, looking for `boundary` (`CRLF -------<transaction>`); a frame being
    /// dropped keeps what to say of it.
    Body {
        boundary: Vec<u8>,
        dropped: Option<Dropped>,
    },
    /// A frame without a body: its end-line was read with the headers.
    EndOfHead(Continuation),
}

#[derive(Debug)]
struct Dropped {
    transaction: String,
    kind: Kind,
    reason: String,
}

/// Turns the bytes of one connection into [`Decoded`] items.
#[derive(Debug)]
pub struct Decoder {
    buffer: Vec<u8>,
    /// Where the unread bytes of `buffer` start.
    read: usize,
    state: State,
    /// Where to look for the end-line next (no end-line starts between `read` and it).
    searched: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder at the start of a stream.
    #[must_use]
    pub fn new() -> Self {
        Self {
            buffer: Vec::new(),
            read: 0,
            state: State::StartLine,
            searched: 0,
        }
    }

    /// Adds bytes read from the connection.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.read > 0 && self.read >= self.buffer.len() / 2 {
            self.buffer.drain(..self.read);
            self.searched -= self.read.min(self.searched);
            self.read = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// How many bytes are held and not yet handed out.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.buffer.len() - self.read
    }

    /// The next item; `Ok(None)` until more bytes come.
    ///
    /// # Errors
    /// [`FramingError`] when the stream cannot be read as MSRP any further: the
    /// connection is to be closed.
    pub fn next_item(&mut self) -> Result<Option<Decoded>, FramingError> {
        match std::mem::replace(&mut self.state, State::StartLine) {
            State::StartLine => self.start_line(),
            State::Headers(head) => self.headers(head),
            State::Body { boundary, dropped } => Ok(self.body(boundary, dropped)),
            State::EndOfHead(continuation) => Ok(Some(Decoded::End(continuation))),
        }
    }

    fn line(&mut self) -> Result<Option<String>, FramingError> {
        let unread = &self.buffer[self.read..];
        let Some(at) = memmem::find(unread, b"\r\n") else {
            if unread.len() > MAX_HEAD {
                return Err(FramingError::HeadersTooLong(MAX_HEAD));
            }
            return Ok(None);
        };
        if at > MAX_HEAD {
            return Err(FramingError::HeadersTooLong(MAX_HEAD));
        }
        let line = String::from_utf8_lossy(&unread[..at]).into_owned();
        self.read += at + 2;
        Ok(Some(line))
    }

    fn start_line(&mut self) -> Result<Option<Decoded>, FramingError> {
        loop {
            let Some(line) = self.line()? else {
                return Ok(None);
            };
            // Blank lines between frames are tolerated.
            if line.is_empty() {
                continue;
            }
            let head = parse_start_line(&line).ok_or(FramingError::BadStartLine(line))?;
            return self.headers(head);
        }
    }

    fn headers(&mut self, mut head: Head) -> Result<Option<Decoded>, FramingError> {
        let mut size: usize = head.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        loop {
            let Some(line) = self.line()? else {
                self.state = State::Headers(head);
                return Ok(None);
            };
            if let Some(continuation) = end_line_flag(&line, &head.transaction) {
                self.state = State::EndOfHead(continuation);
                return Ok(Some(Decoded::Head(head)));
            }
            if line.is_empty() {
                self.searched = self.read;
                self.state = State::Body {
                    boundary: boundary_of(&head.transaction),
                    dropped: None,
                };
                return Ok(Some(Decoded::Head(head)));
            }
            size += line.len();
            if size > MAX_HEAD {
                return Err(FramingError::HeadersTooLong(MAX_HEAD));
            }
            let Some(header) = parse_header(&line) else {
                // Read on to the end-line, which may follow this line directly: search
                // from the line break that ended it.
                self.read -= 2;
                self.searched = self.read;
                let dropped = Dropped {
                    transaction: head.transaction.clone(),
                    kind: head.kind,
                    reason: format!("malformed header line {line:?}"),
                };
                return Ok(self.body(boundary_of(&dropped.transaction), Some(dropped)));
            };
            head.headers.push(header);
        }
    }

    fn body(&mut self, boundary: Vec<u8>, dropped: Option<Dropped>) -> Option<Decoded> {
        loop {
            let found =
                memmem::find(&self.buffer[self.searched..], &boundary).map(|at| self.searched + at);
            let end = match found {
                Some(at) if at == self.read => {
                    // The boundary starts here: an end-line when a flag and CRLF follow.
                    let after = at + boundary.len();
                    let Some(tail) = self.buffer.get(after..after + 3) else {
                        self.state = State::Body { boundary, dropped };
                        return None;
                    };
                    match Continuation::from_flag(tail[0]) {
                        Some(continuation) if &tail[1..] == b"\r\n" => {
                            self.read = after + 3;
                            self.searched = self.read;
                            return Some(match dropped {
                                None => Decoded::End(continuation),
                                Some(d) => Decoded::Invalid {
                                    transaction: d.transaction,
                                    kind: d.kind,
                                    reason: d.reason,
                                },
                            });
                        }
                        // Body bytes that only look like the start of an end-line.
                        _ => {
                            self.searched = at + 1;
                            continue;
                        }
                    }
                }
                Some(at) => at,
                // Keep back the tail that may be the start of the boundary.
                None => self
                    .buffer
                    .len()
                    .saturating_sub(boundary.len() - 1)
                    .max(self.read),
            };
            self.searched = end.max(self.read);
            if end <= self.read {
                self.state = State::Body { boundary, dropped };
                return None;
            }
            let piece = &self.buffer[self.read..end];
            self.read = end;
            if dropped.is_none() {
                let piece = piece.to_vec();
                self.state = State::Body { boundary, dropped };
                return Some(Decoded::Data(piece));
            }
        }
    }
}

/// `CRLF -------<transaction>`.
fn boundary_of(transaction: &str) -> Vec<u8> {
    let mut boundary = Vec::with_capacity(9 + transaction.len());
    boundary.extend_from_slice(b"\r\n-------");
    boundary.extend_from_slice(transaction.as_bytes());
    boundary
}

/// The flag of `line` when it is the end-line of `transaction`.
fn end_line_flag(line: &str, transaction: &str) -> Option<Continuation> {
    let flag = line.strip_prefix("-------")?.strip_prefix(transaction)?;
    match flag.as_bytes() {
        [flag] => Continuation::from_flag(*flag),
        _ => None,
    }
}

/// `MSRP <transaction> <METHOD>` or `MSRP <transaction> <code> [comment]`.
fn parse_start_line(line: &str) -> Option<Head> {
    let rest = line.strip_prefix("MSRP ")?;
    let (transaction, rest) = rest.split_once(' ')?;
    if !is_transaction_id(transaction) {
        return None;
    }
    let (word, comment) = match rest.split_once(' ') {
        Some((word, comment)) => (word, Some(comment.to_owned())),
        None => (rest, None),
    };
    let kind = if word.len() == 3 && word.bytes().all(|b| b.is_ascii_digit()) {
        Kind::Response {
            code: word.parse().ok()?,
            comment,
        }
    } else if comment.is_none() && !word.is_empty() && word.bytes().all(|b| b.is_ascii_uppercase())
    {
        Kind::Request(Method::from_token(word))
    } else {
        return None;
    };
    Some(Head {
        transaction: transaction.to_owned(),
        kind,
        headers: Vec::new(),
    })
}

/// `ident = ALPHANUM 3*31ident-char` (RFC 4975 §9).
fn is_transaction_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    (4..=32).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b".-+%=".contains(b))
}

/// `name: value` (the space after the colon is taken as optional).
fn parse_header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.!%*+`'~".contains(&b));
    valid_name.then(|| (name.to_owned(), value.trim().to_owned()))
}

/// Reads whole frames from `bytes` (for tests, tools and the fuzz target): the frames, the
/// frames dropped as invalid, and the error that stopped the reading, if any.
#[must_use]
pub fn decode_frames(bytes: &[u8]) -> (Vec<crate::frame::Frame>, usize, Option<FramingError>) {
    let mut decoder = Decoder::new();
    decoder.push(bytes);
    let (mut frames, mut invalid) = (Vec::new(), 0);
    let mut current: Option<(Head, Vec<u8>)> = None;
    loop {
        match decoder.next_item() {
            Ok(None) => return (frames, invalid, None),
            Err(error) => return (frames, invalid, Some(error)),
            Ok(Some(Decoded::Head(head))) => current = Some((head, Vec::new())),
            Ok(Some(Decoded::Data(piece))) => {
                if let Some((_, body)) = current.as_mut() {
                    body.extend_from_slice(&piece);
                }
            }
            Ok(Some(Decoded::End(continuation))) => {
                if let Some((head, body)) = current.take() {
                    frames.push(crate::frame::Frame {
                        head,
                        body,
                        continuation,
                    });
                }
            }
            Ok(Some(Decoded::Invalid { .. })) => invalid += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEND: &str = crate::frame::RFC_SEND;

    const OK: &str = "MSRP a786hjs2 200 OK\r\n\
        To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
        From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
        -------a786hjs2$\r\n";

    fn one_byte_at_a_time(bytes: &[u8]) -> Vec<Decoded> {
        let mut decoder = Decoder::new();
        let mut items = Vec::new();
        for byte in bytes {
            decoder.push(std::slice::from_ref(byte));
            while let Some(item) = decoder.next_item().unwrap() {
                items.push(item);
            }
        }
        items
    }

    fn joined(items: &[Decoded]) -> (Vec<Head>, Vec<u8>, Vec<Continuation>) {
        let mut heads = Vec::new();
        let mut body = Vec::new();
        let mut ends = Vec::new();
        for item in items {
            match item {
                Decoded::Head(h) => heads.push(h.clone()),
                Decoded::Data(d) => body.extend_from_slice(d),
                Decoded::End(c) => ends.push(*c),
                Decoded::Invalid { reason, .. } => panic!("invalid: {reason}"),
            }
        }
        (heads, body, ends)
    }

    #[test]
    fn the_rfc_send_and_its_response_read_whole_and_byte_by_byte_alike() {
        let stream = format!("{SEND}{OK}");
        let (frames, invalid, error) = decode_frames(stream.as_bytes());
        assert_eq!((frames.len(), invalid, error), (2, 0, None));
        assert_eq!(frames[0].body, b"Hey Bob, are you there?");
        assert_eq!(frames[0].head.message_id(), Some("87652491"));
        assert_eq!(frames[0].continuation, Continuation::Complete);
        assert_eq!(
            frames[1].head.kind,
            Kind::Response {
                code: 200,
                comment: Some("OK".into())
            }
        );
        let (heads, body, ends) = joined(&one_byte_at_a_time(stream.as_bytes()));
        assert_eq!(heads, vec![frames[0].head.clone(), frames[1].head.clone()]);
        assert_eq!(body, frames[0].body);
        assert_eq!(ends, vec![Continuation::Complete, Continuation::Complete]);
    }

    #[test]
    fn encoding_then_decoding_gives_the_frame_back() {
        let (frames, _, _) = decode_frames(SEND.as_bytes());
        let mut out = Vec::new();
        frames[0].encode(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), SEND);
    }

    #[test]
    fn a_body_that_looks_like_an_end_line_is_body() {
        let body = "line\r\n-------a786hjs2x\r\n-------a786hjs2$tail\r\n-------a786hjs";
        let stream = SEND.replace("Hey Bob, are you there?", body);
        let (frames, _, error) = decode_frames(stream.as_bytes());
        assert_eq!(error, None);
        assert_eq!(String::from_utf8_lossy(&frames[0].body), body);
        let (_, streamed, _) = joined(&one_byte_at_a_time(stream.as_bytes()));
        assert_eq!(String::from_utf8_lossy(&streamed), body);
    }

    #[test]
    fn a_large_body_comes_out_in_pieces_while_little_is_held() {
        let mut decoder = Decoder::new();
        let head = SEND
            .split("Hey Bob")
            .next()
            .unwrap()
            .replace("1-25/25", "1-1000000/1000000");
        decoder.push(head.as_bytes());
        assert!(matches!(decoder.next_item(), Ok(Some(Decoded::Head(_)))));
        let mut received = 0;
        let mut most_held = 0;
        for _ in 0..1000 {
            decoder.push(&[b'x'; 1000]);
            while let Some(Decoded::Data(piece)) = decoder.next_item().unwrap() {
                received += piece.len();
            }
            most_held = most_held.max(decoder.buffered());
        }
        decoder.push(b"\r\n-------a786hjs2+\r\n");
        while let Some(item) = decoder.next_item().unwrap() {
            match item {
                Decoded::Data(piece) => received += piece.len(),
                Decoded::End(c) => assert_eq!(c, Continuation::More),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(received, 1_000_000);
        assert!(most_held < 64, "held {most_held} bytes");
    }

    #[test]
    fn a_malformed_header_drops_its_frame_only() {
        let bad = SEND.replace("Message-ID: 87652491", "Message-ID 87652491");
        let stream = format!("{bad}{OK}");
        let mut decoder = Decoder::new();
        decoder.push(stream.as_bytes());
        match decoder.next_item().unwrap() {
            Some(Decoded::Invalid {
                transaction,
                kind,
                reason,
            }) => {
                assert_eq!(transaction, "a786hjs2");
                assert_eq!(kind, Kind::Request(Method::Send));
                assert!(reason.contains("Message-ID 87652491"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(decoder.next_item(), Ok(Some(Decoded::Head(_)))));
        // The same when the bad line is the last before the end-line.
        let bare = "MSRP abcd SEND\r\nTo-Path msrp://x:1/y;tcp\r\n-------abcd$\r\n";
        let (frames, invalid, error) = decode_frames(format!("{bare}{OK}").as_bytes());
        assert_eq!((frames.len(), invalid, error), (1, 1, None));
    }

    #[test]
    fn what_is_not_msrp_closes_the_stream_with_a_reason() {
        for garbage in [
            "GET / HTTP/1.1\r\n",
            "MSRP ab SEND\r\n",
            "MSRP abcd send\r\n",
            "MSRP abcd 20 OK\r\n",
        ] {
            let (_, _, error) = decode_frames(garbage.as_bytes());
            assert!(
                matches!(error, Some(FramingError::BadStartLine(_))),
                "{garbage}: {error:?}"
            );
        }
        let endless = format!("MSRP abcd SEND\r\nX: {}", "y".repeat(MAX_HEAD + 1));
        let (_, _, error) = decode_frames(endless.as_bytes());
        assert_eq!(error, Some(FramingError::HeadersTooLong(MAX_HEAD)));
    }
}
