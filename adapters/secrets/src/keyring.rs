//! The desktop keyring (Secret Service) store.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};
use wink_ports::{AccountId, Password, SecretError, SecretStore};

use crate::SERVICE;

/// Passwords in the desktop keyring, filed under service `wink` and the account id.
#[derive(Clone)]
pub struct KeyringStore {
    store: Arc<CredentialStore>,
}

impl std::fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyringStore(Secret Service)")
    }
}

fn to_port_error(error: Error) -> SecretError {
    match error {
        Error::NoStorageAccess(inner) => {
            let text = inner.to_string();
            if text.to_ascii_lowercase().contains("lock") {
                SecretError::Locked
            } else {
                SecretError::Unavailable(text)
            }
        }
        Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        Error::NoDefaultStore => SecretError::Unavailable("no credential store configured".into()),
        // Never echo stored bytes: the variants carrying them may hold a secret.
        Error::BadEncoding(_) => SecretError::Backend("the stored password is not UTF-8".into()),
        Error::BadDataFormat(_, _) => SecretError::Backend("the stored secret is malformed".into()),
        other => SecretError::Backend(other.to_string()),
    }
}

impl KeyringStore {
    /// Connects to the Secret Service on the session bus.
    ///
    /// # Errors
    /// [`SecretError::Unavailable`] when no Secret Service answers (no session bus, no
    /// keyring daemon): the user should pick the file store for this machine.
    pub async fn connect() -> Result<Self, SecretError> {
        let store = tokio::task::spawn_blocking(zbus_secret_service_keyring_store::Store::new)
            .await
            .map_err(|e| SecretError::Backend(e.to_string()))?
            .map_err(to_port_error)?;
        Ok(Self { store })
    }

    async fn with_entry<T: Send + 'static>(
        &self,
        account: &AccountId,
        operation: impl FnOnce(Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<Result<T, Error>, SecretError> {
        let store = self.store.clone();
        let user = account.as_str().to_owned();
        tokio::task::spawn_blocking(move || {
            let entry = Entry::new_in_store(&store, SERVICE, &user)?;
            operation(entry)
        })
        .await
        .map_err(|e| SecretError::Backend(e.to_string()))
    }
}

#[async_trait::async_trait]
impl SecretStore for KeyringStore {
    async fn get_password(&self, account: &AccountId) -> Result<Option<Password>, SecretError> {
        match self
            .with_entry(account, |entry| entry.get_password())
            .await?
        {
            Ok(secret) => Ok(Some(Password::new(secret))),
            Err(Error::NoEntry) => Ok(None),
            Err(error) => Err(to_port_error(error)),
        }
    }

    async fn set_password(
        &self,
        account: &AccountId,
        password: &Password,
    ) -> Result<(), SecretError> {
        let secret = password.clone();
        self.with_entry(account, move |entry| entry.set_password(secret.expose()))
            .await?
            .map_err(to_port_error)
    }

    async fn delete_password(&self, account: &AccountId) -> Result<bool, SecretError> {
        match self
            .with_entry(account, |entry| entry.delete_credential())
            .await?
        {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(error) => Err(to_port_error(error)),
        }
    }
}
