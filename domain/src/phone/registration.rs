//! Registering accounts: the password comes from the secret store, never from settings.

use wink_ports::{AccountId, Registration, RegistrationState};

use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::{Account, AccountKind};

impl Phone {
    /// Adds the account, or replaces the one with its id (keeping its registration state).
    pub(super) fn set_account(&mut self, mut account: Account) -> CommandOutcome {
        let accounts = &mut self.settings.accounts;
        match accounts.iter_mut().find(|a| a.id == account.id) {
            Some(existing) => {
                account.registration = existing.registration.clone();
                *existing = account;
            }
            None => accounts.push(account),
        }
        CommandOutcome::Done
    }

    /// Unregisters (when it registers) and forgets the account.
    pub(super) async fn remove_account(
        &mut self,
        id: &AccountId,
    ) -> Result<CommandOutcome, PhoneError> {
        let account = self.account(id)?;
        if matches!(account.kind, AccountKind::Sip { .. })
            && account.registration != RegistrationState::Unregistered
        {
            self.ports.signaling.unregister(id).await?;
        }
        self.settings.accounts.retain(|a| &a.id != id);
        if self.settings.default_account.as_ref() == Some(id) {
            self.settings.default_account = None;
        }
        Ok(CommandOutcome::Done)
    }

    pub(super) fn set_default_account(
        &mut self,
        id: AccountId,
    ) -> Result<CommandOutcome, PhoneError> {
        self.account(&id)?;
        self.settings.default_account = Some(id);
        Ok(CommandOutcome::Done)
    }

    pub(super) async fn register(&mut self, id: &AccountId) -> Result<CommandOutcome, PhoneError> {
        let account = self.account(id)?;
        let AccountKind::Sip {
            address,
            auth_username,
            outbound_proxy,
        } = &account.kind
        else {
            return Err(PhoneError::NotRegistrable(id.clone()));
        };
        let mut registration = Registration {
            account: id.clone(),
            address: address.to_uri(),
            display_name: account.display_name.clone(),
            auth_username: auth_username.clone(),
            password: wink_ports::Password::new(""),
            outbound_proxy: outbound_proxy.as_ref().map(|p| p.to_uri()),
            expires_secs: self.settings.registration_expires_secs,
            contact: account.contact,
        };
        registration.password = self
            .ports
            .secrets
            .get_password(id)
            .await?
            .ok_or_else(|| PhoneError::PasswordMissing(id.clone()))?;
        self.ports.signaling.register(registration).await?;
        Ok(CommandOutcome::Done)
    }

    pub(super) async fn unregister(
        &mut self,
        id: &AccountId,
    ) -> Result<CommandOutcome, PhoneError> {
        self.account(id)?;
        self.ports.signaling.unregister(id).await?;
        Ok(CommandOutcome::Done)
    }

    pub(super) fn on_registration(&mut self, id: AccountId, state: RegistrationState) {
        if let Some(account) = self.settings.accounts.iter_mut().find(|a| a.id == id) {
            account.registration = state.clone();
        }
        self.emit(PhoneEvent::Registration { account: id, state });
    }
}
