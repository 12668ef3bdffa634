//! `message/cpim` (RFC 3862), the envelope chat clients such as Blink wrap their lines in:
//! message headers (From, To, DateTime), a blank line, the content's own headers
//! (Content-Type), a blank line, the content. What a chat shows is the content.

/// What a received chat message holds for the person reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatContent {
    /// Text to show.
    Text(String),
    /// Something not for reading (a delivery notification, an is-composing state, …),
    /// with its content type.
    Other(String),
}

/// Reads a received message: a `message/cpim` envelope is opened; text is shown.
#[must_use]
pub fn read_chat(content_type: &str, body: &[u8]) -> ChatContent {
    let kind = content_type.split(';').next().unwrap_or_default().trim();
    if kind.eq_ignore_ascii_case("message/cpim") {
        return match open_envelope(body) {
            Some((inner, content)) => read_chat(&inner, content),
            None => ChatContent::Other(kind.to_owned()),
        };
    }
    let is_text = kind.is_empty() || kind.to_ascii_lowercase().starts_with("text/");
    if is_text {
        ChatContent::Text(String::from_utf8_lossy(body).into_owned())
    } else {
        ChatContent::Other(kind.to_owned())
    }
}

/// The inner content type and content of a CPIM envelope.
fn open_envelope(body: &[u8]) -> Option<(String, &[u8])> {
    let (_message_headers, rest) = split_at_blank_line(body)?;
    let (content_headers, content) = split_at_blank_line(rest)?;
    let headers = String::from_utf8_lossy(content_headers);
    let inner = headers
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("Content-Type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| "text/plain".to_owned());
    Some((inner, content))
}

/// Splits at the first empty line (CRLF CRLF, or LF LF from lenient senders).
fn split_at_blank_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let crlf = find_bytes(bytes, b"\r\n\r\n").map(|at| (at, 4));
    let lf = find_bytes(bytes, b"\n\n").map(|at| (at, 2));
    let (at, len) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (a, b) => a.or(b)?,
    };
    Some((&bytes[..at], &bytes[at + len..]))
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpim_envelope_is_opened_to_its_text() {
        let body = "From: Alice <im:alice@example.com>\r\nTo: Bob <im:bob@example.com>\r\n\
                    DateTime: 2000-12-13T13:40:00-08:00\r\n\r\n\
                    Content-Type: text/plain; charset=utf-8\r\n\r\nHello ☺\r\nsecond line";
        assert_eq!(
            read_chat("message/cpim", body.as_bytes()),
            ChatContent::Text("Hello ☺\r\nsecond line".into())
        );
    }

    #[test]
    fn plain_text_is_text_and_notifications_are_not_shown() {
        assert_eq!(
            read_chat("text/plain", b"hi"),
            ChatContent::Text("hi".into())
        );
        let imdn =
            "From: <im:bob@example.com>\r\n\r\nContent-Type: message/imdn+xml\r\n\r\n<imdn/>";
        assert_eq!(
            read_chat("message/cpim", imdn.as_bytes()),
            ChatContent::Other("message/imdn+xml".into())
        );
        assert_eq!(
            read_chat("application/im-iscomposing+xml", b"<x/>"),
            ChatContent::Other("application/im-iscomposing+xml".into())
        );
        assert_eq!(
            read_chat("message/cpim", b"no blank line at all"),
            ChatContent::Other("message/cpim".into())
        );
    }
}
