//! Accounts: a SIP address, credentials, an optional outbound proxy, the number rules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use wink_ports::{AccountId, RegistrationState, SipUri};

use crate::NumberRules;
use crate::web_alert::{WebAlertMoment, WebAlertTemplate};

/// Why an account setting is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The SIP address is not `user@domain`.
    #[error("the SIP address must look like user@domain, got {0:?}")]
    BadAddress(String),
    /// The outbound proxy setting does not parse.
    #[error("invalid outbound proxy {value:?}: {reason}")]
    BadOutboundProxy {
        /// What was given.
        value: String,
        /// What is wrong.
        reason: String,
    },
}

/// An account's SIP address: `user@domain` (or `username@server` for providers without DNS).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountAddress {
    user: String,
    domain: String,
}

impl AccountAddress {
    /// Parses `user@domain` (a leading `sip:` is accepted and dropped).
    ///
    /// # Errors
    /// [`AccountError::BadAddress`].
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let bad = || AccountError::BadAddress(raw.to_owned());
        let trimmed = raw.trim();
        let bare = trimmed
            .strip_prefix("sip:")
            .or_else(|| trimmed.strip_prefix("sips:"))
            .unwrap_or(trimmed);
        let (user, domain) = bare.split_once('@').ok_or_else(bad)?;
        let uri = SipUri::from_parts(Some(user), domain).map_err(|_| bad())?;
        if uri.param("transport").is_some() || domain.contains(';') {
            return Err(bad());
        }
        Ok(Self {
            user: user.to_owned(),
            domain: uri.host().to_owned(),
        })
    }

    /// The user part.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The domain (or server) part.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The address of record as a URI, `sip:user@domain`.
    pub fn to_uri(&self) -> SipUri {
        SipUri::from_parts(Some(&self.user), &self.domain)
            .expect("an AccountAddress is validated as a SIP URI on construction")
    }
}

impl fmt::Display for AccountAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.domain)
    }
}

impl TryFrom<String> for AccountAddress {
    type Error = AccountError;
    fn try_from(value: String) -> Result<Self, AccountError> {
        Self::parse(&value)
    }
}

impl From<AccountAddress> for String {
    fn from(address: AccountAddress) -> String {
        address.to_string()
    }
}

/// A SIP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
}

impl Transport {
    /// The transport's name in a URI parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Transport::Tls => 5061,
            Transport::Udp | Transport::Tcp => 5060,
        }
    }
}

impl FromStr for Transport {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "udp" => Ok(Transport::Udp),
            "tcp" => Ok(Transport::Tcp),
            "tls" => Ok(Transport::Tls),
            other => Err(format!("unknown transport {other:?} (use udp, tcp or tls)")),
        }
    }
}

/// The outbound proxy setting: `host[:port][;transport=udp|tcp|tls]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OutboundProxy {
    host: String,
    port: Option<u16>,
    transport: Transport,
}

impl OutboundProxy {
    /// Parses `host.example.com:5060;transport=udp` (port and transport optional).
    ///
    /// # Errors
    /// [`AccountError::BadOutboundProxy`] saying what is wrong.
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let fail = |reason: String| AccountError::BadOutboundProxy {
            value: raw.to_owned(),
            reason,
        };
        let trimmed = raw.trim();
        let bare = trimmed.strip_prefix("sip:").unwrap_or(trimmed);
        if bare.is_empty() {
            return Err(fail("it is empty".into()));
        }
        if bare.contains('@') {
            return Err(fail("a proxy is a host, not a user@host address".into()));
        }
        let uri = SipUri::parse(&format!("sip:{bare}")).map_err(|e| fail(e.to_string()))?;
        let mut transport = Transport::Udp;
        for part in bare.split(';').skip(1) {
            match part.split_once('=') {
                Some((name, value)) if name.eq_ignore_ascii_case("transport") => {
                    transport = value.parse().map_err(fail)?;
                }
                _ => {
                    return Err(fail(format!(
                        "unknown parameter {part:?} (only transport=)"
                    )));
                }
            }
        }
        Ok(Self {
            host: uri.host().to_owned(),
            port: uri.port(),
            transport,
        })
    }

    /// The proxy host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (the transport's default when not given).
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.transport.default_port())
    }

    /// The transport.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The proxy as a loose-routing URI: `sip:host:port;transport=..;lr`.
    pub fn to_uri(&self) -> SipUri {
        SipUri::parse(&format!(
            "sip:{}:{};transport={};lr",
            self.host,
            self.port(),
            self.transport.as_str()
        ))
        .expect("an OutboundProxy is validated on construction")
    }
}

impl fmt::Display for OutboundProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write!(f, ";transport={}", self.transport.as_str())
    }
}

impl TryFrom<String> for OutboundProxy {
    type Error = AccountError;
    fn try_from(value: String) -> Result<Self, AccountError> {
        Self::parse(&value)
    }
}

impl From<OutboundProxy> for String {
    fn from(proxy: OutboundProxy) -> String {
        proxy.to_string()
    }
}

/// What kind of account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountKind {
    /// A SIP account at a provider or PBX.
    Sip {
        /// The address of record.
        address: AccountAddress,
        /// The username for digest authentication (often the user part).
        auth_username: String,
        /// The outbound proxy overriding DNS discovery.
        outbound_proxy: Option<OutboundProxy>,
    },
    /// The server-less account that announces itself on the LAN.
    Bonjour,
}

/// An account as the domain uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id (the SIP address, or `bonjour`).
    pub id: AccountId,
    /// SIP or Bonjour.
    pub kind: AccountKind,
    /// The display name sent in From.
    pub display_name: Option<String>,
    /// Whether it is used at all.
    pub enabled: bool,
    /// How phone numbers are dialed from it.
    pub number_rules: NumberRules,
    /// The page opened for an incoming call.
    pub web_alert: Option<WebAlertTemplate>,
    /// When that page opens.
    pub web_alert_when: WebAlertMoment,
    /// Where its registration stands.
    pub registration: RegistrationState,
    /// How the Contact is written (username, public address) for providers that insist.
    pub contact: wink_ports::ContactOptions,
    /// How DTMF keys are sent.
    pub dtmf_method: DtmfMethod,
}

/// How DTMF is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DtmfMethod {
    /// RFC 4733 telephone-event in the RTP stream.
    #[default]
    Rfc4733,
    /// SIP INFO with `application/dtmf-relay`, for peers without telephone-event.
    SipInfo,
}

impl Account {
    /// A SIP account for `address`, with the auth username defaulting to its user part.
    pub fn sip(address: AccountAddress) -> Self {
        let id = AccountId::new(address.to_string())
            .expect("a validated SIP address is a valid account id");
        Self {
            id,
            kind: AccountKind::Sip {
                auth_username: address.user().to_owned(),
                address,
                outbound_proxy: None,
            },
            display_name: None,
            enabled: true,
            number_rules: NumberRules::default(),
            web_alert: None,
            web_alert_when: WebAlertMoment::default(),
            registration: RegistrationState::Unregistered,
            contact: wink_ports::ContactOptions::default(),
            dtmf_method: DtmfMethod::default(),
        }
    }

    /// The Bonjour account.
    pub fn bonjour() -> Self {
        Self {
            id: AccountId::new("bonjour").expect("a constant id"),
            kind: AccountKind::Bonjour,
            display_name: None,
            enabled: true,
            number_rules: NumberRules::default(),
            web_alert: None,
            web_alert_when: WebAlertMoment::default(),
            registration: RegistrationState::Unregistered,
            contact: wink_ports::ContactOptions::default(),
            dtmf_method: DtmfMethod::default(),
        }
    }

    /// The domain targets without one are completed with (`None` for Bonjour).
    pub fn domain(&self) -> Option<&str> {
        match &self.kind {
            AccountKind::Sip { address, .. } => Some(address.domain()),
            AccountKind::Bonjour => None,
        }
    }

    /// Whether it needs a registrar.
    pub fn needs_registration(&self) -> bool {
        matches!(self.kind, AccountKind::Sip { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_accepts_user_at_domain_forms() {
        let a = AccountAddress::parse("alice@Example.com").unwrap();
        assert_eq!((a.user(), a.domain()), ("alice", "example.com"));
        let b = AccountAddress::parse("sip:4021234@sip.provider.net").unwrap();
        assert_eq!(b.to_string(), "4021234@sip.provider.net");
        assert_eq!(b.to_uri().to_string(), "sip:4021234@sip.provider.net");
        let server = AccountAddress::parse("jdoe@10.0.0.5").unwrap();
        assert_eq!(server.domain(), "10.0.0.5");
    }

    #[test]
    fn address_rejects_garbage() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "al ice@example.com",
            "a@b@c",
            "a@exa_mple.com",
        ] {
            assert!(
                matches!(AccountAddress::parse(bad), Err(AccountError::BadAddress(_))),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn outbound_proxy_parses_the_setting_form() {
        let p = OutboundProxy::parse("proxy.example.com:5070;transport=tcp").unwrap();
        assert_eq!(
            (p.host(), p.port(), p.transport()),
            ("proxy.example.com", 5070, Transport::Tcp)
        );
        assert_eq!(p.to_string(), "proxy.example.com:5070;transport=tcp");
        assert_eq!(
            p.to_uri().to_string(),
            "sip:proxy.example.com:5070;transport=tcp;lr"
        );

        let d = OutboundProxy::parse("proxy.example.com").unwrap();
        assert_eq!((d.port(), d.transport()), (5060, Transport::Udp));
        let tls = OutboundProxy::parse("sip:[::1];transport=TLS").unwrap();
        assert_eq!((tls.host(), tls.port()), ("[::1]", 5061));
    }

    #[test]
    fn outbound_proxy_errors_say_why() {
        let reason = |raw: &str| match OutboundProxy::parse(raw) {
            Err(AccountError::BadOutboundProxy { reason, .. }) => reason,
            other => panic!("{raw:?} gave {other:?}"),
        };
        assert_eq!(reason(""), "it is empty");
        assert!(reason("proxy.example.com;transport=sctp").contains("unknown transport"));
        assert!(reason("proxy.example.com:0").contains("invalid port"));
        assert!(reason("proxy.example.com:abc").contains("invalid port"));
        assert!(reason("alice@proxy.example.com").contains("not a user@host"));
        assert!(reason("proxy.example.com;maddr=1.2.3.4").contains("unknown parameter"));
        assert!(reason("bad host").contains("invalid host"));
    }

    #[test]
    fn bonjour_needs_no_server() {
        let account = Account::bonjour();
        assert!(!account.needs_registration());
        assert_eq!(account.domain(), None);
        assert!(Account::sip(AccountAddress::parse("a@b.c").unwrap()).needs_registration());
    }
}
