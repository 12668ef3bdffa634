//! The Add Account form: what was typed, checked field by field, into settings and a
//! password. Each refusal names the field and says what to type instead.

use wink_config::AccountSettings;
use wink_domain::{AccountAddress, OutboundProxy};
use wink_ports::Password;

/// How the user asked to reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum TransportChoice {
    /// Found through DNS (RFC 3263), or the proxy's own setting.
    #[default]
    Automatic,
    /// SIP over UDP.
    Udp,
    /// SIP over TCP.
    Tcp,
    /// SIP over TLS.
    Tls,
}

impl TransportChoice {
    /// The choices in the order the dialog lists them.
    pub(crate) const ALL: [TransportChoice; 4] = [
        TransportChoice::Automatic,
        TransportChoice::Udp,
        TransportChoice::Tcp,
        TransportChoice::Tls,
    ];

    /// What the dialog shows.
    pub(crate) fn label(self) -> &'static str {
        match self {
            TransportChoice::Automatic => "Automatic",
            TransportChoice::Udp => "UDP",
            TransportChoice::Tcp => "TCP",
            TransportChoice::Tls => "TLS (encrypted)",
        }
    }

    fn parameter(self) -> Option<&'static str> {
        match self {
            TransportChoice::Automatic => None,
            TransportChoice::Udp => Some("udp"),
            TransportChoice::Tcp => Some("tcp"),
            TransportChoice::Tls => Some("tls"),
        }
    }
}

/// Which field a problem is about (the dialog marks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The SIP address.
    Address,
    /// The password.
    Password,
    /// The outbound proxy.
    OutboundProxy,
}

/// A refusal of the form: the field and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormProblem {
    /// Where.
    pub(crate) field: Field,
    /// What to do.
    pub(crate) message: String,
}

/// What the user typed into the Add Account dialog.
#[derive(Debug, Clone, Default)]
pub(crate) struct AccountForm {
    /// `user@domain`.
    pub(crate) address: String,
    /// The password.
    pub(crate) password: String,
    /// The digest username when it differs from the user part.
    pub(crate) username: String,
    /// `host[:port]`, optional.
    pub(crate) outbound_proxy: String,
    /// The transport.
    pub(crate) transport: TransportChoice,
}

impl AccountForm {
    /// The account's settings and its password, or the first problem found.
    pub(crate) fn validate(&self) -> Result<(AccountSettings, Password), FormProblem> {
        let address = self.address.trim();
        if address.is_empty() {
            return Err(problem(
                Field::Address,
                "Type your SIP address, as your provider gave it: user@example.com",
            ));
        }
        let address = AccountAddress::parse(address).map_err(|_| {
            problem(
                Field::Address,
                &format!(
                    "“{address}” is not a SIP address. It looks like user@example.com; if your \
                     provider gave you a username and a server instead, type username@server."
                ),
            )
        })?;
        if self.password.is_empty() {
            return Err(problem(
                Field::Password,
                "Type the password of this account (it is kept in your keyring).",
            ));
        }
        let mut settings = AccountSettings::new(address.clone());
        let username = self.username.trim();
        if !username.is_empty() && username != address.user() {
            settings.auth_username = Some(username.to_owned());
        }
        settings.outbound_proxy = self.proxy(&address)?;
        Ok((settings, Password::new(self.password.as_str())))
    }

    /// The proxy typed (with the transport chosen), or the account's domain when only a
    /// transport was chosen; `None` lets DNS find the server.
    fn proxy(&self, address: &AccountAddress) -> Result<Option<OutboundProxy>, FormProblem> {
        let typed = self.outbound_proxy.trim();
        if typed.contains(";transport=") && self.transport != TransportChoice::Automatic {
            return Err(problem(
                Field::OutboundProxy,
                "Choose the transport either in the proxy (;transport=…) or in the list, not both.",
            ));
        }
        let host = match (typed.is_empty(), self.transport.parameter()) {
            (true, None) => return Ok(None),
            (true, Some(_)) => address.domain().to_owned(),
            (false, _) => typed.to_owned(),
        };
        let raw = match self.transport.parameter() {
            Some(transport) => format!("{host};transport={transport}"),
            None => host,
        };
        OutboundProxy::parse(&raw).map(Some).map_err(|error| {
            problem(
                Field::OutboundProxy,
                &format!(
                    "The outbound proxy is not usable ({error}). It looks like \
                     sip.example.com or sip.example.com:5060."
                ),
            )
        })
    }
}

fn problem(field: Field, message: &str) -> FormProblem {
    FormProblem {
        field,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(address: &str, password: &str) -> AccountForm {
        AccountForm {
            address: address.into(),
            password: password.into(),
            ..AccountForm::default()
        }
    }

    #[test]
    fn an_address_and_a_password_make_an_account_found_through_dns() {
        let (settings, password) = form(" alice@example.com ", "pw").validate().unwrap();
        assert_eq!(settings.address.to_string(), "alice@example.com");
        assert_eq!(settings.outbound_proxy, None);
        assert_eq!(settings.auth_username, None);
        assert_eq!(password.expose(), "pw");
    }

    #[test]
    fn each_missing_or_bad_field_is_named_with_what_to_type() {
        let empty = form("", "pw").validate().unwrap_err();
        assert_eq!(empty.field, Field::Address);
        let bad = form("alice", "pw").validate().unwrap_err();
        assert_eq!(bad.field, Field::Address);
        assert!(
            bad.message.contains("“alice” is not a SIP address"),
            "{bad:?}"
        );
        let no_password = form("alice@example.com", "").validate().unwrap_err();
        assert_eq!(no_password.field, Field::Password);
        let mut bad_proxy = form("alice@example.com", "pw");
        bad_proxy.outbound_proxy = "bob@proxy".into();
        let refused = bad_proxy.validate().unwrap_err();
        assert_eq!(refused.field, Field::OutboundProxy);
        assert!(refused.message.contains("not a user@host"), "{refused:?}");
    }

    #[test]
    fn advanced_fields_become_username_proxy_and_transport() {
        let mut advanced = form("4021@sip.provider.net", "pw");
        advanced.username = "auth-4021".into();
        advanced.outbound_proxy = "127.0.0.1:5060".into();
        advanced.transport = TransportChoice::Tcp;
        let (settings, _) = advanced.validate().unwrap();
        assert_eq!(settings.auth_username.as_deref(), Some("auth-4021"));
        let proxy = settings.outbound_proxy.unwrap();
        assert_eq!(
            (proxy.host(), proxy.port(), proxy.transport().as_str()),
            ("127.0.0.1", 5060, "tcp")
        );
    }

    #[test]
    fn a_transport_alone_goes_to_the_accounts_domain_and_the_same_username_is_dropped() {
        let mut tls = form("alice@example.com", "pw");
        tls.transport = TransportChoice::Tls;
        tls.username = "alice".into();
        let (settings, _) = tls.validate().unwrap();
        assert_eq!(settings.auth_username, None);
        let proxy = settings.outbound_proxy.unwrap();
        assert_eq!((proxy.host(), proxy.port()), ("example.com", 5061));
    }

    #[test]
    fn a_transport_given_twice_is_refused() {
        let mut twice = form("alice@example.com", "pw");
        twice.outbound_proxy = "proxy.example.com;transport=udp".into();
        twice.transport = TransportChoice::Tcp;
        assert_eq!(twice.validate().unwrap_err().field, Field::OutboundProxy);
    }
}
