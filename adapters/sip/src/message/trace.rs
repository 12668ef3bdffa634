//! The SIP trace: messages as text for the log, with credentials redacted.

/// The message as text, with `Authorization` and `Proxy-Authorization` values replaced by
/// their scheme and `<redacted>`, and a binary body summarised.
pub fn redacted(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut out = String::with_capacity(bytes.len());
    for line in head.split("\r\n") {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("authorization:") || lower.starts_with("proxy-authorization:") {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            out.push_str(name);
            out.push_str(": ");
            out.push_str(&crate::digest::redact_authorization(value.trim()));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_digest_answers() {
        let raw = b"REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"a\", response=\"secret\"\r\nproxy-authorization: Digest response=\"s2\"\r\n\r\n";
        let text = redacted(raw);
        assert!(!text.contains("secret") && !text.contains("s2"), "{text}");
        assert!(text.contains("Authorization: Digest <redacted>"));
    }
}
