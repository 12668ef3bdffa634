//! Short messages (SIP MESSAGE): at most 1300 characters over IP, 160 to a phone number.

/// The longest short message to a SIP address.
pub const MAX_IP_CHARS: usize = 1300;
/// The longest short message to a phone number (one SMS).
pub const MAX_PHONE_CHARS: usize = 160;

/// Why a short message cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// Nothing to send.
    #[error("the message is empty")]
    Empty,
    /// Over the limit.
    #[error("the message has {length} characters; at most {max} can be sent {to}")]
    TooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
        /// Where to ("to a phone number", "over IP").
        to: &'static str,
    },
}

/// A short message checked against its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortMessage(String);

impl ShortMessage {
    /// Checks `text` for a recipient that is (or is not) a phone number. Characters are
    /// counted as people see them (Unicode scalar values), not bytes.
    ///
    /// # Errors
    /// [`MessageError::Empty`], [`MessageError::TooLong`].
    pub fn new(text: &str, to_phone_number: bool) -> Result<Self, MessageError> {
        if text.trim().is_empty() {
            return Err(MessageError::Empty);
        }
        let (max, to) = if to_phone_number {
            (MAX_PHONE_CHARS, "to a phone number")
        } else {
            (MAX_IP_CHARS, "over IP")
        };
        let length = text.chars().count();
        if length > max {
            return Err(MessageError::TooLong { length, max, to });
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_limit_is_1300_characters() {
        assert!(ShortMessage::new(&"a".repeat(1300), false).is_ok());
        assert_eq!(
            ShortMessage::new(&"a".repeat(1301), false),
            Err(MessageError::TooLong {
                length: 1301,
                max: 1300,
                to: "over IP"
            })
        );
    }

    #[test]
    fn phone_limit_is_160_characters() {
        assert!(ShortMessage::new(&"a".repeat(160), true).is_ok());
        let err = ShortMessage::new(&"a".repeat(161), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the message has 161 characters; at most 160 can be sent to a phone number"
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 160 characters of 'é' are 320 bytes: still one SMS.
        assert!(ShortMessage::new(&"é".repeat(160), true).is_ok());
        assert!(ShortMessage::new(&"😀".repeat(1300), false).is_ok());
    }

    #[test]
    fn empty_is_rejected() {
        assert_eq!(ShortMessage::new("  \n", false), Err(MessageError::Empty));
    }
}
