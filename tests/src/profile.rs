//! A ready profile for the desktop app's tests and benchmarks: one SIP account (password in
//! the file secret store) and, optionally, a large contact list already in the store.

use std::path::Path;

use wink_config::{AccountSettings, ConfigFile, Paths, SecretBackend, Settings};
use wink_domain::{AccountAddress, OutboundProxy};
use wink_ports::{ContactId, ContactRecord, GroupId, GroupRecord, MediaKind, Password};

/// What the profile holds.
#[derive(Debug, Clone)]
pub struct Profile {
    /// `user@domain`.
    pub account: String,
    /// Its password.
    pub password: String,
    /// `host:port` of the outbound proxy (the test kamailio).
    pub proxy: String,
    /// How many contacts (in ten groups); 0 for none.
    pub contacts: usize,
    /// The account's incoming-call web page (`$caller_party` etc. filled in).
    pub web_alert: Option<String>,
    /// Where incoming calls ring (a device id such as `file:PATH`; `None`: the speaker).
    pub ringing: Option<String>,
}

impl Profile {
    /// The test kamailio's numbered user `user` (password `<user>-pw`), through `proxy`,
    /// with no contacts, no web page and the default ringing device.
    pub fn for_user(user: &str, proxy: String) -> Self {
        Self {
            account: format!("{user}@wink.test"),
            password: format!("{user}-pw"),
            proxy,
            contacts: 0,
            web_alert: None,
            ringing: None,
        }
    }
}

/// The XDG folders the app uses under `home` (as `Paths::from_env` finds them when `HOME`
/// and the XDG variables point there).
pub fn paths(home: &Path) -> Paths {
    Paths {
        config_dir: home.join(".config").join("wink"),
        data_dir: home.join(".local").join("share").join("wink"),
        state_dir: home.join(".local").join("state").join("wink"),
    }
}

/// Contact `n` of a generated list: `Person n`, `p{n}@wink.test`, `+44 20 {n:05}`.
pub fn contact(n: usize, group: &GroupId) -> ContactRecord {
    ContactRecord {
        id: ContactId::new(format!("c{n}")).expect("a valid id"),
        name: format!("Person {n}"),
        sip_addresses: vec![format!("p{n}@wink.test")],
        phone_numbers: vec![format!("+44 20 {n:05}")],
        aliases: Vec::new(),
        preferred_media: MediaKind::Audio,
        icon: None,
        group: group.clone(),
        position: u32::try_from(n).unwrap_or(u32::MAX),
        favorite: false,
    }
}

/// Writes the profile under `home`: settings (file secret store), the password, and the
/// contacts moved into the store in one transaction (the settings file keeps none).
///
/// # Errors
/// A sentence saying what could not be written.
pub async fn make(home: &Path, profile: &Profile) -> Result<(), String> {
    let paths = paths(home);
    let mut settings = Settings {
        secrets: SecretBackend::File,
        ..Settings::default()
    };
    let address = AccountAddress::parse(&profile.account).map_err(|e| e.to_string())?;
    let mut account = AccountSettings::new(address);
    account.outbound_proxy = Some(
        OutboundProxy::parse(&format!("{};transport=udp", profile.proxy))
            .map_err(|e| e.to_string())?,
    );
    account.web_alert_url = profile
        .web_alert
        .as_deref()
        .map(wink_domain::WebAlertTemplate::new);
    let id = account.id();
    settings.accounts.push(account);
    settings.audio.alert_device = profile.ringing.clone();
    settings.default_account = Some(id.clone());
    let groups: Vec<GroupRecord> = (0..10)
        .map(|g| GroupRecord {
            id: GroupId::new(format!("g{g}")).expect("a valid id"),
            name: format!("Group {g}"),
            position: g,
            collapsed: false,
        })
        .collect();
    if profile.contacts > 0 {
        settings.contacts.groups = groups.clone();
        settings.contacts.contacts = (0..profile.contacts)
            .map(|n| contact(n, &groups[n % groups.len()].id))
            .collect();
    }
    let secrets = wink_config::build_secret_store(&settings, &paths)
        .await
        .map_err(|e| e.to_string())?;
    secrets
        .set_password(&id, &Password::new(profile.password.as_str()))
        .await
        .map_err(|e| e.to_string())?;
    let opened = wink_config::open_store(&settings, &paths)
        .await
        .map_err(|e| e.to_string())?;
    drop(opened);
    settings.contacts = Default::default();
    ConfigFile::new(paths.config_file())
        .save(&settings)
        .map_err(|e| e.to_string())
}
