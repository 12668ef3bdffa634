//! Identifiers that cross the ports.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An identifier was empty or held characters it may not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The identifier was empty.
    #[error("{kind} must not be empty")]
    Empty {
        /// What kind of identifier.
        kind: &'static str,
    },
    /// The identifier held whitespace or control characters.
    #[error("{kind} must not contain whitespace or control characters: {value:?}")]
    BadCharacter {
        /// What kind of identifier.
        kind: &'static str,
        /// The rejected value.
        value: String,
    },
}

fn validate(kind: &'static str, value: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(IdError::BadCharacter {
            kind,
            value: value.to_owned(),
        });
    }
    Ok(())
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an identifier: not empty, no whitespace or control characters.
            ///
            /// # Errors
            /// [`IdError`] names what is wrong.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                validate($kind, &value)?;
                Ok(Self(value))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

string_id!(
    /// An account, named by its SIP address (`user@domain`) or `bonjour`.
    AccountId,
    "account id"
);
string_id!(
    /// One call or session (for SIP: our handle on a dialog).
    SessionId,
    "session id"
);
string_id!(
    /// A contact in the contact list.
    ContactId,
    "contact id"
);
string_id!(
    /// A group of contacts.
    GroupId,
    "group id"
);
string_id!(
    /// One short message or chat message.
    MessageId,
    "message id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_whitespace() {
        assert_eq!(
            AccountId::new(""),
            Err(IdError::Empty { kind: "account id" })
        );
        assert!(matches!(
            SessionId::new("a b"),
            Err(IdError::BadCharacter { .. })
        ));
        assert_eq!(
            AccountId::new("alice@example.com").unwrap().as_str(),
            "alice@example.com"
        );
    }
}
