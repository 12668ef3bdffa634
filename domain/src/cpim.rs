//! `message/cpim` (RFC 3862), the envelope chat clients such as Blink wrap their lines in:
//! message headers (From, To, DateTime), a blank line, the content's own headers
//! (Content-Type), a blank line, the content. What a chat shows is the content. The
//! message headers may ask for a delivery notification (IMDN, RFC 5438: `imdn.Message-ID`,
//! `imdn.Disposition-Notification: positive-delivery`), which [`crate::imdn`] answers.

use wink_ports::UnixMillis;

/// A received chat message, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedChat {
    /// What it holds.
    pub content: ChatContent,
    /// The sender's `imdn.Message-ID`, when it asks to be told the message was delivered.
    pub delivery_wanted: Option<String>,
}

/// What we send in an envelope.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// Our address (`sip:…`).
    pub from: &'a str,
    /// Theirs.
    pub to: &'a str,
    /// When it was written.
    pub at: UnixMillis,
    /// Our id for it; with it, a positive delivery notification is asked for.
    pub imdn_id: Option<&'a str>,
    /// `Content-Disposition` of the content (`notification` for an IMDN).
    pub disposition: Option<&'a str>,
    /// The content's type.
    pub content_type: &'a str,
}

impl Envelope<'_> {
    /// The envelope around `content`.
    #[must_use]
    pub fn wrap(&self, content: &[u8]) -> Vec<u8> {
        let mut head = format!(
            "From: <{}>\r\nTo: <{}>\r\nDateTime: {}\r\n",
            self.from,
            self.to,
            rfc3339(self.at)
        );
        if let Some(id) = self.imdn_id {
            head.push_str("NS: imdn <urn:ietf:params:imdn>\r\n");
            head.push_str(&format!("imdn.Message-ID: {id}\r\n"));
            if self.disposition.is_none() {
                head.push_str("imdn.Disposition-Notification: positive-delivery\r\n");
            }
        }
        head.push_str(&format!("\r\nContent-Type: {}\r\n", self.content_type));
        if let Some(disposition) = self.disposition {
            head.push_str(&format!("Content-Disposition: {disposition}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(content);
        bytes
    }
}

/// A moment as RFC 3339 in UTC (`2026-12-03T19:40:00.123Z`).
#[must_use]
pub fn rfc3339(at: UnixMillis) -> String {
    let millis = at.0.rem_euclid(1000);
    let secs = at.0.div_euclid(1000);
    let (days, in_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// What a received chat message holds for the person reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatContent {
    /// Text to show.
    Text(String),
    /// A delivery notification (IMDN) for a message of ours: its `imdn.Message-ID`, and
    /// whether it says delivered (else it says it failed).
    Notification {
        /// Our message's id.
        message_id: String,
        /// Delivered, or not.
        delivered: bool,
    },
    /// The other side is typing (`true`), or stopped (RFC 3994 is-composing).
    Composing(bool),
    /// Something not for reading, with its content type.
    Other(String),
}

/// Reads a received message: a `message/cpim` envelope is opened; text is shown.
#[must_use]
pub fn read_chat(content_type: &str, body: &[u8]) -> ReceivedChat {
    let kind = content_type.split(';').next().unwrap_or_default().trim();
    if !kind.eq_ignore_ascii_case("message/cpim") {
        return ReceivedChat {
            content: read_content(kind, body),
            delivery_wanted: None,
        };
    }
    let Some((message_headers, rest)) = split_at_blank_line(body) else {
        return ReceivedChat {
            content: ChatContent::Other(kind.to_owned()),
            delivery_wanted: None,
        };
    };
    let message_headers = String::from_utf8_lossy(message_headers);
    let wants_delivery = header(&message_headers, "imdn.Disposition-Notification")
        .is_some_and(|value| value.to_ascii_lowercase().contains("positive-delivery"));
    let delivery_wanted = header(&message_headers, "imdn.Message-ID")
        .filter(|_| wants_delivery)
        .map(str::to_owned);
    let content = match split_at_blank_line(rest) {
        Some((content_headers, content)) => {
            let headers = String::from_utf8_lossy(content_headers);
            let inner = header(&headers, "Content-Type").unwrap_or("text/plain");
            let inner = inner.split(';').next().unwrap_or_default().trim();
            read_content(inner, content)
        }
        None => ChatContent::Other(kind.to_owned()),
    };
    ReceivedChat {
        content,
        delivery_wanted,
    }
}

/// The content of a message (or of an envelope) by its type.
fn read_content(kind: &str, content: &[u8]) -> ChatContent {
    if kind.eq_ignore_ascii_case("message/imdn+xml") {
        return match crate::imdn::read_notification(&String::from_utf8_lossy(content)) {
            Some((message_id, delivered)) => ChatContent::Notification {
                message_id,
                delivered,
            },
            None => ChatContent::Other(kind.to_owned()),
        };
    }
    if kind.eq_ignore_ascii_case(crate::composing::CONTENT_TYPE) {
        return match crate::composing::read(&String::from_utf8_lossy(content)) {
            Some(active) => ChatContent::Composing(active),
            None => ChatContent::Other(kind.to_owned()),
        };
    }
    let is_text = kind.is_empty() || kind.to_ascii_lowercase().starts_with("text/");
    if is_text {
        ChatContent::Text(String::from_utf8_lossy(content).into_owned())
    } else {
        ChatContent::Other(kind.to_owned())
    }
}

/// The value of the first header `name` (any case) among `headers`.
fn header<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers.lines().find_map(|line| {
        let (found, value) = line.split_once(':')?;
        found
            .trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim())
    })
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
            read_chat("message/cpim", body.as_bytes()).content,
            ChatContent::Text("Hello ☺\r\nsecond line".into())
        );
    }

    #[test]
    fn what_we_wrap_reads_back_with_its_delivery_request() {
        let envelope = Envelope {
            from: "sip:alice@wink.test",
            to: "sip:bob@wink.test",
            at: UnixMillis(1_796_325_600_123),
            imdn_id: Some("m-42"),
            disposition: None,
            content_type: "text/plain;charset=utf-8",
        };
        let bytes = envelope.wrap("hi ☺".as_bytes());
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("DateTime: 2026-12-03T"), "{text}");
        assert!(text.contains("imdn.Disposition-Notification: positive-delivery\r\n"));
        let read = read_chat("message/cpim", &bytes);
        assert_eq!(read.content, ChatContent::Text("hi ☺".into()));
        assert_eq!(read.delivery_wanted.as_deref(), Some("m-42"));
    }

    #[test]
    fn dates_are_utc_rfc3339() {
        assert_eq!(rfc3339(UnixMillis(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(UnixMillis(951_782_400_000)),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(
            rfc3339(UnixMillis(1_704_067_199_999)),
            "2023-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn plain_text_is_text_and_notifications_are_not_shown() {
        assert_eq!(
            read_chat("text/plain", b"hi").content,
            ChatContent::Text("hi".into())
        );
        let imdn =
            "From: <im:bob@example.com>\r\n\r\nContent-Type: message/imdn+xml\r\n\r\n<imdn/>";
        assert_eq!(
            read_chat("message/cpim", imdn.as_bytes()).content,
            ChatContent::Other("message/imdn+xml".into())
        );
        assert_eq!(
            read_chat("application/im-iscomposing+xml", b"<x/>").content,
            ChatContent::Other("application/im-iscomposing+xml".into())
        );
        assert_eq!(
            read_chat(
                "application/im-iscomposing+xml",
                crate::composing::document(true).as_bytes()
            )
            .content,
            ChatContent::Composing(true)
        );
        assert_eq!(
            read_chat("message/cpim", b"no blank line at all").content,
            ChatContent::Other("message/cpim".into())
        );
    }
}
