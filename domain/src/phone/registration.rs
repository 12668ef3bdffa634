//! Registering accounts: the password comes from the secret store, never from settings.

use wink_ports::{AccountId, Registration, RegistrationState};

use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::AccountKind;

impl Phone {
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
