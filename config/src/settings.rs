//! The settings model: what `config.toml` holds. Passwords are never part of it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use wink_domain::{
    AccountAddress, AnsweringMachine, DtmfMethod, NumberRules, OutboundProxy, SpecialGroups,
    WebAlertMoment, WebAlertTemplate,
};
use wink_ports::{AccountId, ContactRecord, GroupRecord};

/// An audio codec, in the order of preference the user set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    /// Opus, 48 kHz.
    Opus,
    /// G.722, wideband.
    G722,
    /// G.711 A-law.
    Pcma,
    /// G.711 µ-law.
    Pcmu,
}

impl Codec {
    /// The default order: the best quality first, G.711 last for compatibility.
    pub fn default_order() -> Vec<Codec> {
        vec![Codec::Opus, Codec::G722, Codec::Pcma, Codec::Pcmu]
    }
}

/// Whether calls encrypt media with SRTP (SDES).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SrtpPolicy {
    /// Plain RTP only.
    Off,
    /// Offer SRTP, accept plain RTP.
    #[default]
    Optional,
    /// Refuse calls without SRTP.
    Mandatory,
}

/// One SIP account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountSettings {
    /// `user@domain`, or `username@server` for providers without DNS records.
    pub address: AccountAddress,
    /// The name sent in From.
    pub display_name: Option<String>,
    /// The digest username, when it differs from the user part.
    pub auth_username: Option<String>,
    /// Whether the account is used.
    pub enabled: bool,
    /// Whether it registers (off for outbound-only accounts).
    pub register: bool,
    /// Registration lifetime asked for, in seconds.
    pub register_interval_secs: u32,
    /// `host[:port][;transport=udp|tcp|tls]`, overriding DNS discovery.
    pub outbound_proxy: Option<OutboundProxy>,
    /// Codec order for this account (default: the global order).
    pub codecs: Option<Vec<Codec>>,
    /// SRTP policy for this account (default: the global policy).
    pub srtp: Option<SrtpPolicy>,
    /// How DTMF is sent.
    pub dtmf_method: DtmfMethod,
    /// Phone number rules.
    pub number_rules: NumberRules,
    /// The web page opened for an incoming call.
    pub web_alert_url: Option<WebAlertTemplate>,
    /// When it opens: `ringing` (default) or `answered`.
    pub web_alert_when: WebAlertMoment,
    /// Put the username in the Contact header instead of a random token.
    pub contact_uses_username: bool,
    /// Put the public address learned from `received`/`rport` in the Contact header.
    pub contact_public_address: bool,
    /// A CA certificate file to trust for this account's TLS server (self-signed servers).
    pub tls_ca_file: Option<PathBuf>,
    /// The MSRP relay chats and files go through (RFC 4976), e.g.
    /// `msrps://relay.example.com:2855;tcp`; it authenticates with the account's digest
    /// username and password. Without one, streams connect directly.
    pub msrp_relay: Option<String>,
}

impl AccountSettings {
    /// An enabled account for `address` with every option at its default.
    pub fn new(address: AccountAddress) -> Self {
        Self {
            address,
            display_name: None,
            auth_username: None,
            enabled: true,
            register: true,
            register_interval_secs: 600,
            outbound_proxy: None,
            codecs: None,
            srtp: None,
            dtmf_method: DtmfMethod::default(),
            number_rules: NumberRules::default(),
            web_alert_url: None,
            web_alert_when: WebAlertMoment::default(),
            contact_uses_username: false,
            contact_public_address: false,
            tls_ca_file: None,
            msrp_relay: None,
        }
    }

    /// The account's id (its address).
    pub fn id(&self) -> AccountId {
        AccountId::new(self.address.to_string()).expect("a validated address is a valid id")
    }
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self::new(AccountAddress::parse("user@localhost").expect("a constant address"))
    }
}

/// Audio devices and processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioSettings {
    /// Microphone (`None`: the system default).
    pub input_device: Option<String>,
    /// Speaker or headset (`None`: the system default).
    pub output_device: Option<String>,
    /// Where the ring tone plays (`None`: the output device).
    pub alert_device: Option<String>,
    /// Echo cancellation.
    pub echo_cancellation: bool,
    /// Noise suppression.
    pub noise_suppression: bool,
}

impl Default for AudioSettings {
    fn default() -> Self {
        Self {
            input_device: None,
            output_device: None,
            alert_device: None,
            echo_cancellation: true,
            noise_suppression: true,
        }
    }
}

/// The company directory searched with the contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LdapSettings {
    /// Whether it is searched.
    pub enabled: bool,
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: Option<String>,
    /// Where to search, e.g. `ou=people,dc=example,dc=com`.
    pub base_dn: Option<String>,
    /// Who to bind as (the password lives in the secret store).
    pub bind_dn: Option<String>,
}

/// File logging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LoggingSettings {
    /// Write logs under `$XDG_STATE_HOME/wink/logs`.
    pub to_file: bool,
    /// Include the SIP trace (credentials redacted).
    pub sip_trace: bool,
    /// Include the MSRP trace.
    pub msrp_trace: bool,
}

/// Where passwords are kept. There is no silent fallback between the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SecretBackend {
    /// The desktop keyring (Secret Service).
    #[default]
    Keyring,
    /// A 0600 file under `$XDG_DATA_HOME/wink/`, for headless machines.
    File,
}

/// Contacts and groups, kept in the settings until the storage adapter takes them over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ContactSettings {
    /// Groups.
    pub groups: Vec<GroupRecord>,
    /// Contacts.
    pub contacts: Vec<ContactRecord>,
}

/// Everything the user sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The account used when none is named.
    pub default_account: Option<AccountId>,
    /// Whether the server-less Bonjour account is on.
    pub bonjour_account: bool,
    /// Where passwords are kept.
    pub secrets: SecretBackend,
    /// The history store: `None` is SQLite under `$XDG_DATA_HOME/wink/`, or a URL.
    pub storage_url: Option<String>,
    /// DNS servers for finding SIP servers (NAPTR/SRV); empty uses the system's.
    pub dns_servers: Vec<std::net::SocketAddr>,
    /// Codec order.
    pub codecs: Vec<Codec>,
    /// SRTP policy.
    pub srtp: SrtpPolicy,
    /// Audio devices and processing.
    pub audio: AudioSettings,
    /// The answering machine.
    pub answering_machine: AnsweringMachine,
    /// Which special groups show.
    pub special_groups: SpecialGroups,
    /// The LDAP directory.
    pub ldap: LdapSettings,
    /// Logging.
    pub logging: LoggingSettings,
    /// The SIP accounts.
    pub accounts: Vec<AccountSettings>,
    /// Contacts and groups.
    pub contacts: ContactSettings,
    /// Where received files are saved (default: `$XDG_DOWNLOAD_DIR`, else `~/Downloads`).
    pub downloads_dir: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            default_account: None,
            bonjour_account: false,
            secrets: SecretBackend::default(),
            storage_url: None,
            dns_servers: Vec::new(),
            codecs: Codec::default_order(),
            srtp: SrtpPolicy::default(),
            audio: AudioSettings::default(),
            answering_machine: AnsweringMachine::default(),
            special_groups: SpecialGroups::default(),
            ldap: LdapSettings::default(),
            logging: LoggingSettings::default(),
            accounts: Vec::new(),
            contacts: ContactSettings::default(),
            downloads_dir: None,
        }
    }
}

impl Settings {
    /// The account with this id.
    pub fn account(&self, id: &AccountId) -> Option<&AccountSettings> {
        self.accounts.iter().find(|a| a.id() == *id)
    }

    /// Checks what the types alone cannot: unique accounts, a default that exists, number
    /// rules, and a codec list that is not empty. Returns every problem, one sentence each.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, account) in self.accounts.iter().enumerate() {
            if self.accounts[..i]
                .iter()
                .any(|a| a.address == account.address)
            {
                problems.push(format!("account {} is listed twice", account.address));
            }
            if let Err(e) = account.number_rules.validate() {
                problems.push(format!("account {}: {e}", account.address));
            }
            if account.codecs.as_ref().is_some_and(Vec::is_empty) {
                problems.push(format!(
                    "account {}: the codec list is empty",
                    account.address
                ));
            }
        }
        if let Some(default) = &self.default_account
            && self.account(default).is_none()
        {
            problems.push(format!("the default account {default} does not exist"));
        }
        if self.codecs.is_empty() {
            problems.push("the codec list is empty".into());
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_round_trips() {
        let mut settings = Settings::default();
        let mut account = AccountSettings::new(AccountAddress::parse("alice@example.com").unwrap());
        account.outbound_proxy =
            Some(OutboundProxy::parse("proxy.example.com:5070;transport=tcp").unwrap());
        account.number_rules.plus_replacement = Some("00".into());
        account.web_alert_url = Some(WebAlertTemplate::new("https://crm/?c=$caller_party"));
        account.web_alert_when = WebAlertMoment::Answered;
        account.codecs = Some(vec![Codec::G722, Codec::Pcma]);
        account.srtp = Some(SrtpPolicy::Mandatory);
        settings.accounts.push(account);
        settings.default_account = Some(AccountId::new("alice@example.com").unwrap());
        settings.answering_machine.enabled = true;
        settings.ldap.url = Some("ldap://127.0.0.1:3389".into());
        let text = toml::to_string(&settings).unwrap();
        assert!(text.contains("web_alert_when = \"answered\""), "{text}");
        let back: Settings = toml::from_str(&text).unwrap();
        assert_eq!(back, settings);
        assert!(back.problems().is_empty());
    }

    #[test]
    fn a_hand_written_file_reads_with_defaults() {
        let text = r#"
            default_account = "bob@pbx.example.org"
            codecs = ["g722", "pcmu"]
            [[accounts]]
            address = "bob@pbx.example.org"
            outbound_proxy = "10.1.2.3;transport=udp"
            [accounts.number_rules]
            external_line_prefix = "9"
        "#;
        let settings: Settings = toml::from_str(text).unwrap();
        let account = &settings.accounts[0];
        assert!(account.enabled && account.register);
        assert_eq!(account.outbound_proxy.as_ref().unwrap().port(), 5060);
        assert_eq!(
            account.number_rules.external_line_prefix.as_deref(),
            Some("9")
        );
        assert_eq!(account.number_rules.dtmf_delimiter, '#');
        assert_eq!(settings.codecs, [Codec::G722, Codec::Pcmu]);
        assert_eq!(settings.srtp, SrtpPolicy::Optional);
        assert!(settings.audio.echo_cancellation);
    }

    #[test]
    fn invalid_values_are_refused_with_the_reason() {
        let bad_proxy =
            "[[accounts]]\naddress = \"a@b.org\"\noutbound_proxy = \"x;transport=sctp\"\n";
        let error = toml::from_str::<Settings>(bad_proxy)
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown transport"), "{error}");
        let bad_address = "[[accounts]]\naddress = \"not an address\"\n";
        assert!(toml::from_str::<Settings>(bad_address).is_err());
    }

    #[test]
    fn problems_lists_what_types_cannot_catch() {
        let mut settings = Settings::default();
        let account = AccountSettings::new(AccountAddress::parse("a@b.org").unwrap());
        settings.accounts = vec![account.clone(), account];
        settings.default_account = Some(AccountId::new("c@d.org").unwrap());
        settings.codecs.clear();
        settings.accounts[0].number_rules.plus_replacement = Some("x".into());
        let problems = settings.problems();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("listed twice")));
        assert!(problems.iter().any(|p| p.contains("does not exist")));
    }
}
