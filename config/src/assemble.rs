//! The composition root: builds adapters from settings.
//!
//! Frontends call these so the wiring is written once. The signaling, media and storage
//! adapters join here as their issues land; until then this builds the secret store and the
//! domain's view of the settings.

use std::sync::Arc;

use wink_domain::{Account, AccountKind, PhoneSettings};
use wink_ports::{SecretError, SecretStore};
use wink_secrets::{FileSecretStore, KeyringStore};

use crate::{Paths, SecretBackend, Settings};

/// The secret store the settings choose: the keyring, or the file store when the user
/// selected it. A keyring that cannot be reached is an error, never a silent fallback.
///
/// # Errors
/// [`SecretError::Unavailable`] when the keyring is chosen but no Secret Service answers.
pub async fn build_secret_store(
    settings: &Settings,
    paths: &Paths,
) -> Result<Arc<dyn SecretStore>, SecretError> {
    Ok(match settings.secrets {
        SecretBackend::Keyring => Arc::new(KeyringStore::connect().await?),
        SecretBackend::File => Arc::new(FileSecretStore::new(paths.secrets_file())),
    })
}

/// The domain's view of the settings: accounts (plus Bonjour when on), answering machine,
/// recordings folder.
pub fn phone_settings(settings: &Settings, paths: &Paths) -> PhoneSettings {
    let mut accounts: Vec<Account> = settings
        .accounts
        .iter()
        .map(|a| {
            let mut account = Account::sip(a.address.clone());
            account.kind = AccountKind::Sip {
                address: a.address.clone(),
                auth_username: a
                    .auth_username
                    .clone()
                    .unwrap_or_else(|| a.address.user().to_owned()),
                outbound_proxy: a.outbound_proxy.clone(),
            };
            account.display_name = a.display_name.clone();
            account.enabled = a.enabled;
            account.number_rules = a.number_rules.clone();
            account.web_alert = a.web_alert_url.clone();
            account
        })
        .collect();
    if settings.bonjour_account {
        accounts.push(Account::bonjour());
    }
    PhoneSettings {
        accounts,
        default_account: settings.default_account.clone(),
        answering_machine: settings.answering_machine,
        registration_expires_secs: 600,
        recordings_dir: Some(paths.recordings_dir()),
    }
}

#[cfg(test)]
mod tests {
    use wink_domain::{AccountAddress, NumberRules};

    use super::*;
    use crate::AccountSettings;

    #[test]
    fn accounts_carry_their_options_into_the_domain() {
        let mut settings = Settings::default();
        let mut a = AccountSettings::new(AccountAddress::parse("4021@sip.provider.net").unwrap());
        a.auth_username = Some("auth-4021".into());
        a.number_rules = NumberRules {
            external_line_prefix: Some("9".into()),
            ..NumberRules::default()
        };
        settings.accounts.push(a);
        settings.bonjour_account = true;
        let paths = Paths::under(std::path::Path::new("/tmp/wink-test"));
        let phone = phone_settings(&settings, &paths);
        assert_eq!(phone.accounts.len(), 2);
        let AccountKind::Sip { auth_username, .. } = &phone.accounts[0].kind else {
            panic!()
        };
        assert_eq!(auth_username, "auth-4021");
        assert_eq!(
            phone.accounts[0]
                .number_rules
                .external_line_prefix
                .as_deref(),
            Some("9")
        );
        assert_eq!(phone.accounts[1].kind, AccountKind::Bonjour);
        assert_eq!(phone.recordings_dir, Some(paths.recordings_dir()));
    }
}
