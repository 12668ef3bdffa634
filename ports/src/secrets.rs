//! [`SecretStore`]: account passwords, kept out of the settings file and the logs.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::AccountId;

/// A password: wiped from memory on drop, never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret text, for the one place that needs it (digest authentication).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Why a secret could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret service is not running or refused the connection.
    #[error("the secret store is not available: {0}")]
    Unavailable(String),
    /// The keyring is locked and could not be unlocked.
    #[error("the keyring is locked")]
    Locked,
    /// The store failed while reading or writing.
    #[error("the secret store failed: {0}")]
    Backend(String),
}

/// Where passwords live: the desktop keyring, or an explicit file store on headless machines.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait SecretStore: Send + Sync {
    /// The password of `account`, or `None` if none is stored.
    ///
    /// # Errors
    /// [`SecretError::Unavailable`], [`SecretError::Locked`], [`SecretError::Backend`].
    async fn get_password(&self, account: &AccountId) -> Result<Option<Password>, SecretError>;

    /// Stores (or replaces) the password of `account`.
    ///
    /// # Errors
    /// [`SecretError::Unavailable`], [`SecretError::Locked`], [`SecretError::Backend`].
    async fn set_password(
        &self,
        account: &AccountId,
        password: &Password,
    ) -> Result<(), SecretError>;

    /// Deletes the password of `account`; `Ok(false)` if there was none.
    ///
    /// # Errors
    /// [`SecretError::Unavailable`], [`SecretError::Locked`], [`SecretError::Backend`].
    async fn delete_password(&self, account: &AccountId) -> Result<bool, SecretError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_secret() {
        let password = Password::new("hunter2");
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
        assert_eq!(password.expose(), "hunter2");
    }
}
