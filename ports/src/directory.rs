//! [`DirectoryPort`]: a company directory (LDAP) searched as the user types.

use serde::{Deserialize, Serialize};

/// One person found in a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// The name shown.
    pub name: String,
    /// SIP addresses.
    pub sip_addresses: Vec<String>,
    /// Telephone numbers.
    pub phone_numbers: Vec<String>,
}

/// Why a directory search failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The server cannot be reached.
    #[error("the directory server is unavailable: {0}")]
    Unavailable(String),
    /// The server refused our credentials.
    #[error("the directory refused the credentials")]
    AuthenticationFailed,
    /// The server answered with an error.
    #[error("the directory search failed: {0}")]
    SearchFailed(String),
}

/// A directory searched by name, address or number.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait DirectoryPort: Send + Sync {
    /// Entries matching `text`, at most `limit`.
    ///
    /// # Errors
    /// [`DirectoryError::Unavailable`], [`DirectoryError::AuthenticationFailed`],
    /// [`DirectoryError::SearchFailed`].
    async fn search(&self, text: &str, limit: usize)
    -> Result<Vec<DirectoryEntry>, DirectoryError>;
}
