//! Passwords kept in memory only: for throw-away phones such as the self-test's.

use std::collections::HashMap;
use std::sync::Mutex;

use wink_ports::{AccountId, Password, SecretError, SecretStore};

/// A [`SecretStore`] that forgets everything when dropped.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    passwords: Mutex<HashMap<AccountId, Password>>,
}

#[async_trait::async_trait]
impl SecretStore for MemorySecretStore {
    async fn get_password(&self, account: &AccountId) -> Result<Option<Password>, SecretError> {
        let passwords = self
            .passwords
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(passwords.get(account).cloned())
    }

    async fn set_password(
        &self,
        account: &AccountId,
        password: &Password,
    ) -> Result<(), SecretError> {
        let mut passwords = self
            .passwords
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        passwords.insert(account.clone(), password.clone());
        Ok(())
    }

    async fn delete_password(&self, account: &AccountId) -> Result<bool, SecretError> {
        let mut passwords = self
            .passwords
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(passwords.remove(account).is_some())
    }
}
