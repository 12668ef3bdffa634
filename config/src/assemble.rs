//! The composition root: builds adapters from settings and starts the phone.
//!
//! Frontends call [`assemble`] so the wiring is written once. Signaling is the SIP agent,
//! media the `wink-media` engine over `wink-audio` devices, storage the `wink-storage`
//! SQLite store.

mod chat_streams;
mod media;
mod memory_secrets;
mod memory_storage;
mod signaling_only_media;
mod storage;
mod system_clock;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

pub(crate) use chat_streams::chat_streams;
pub use chat_streams::check_msrp_relay;
pub use media::AudioSelection;
use media::MediaAddress;
pub use media::media_profile;
pub use memory_secrets::MemorySecretStore;
pub use memory_storage::MemoryStorage;
pub use signaling_only_media::SignalingOnlyMedia;
pub use storage::{OpenedStore, open_store, set_store_url};
pub use system_clock::SystemClock;
use wink_domain::{Account, AccountKind, Phone, PhoneHandle, PhoneSettings, Ports};
use wink_ports::{SecretError, SecretStore, SignalingError, StoragePort};
use wink_secrets::{FileSecretStore, KeyringStore};
use wink_sip::agent::{AgentConfig, SipAgent};

use crate::{Codec, Paths, SecretBackend, Settings, SrtpPolicy};

/// Why the phone could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssembleError {
    /// The secret store is unreachable.
    #[error(transparent)]
    Secrets(#[from] SecretError),
    /// The SIP agent could not start.
    #[error(transparent)]
    Signaling(#[from] SignalingError),
    /// The history/chat/contacts store could not be opened.
    #[error("the history database cannot be opened: {0}")]
    Storage(String),
    /// Chat streams cannot listen.
    #[error(transparent)]
    Chat(#[from] wink_ports::StreamError),
}

/// A running phone and the SIP agent behind it.
pub struct Assembled {
    /// The phone frontends talk to.
    pub phone: PhoneHandle,
    /// The SIP agent (for a clean shutdown: it unregisters).
    pub agent: Arc<SipAgent>,
    /// History, chats and contacts: the same store the phone writes to.
    pub store: Arc<dyn StoragePort>,
    /// Where a damaged history database was kept, if a new one had to be started.
    pub kept_damaged_database: Option<std::path::PathBuf>,
}

/// The account calls go out on: the default one, else the first.
fn main_account(settings: &Settings) -> Option<&crate::AccountSettings> {
    settings
        .default_account
        .as_ref()
        .and_then(|id| settings.account(id))
        .or_else(|| settings.accounts.first())
}

/// The local address that routes towards the default account's server: a connected UDP
/// socket tells which interface the kernel would use, without sending anything.
fn local_ip_towards(settings: &Settings) -> IpAddr {
    let Some(account) = main_account(settings) else {
        return IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    };
    let (host, port) = match &account.outbound_proxy {
        Some(proxy) => (
            proxy.host().trim_matches(['[', ']']).to_owned(),
            proxy.port(),
        ),
        None => (account.address.domain().to_owned(), 5060),
    };
    std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|socket| socket.connect((host.as_str(), port)).map(|()| socket))
        .and_then(|socket| socket.local_addr())
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |addr| addr.ip())
}

/// What the frontend asks for on top of the settings.
#[derive(Debug, Clone, Default)]
pub struct AssembleOptions {
    /// Where SIP listens (default: the interface towards the default account's server, any
    /// port).
    pub bind: Option<SocketAddr>,
    /// Where call audio comes from and goes to.
    pub audio: AudioSelection,
    /// Codecs for this run, instead of the account's or the settings'.
    pub codecs: Option<Vec<Codec>>,
    /// SRTP for this run, instead of the account's or the settings'.
    pub srtp: Option<SrtpPolicy>,
    /// Where received files go for this run, instead of the settings' folder.
    pub downloads: Option<std::path::PathBuf>,
}

/// The CA files the accounts trust beyond the usual roots (self-signed servers).
fn extra_ca_files(settings: &Settings) -> Vec<std::path::PathBuf> {
    settings
        .accounts
        .iter()
        .filter_map(|a| a.tls_ca_file.clone())
        .collect()
}

/// A seed for identifiers, from the clock (only their uniqueness matters).
pub(crate) fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id())
}

/// Builds the adapters the settings choose and starts the phone.
///
/// # Errors
/// [`AssembleError`] saying which part could not start.
pub async fn assemble(
    settings: &Settings,
    paths: &Paths,
    options: AssembleOptions,
) -> Result<Assembled, AssembleError> {
    let secrets = build_secret_store(settings, paths).await?;
    let opened = open_store(settings, paths).await?;
    let kept_damaged_database = opened.kept_damaged_file.clone();
    // Every interface by default: the address announced follows the route towards the
    // servers, so a new network (another interface, another address) is followed.
    let bind = options
        .bind
        .unwrap_or_else(|| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));
    let agent = Arc::new(
        SipAgent::start(AgentConfig {
            bind,
            announce_ip: Some(local_ip_towards(settings)),
            user_agent: format!("Wink/{}", env!("CARGO_PKG_VERSION")),
            dns_servers: settings.dns_servers.clone(),
            extra_ca_files: extra_ca_files(settings),
        })
        .await?,
    );
    let downloads = options
        .downloads
        .clone()
        .or_else(|| settings.downloads_dir.clone())
        .unwrap_or_else(|| paths.default_downloads_dir());
    let relay = match main_account(settings) {
        Some(account) => chat_streams::relay_for(account, secrets.as_ref()).await?,
        None => None,
    };
    let streams = chat_streams(
        bind.ip(),
        &agent,
        downloads,
        relay,
        &extra_ca_files(settings),
    )
    .await?;
    let ports = Ports {
        signaling: agent.clone(),
        streams,
        media: media::build_media(
            settings,
            &options.audio,
            media_profile(
                settings,
                main_account(settings),
                options.codecs.as_deref(),
                options.srtp,
            ),
            MediaAddress {
                bind: bind.ip(),
                announced: agent.announced_ip(),
            },
        ),
        storage: opened.store.clone(),
        secrets,
        clock: Arc::new(SystemClock),
    };
    let phone = Phone::spawn(ports, phone_settings(settings, paths));
    crate::memory::keep_giving_back_freed_memory();
    Ok(Assembled {
        phone,
        agent,
        store: opened.store,
        kept_damaged_database,
    })
}

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

/// The domain's view of one account's settings (for [`wink_domain::Command::SetAccount`]
/// when an account is added or changed while the phone runs).
pub fn domain_account(settings: &crate::AccountSettings) -> Account {
    let a = settings;
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
    account.web_alert_when = a.web_alert_when;
    account.dtmf_method = a.dtmf_method;
    account.contact = wink_ports::ContactOptions {
        use_username: a.contact_uses_username,
        public_address: a.contact_public_address,
    };
    account
}

/// The domain's view of the settings: accounts (plus Bonjour when on), answering machine,
/// recordings folder.
pub fn phone_settings(settings: &Settings, paths: &Paths) -> PhoneSettings {
    let mut accounts: Vec<Account> = settings.accounts.iter().map(domain_account).collect();
    if settings.bonjour_account {
        accounts.push(Account::bonjour());
    }
    PhoneSettings {
        accounts,
        default_account: settings.default_account.clone(),
        answering_machine: settings.answering_machine.clone(),
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
