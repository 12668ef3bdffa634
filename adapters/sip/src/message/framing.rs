//! Cutting a byte stream (TCP, TLS) into messages by Content-Length, with a size limit.

use super::parse::MAX_MESSAGE_SIZE;

/// Why a stream cannot be framed any more; the connection should be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    /// Headers or body beyond [`MAX_MESSAGE_SIZE`].
    #[error("message larger than {MAX_MESSAGE_SIZE} bytes on a stream")]
    TooLarge,
    /// A stream message without a usable Content-Length (mandatory on streams).
    #[error("missing or invalid Content-Length on a stream")]
    BadContentLength,
}

/// Accumulates stream bytes and yields whole messages. Memory is bounded by
/// [`MAX_MESSAGE_SIZE`]: a peer that never finishes its headers is cut off, never buffered.
#[derive(Debug, Default)]
pub struct StreamFramer {
    buffer: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(head).ok()?;
    text.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        (name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l"))
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

impl StreamFramer {
    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message, if one has arrived. Keep-alive CRLFs between messages are
    /// skipped (RFC 5626 §4.4.1).
    ///
    /// # Errors
    /// [`FramingError`]: the stream is unusable and should be closed.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, FramingError> {
        let leading = self
            .buffer
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count();
        self.buffer.drain(..leading);
        let Some(head_end) = find(&self.buffer, b"\r\n\r\n") else {
            if self.buffer.len() > MAX_MESSAGE_SIZE {
                return Err(FramingError::TooLarge);
            }
            return Ok(None);
        };
        let length =
            content_length(&self.buffer[..head_end]).ok_or(FramingError::BadContentLength)?;
        let total = head_end + 4 + length;
        if total > MAX_MESSAGE_SIZE {
            return Err(FramingError::TooLarge);
        }
        if self.buffer.len() < total {
            return Ok(None);
        }
        let rest = self.buffer.split_off(total);
        Ok(Some(std::mem::replace(&mut self.buffer, rest)))
    }

    /// Bytes waiting for the rest of their message.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &[u8] = b"OPTIONS sip:x SIP/2.0\r\nContent-Length: 3\r\n\r\nabc";

    #[test]
    fn frames_split_and_joined_messages() {
        let mut framer = StreamFramer::default();
        let mut stream = b"\r\n\r\n".to_vec();
        stream.extend_from_slice(M);
        stream.extend_from_slice(M);
        for chunk in stream.chunks(7) {
            framer.push(chunk);
        }
        assert_eq!(framer.next_message().unwrap().unwrap(), M);
        assert_eq!(framer.next_message().unwrap().unwrap(), M);
        assert_eq!(framer.next_message().unwrap(), None);
        assert_eq!(framer.pending(), 0);
    }

    #[test]
    fn waits_for_the_whole_body() {
        let mut framer = StreamFramer::default();
        framer.push(&M[..M.len() - 1]);
        assert_eq!(framer.next_message().unwrap(), None);
        framer.push(&M[M.len() - 1..]);
        assert_eq!(framer.next_message().unwrap().unwrap(), M);
    }

    #[test]
    fn bounds_memory() {
        let mut framer = StreamFramer::default();
        framer.push(&vec![b'a'; MAX_MESSAGE_SIZE + 1]);
        assert_eq!(framer.next_message(), Err(FramingError::TooLarge));
        let mut huge = StreamFramer::default();
        huge.push(b"OPTIONS sip:x SIP/2.0\r\nContent-Length: 999999999\r\n\r\n");
        assert_eq!(huge.next_message(), Err(FramingError::TooLarge));
        let mut missing = StreamFramer::default();
        missing.push(b"OPTIONS sip:x SIP/2.0\r\nVia: x\r\n\r\n");
        assert_eq!(missing.next_message(), Err(FramingError::BadContentLength));
    }
}
