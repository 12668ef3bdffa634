//! [`SipUri`]: a validated `sip:`/`sips:` URI (RFC 3261 §19.1), the address type of every port.
//!
//! This is a deliberately small model (scheme, user, host, port, parameters) so that the
//! domain and the ports need no SIP library; the SIP adapter converts to and from `rsip`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not a SIP URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// Nothing was given.
    #[error("the address is empty")]
    Empty,
    /// The scheme is not `sip` or `sips`.
    #[error("unsupported URI scheme {0:?} (only sip: and sips: are supported)")]
    UnsupportedScheme(String),
    /// No `scheme:` prefix.
    #[error("missing 'sip:' or 'sips:' scheme")]
    MissingScheme,
    /// The host part is empty.
    #[error("the address has no host")]
    MissingHost,
    /// The host is not a valid domain name or IP address.
    #[error("invalid host {0:?}")]
    InvalidHost(String),
    /// An IPv6 address outside `[ ]` (RFC 5118 §4.2: its colons would be read as a port).
    #[error("IPv6 address {0:?} without the [ ] it needs")]
    UnbracketedIpv6(String),
    /// The port is not a number in 1–65535.
    #[error("invalid port {0:?} (expected 1-65535)")]
    InvalidPort(String),
    /// The user part holds characters a SIP URI may not carry unescaped.
    #[error("invalid user part {0:?}")]
    InvalidUser(String),
    /// A parameter has an empty name or a forbidden character.
    #[error("invalid URI parameter {0:?}")]
    InvalidParameter(String),
    /// URI headers (`?h=v`) are not supported in addresses.
    #[error("URI headers ('?...') are not supported in an address")]
    HeadersNotSupported,
}

/// The scheme of a [`SipUri`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scheme {
    /// `sip:`
    Sip,
    /// `sips:` (TLS all the way).
    Sips,
}

/// A validated SIP URI: `sip:user@host:port;param=value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SipUri {
    scheme: Scheme,
    user: Option<String>,
    host: String,
    port: Option<u16>,
    params: Vec<(String, Option<String>)>,
}

impl SipUri {
    /// Parses `sip:user@host[:port][;params]` (optionally inside `<...>`).
    ///
    /// # Errors
    /// A [`UriError`] naming the part that is wrong.
    pub fn parse(raw: &str) -> Result<Self, UriError> {
        let raw = raw.trim();
        let raw = raw
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .unwrap_or(raw);
        if raw.is_empty() {
            return Err(UriError::Empty);
        }
        let (scheme, rest) = raw.split_once(':').ok_or(UriError::MissingScheme)?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "sip" => Scheme::Sip,
            "sips" => Scheme::Sips,
            other
                if other
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                return Err(UriError::UnsupportedScheme(other.to_owned()));
            }
            _ => return Err(UriError::MissingScheme),
        };
        let (user, hostpart) = match rest.rsplit_once('@') {
            Some((user, hostpart)) => (Some(user), hostpart),
            None => (None, rest),
        };
        // A user part may hold `?` (RFC 3261 user-unreserved); headers follow the host.
        if hostpart.contains('?') {
            return Err(UriError::HeadersNotSupported);
        }
        let user = user.map(validate_user).transpose()?;
        let mut pieces = hostpart.split(';');
        let hostport = pieces.next().unwrap_or_default();
        let (host, port) = split_host_port(hostport)?;
        let params = pieces.map(parse_param).collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            scheme,
            user,
            host,
            port,
            params,
        })
    }

    /// Builds `sip:user@host` from parts, validating both.
    ///
    /// # Errors
    /// [`UriError::InvalidUser`] or a host error.
    pub fn from_parts(user: Option<&str>, host: &str) -> Result<Self, UriError> {
        let user = user.map(validate_user).transpose()?;
        let (host, port) = split_host_port(host)?;
        Ok(Self {
            scheme: Scheme::Sip,
            user,
            host,
            port,
            params: Vec::new(),
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The user part, if any.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The host: a domain name, an IPv4 address or a bracketed IPv6 address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The value of parameter `name` (`Some(None)` for a flag like `;lr`).
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }

    /// `user@host` without scheme, port or parameters: the address people read.
    pub fn address(&self) -> String {
        match &self.user {
            Some(user) => format!("{user}@{}", self.host),
            None => self.host.clone(),
        }
    }

    /// A copy with parameter `name` set to `value`.
    #[must_use]
    pub fn with_param(mut self, name: &str, value: Option<&str>) -> Self {
        self.params.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.params
            .push((name.to_owned(), value.map(str::to_owned)));
        self
    }
}

fn validate_user(user: &str) -> Result<String, UriError> {
    // userinfo: user, and an optional `:password` (RFC 3261 §25.1).
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.!~*'()%&=+$,;?/#:".contains(c);
    if user.is_empty() || !user.chars().all(allowed) {
        return Err(UriError::InvalidUser(user.to_owned()));
    }
    Ok(user.to_owned())
}

fn split_host_port(hostport: &str) -> Result<(String, Option<u16>), UriError> {
    if hostport.is_empty() {
        return Err(UriError::MissingHost);
    }
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| UriError::InvalidHost(hostport.to_owned()))?;
        // RFC 5118 §4.10: RFC 3261's grammar admits `[2001:db8:::192.0.2.1]` (three
        // colons before an IPv4 tail); such a reference is tolerated.
        let tolerated = v6.replacen(":::", "::", 1);
        if tolerated.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UriError::InvalidHost(hostport.to_owned()));
        }
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| UriError::InvalidHost(hostport.to_owned()))?,
            ),
        };
        (format!("[{v6}]"), port)
    } else if hostport.matches(':').count() > 1 {
        return Err(UriError::UnbracketedIpv6(hostport.to_owned()));
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (hostport.to_owned(), None),
        }
    };
    if !host.starts_with('[') && !is_hostname(&host) {
        return Err(UriError::InvalidHost(host));
    }
    let port = port
        .map(|p| match p.parse::<u16>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(UriError::InvalidPort(p.to_owned())),
        })
        .transpose()?;
    Ok((host.to_ascii_lowercase(), port))
}

/// A domain name (labels of letters, digits and hyphens) or a dotted IPv4 address.
fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.trim_end_matches('.').split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn parse_param(raw: &str) -> Result<(String, Option<String>), UriError> {
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.!~*'()%[]/:&+$".contains(c))
    };
    let (name, value) = match raw.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (raw, None),
    };
    if !token(name) || value.is_some_and(|v| !token(v)) {
        return Err(UriError::InvalidParameter(raw.to_owned()));
    }
    Ok((name.to_owned(), value.map(str::to_owned)))
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Sip => "sip",
            Scheme::Sips => "sips",
        };
        write!(f, "{scheme}:")?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        f.write_str(&self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        for (name, value) in &self.params {
            match value {
                Some(v) => write!(f, ";{name}={v}")?,
                None => write!(f, ";{name}")?,
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for SipUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, UriError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for SipUri {
    type Error = UriError;
    fn try_from(value: String) -> Result<Self, UriError> {
        Self::parse(&value)
    }
}

impl From<SipUri> for String {
    fn from(uri: SipUri) -> String {
        uri.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_uri() {
        let uri = SipUri::parse("<sip:alice@Example.COM:5070;transport=tcp;lr>").unwrap();
        assert_eq!(uri.scheme(), Scheme::Sip);
        assert_eq!(uri.user(), Some("alice"));
        assert_eq!(uri.host(), "example.com");
        assert_eq!(uri.port(), Some(5070));
        assert_eq!(uri.param("transport"), Some(Some("tcp")));
        assert_eq!(uri.param("lr"), Some(None));
        assert_eq!(uri.param("maddr"), None);
        assert_eq!(uri.address(), "alice@example.com");
    }

    #[test]
    fn print_parse_round_trip() {
        for raw in [
            "sip:alice@example.com",
            "sips:bob@10.0.0.1:5061;transport=tls",
            "sip:[::1]:5060",
            "sip:+442012345678@pstn.example.com;user=phone",
            "sip:example.com",
        ] {
            let uri = SipUri::parse(raw).unwrap();
            assert_eq!(uri.to_string(), raw);
            assert_eq!(SipUri::parse(&uri.to_string()).unwrap(), uri);
        }
    }

    #[test]
    fn rejects_garbage_with_reasons() {
        assert_eq!(SipUri::parse(""), Err(UriError::Empty));
        assert_eq!(
            SipUri::parse("alice@example.com"),
            Err(UriError::MissingScheme)
        );
        assert_eq!(
            SipUri::parse("http://example.com"),
            Err(UriError::UnsupportedScheme("http".into()))
        );
        assert_eq!(SipUri::parse("sip:alice@"), Err(UriError::MissingHost));
        assert_eq!(
            SipUri::parse("sip:alice@exa mple.com"),
            Err(UriError::InvalidHost("exa mple.com".into()))
        );
        assert_eq!(
            SipUri::parse("sip:alice@example.com:99999"),
            Err(UriError::InvalidPort("99999".into()))
        );
        assert_eq!(
            SipUri::parse("sip:al ice@example.com"),
            Err(UriError::InvalidUser("al ice".into()))
        );
        assert_eq!(
            SipUri::parse("sip:a@example.com?subject=x"),
            Err(UriError::HeadersNotSupported)
        );
        assert!(matches!(
            SipUri::parse("sip:a@[::zz]"),
            Err(UriError::InvalidHost(_))
        ));
        assert!(matches!(
            SipUri::parse("sip:a@example.com;=x"),
            Err(UriError::InvalidParameter(_))
        ));
        assert_eq!(
            SipUri::parse("sip:2001:db8::10"),
            Err(UriError::UnbracketedIpv6("2001:db8::10".into()))
        );
    }

    /// The unusual but valid forms of RFC 4475 §3.1.1.2 and RFC 5118 §4.3, §4.10.
    #[test]
    fn accepts_the_torture_forms() {
        let uri = SipUri::parse("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com")
            .unwrap();
        assert_eq!(
            uri.user(),
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        );
        assert_eq!(uri.host(), "example.com");
        let tolerated = SipUri::parse("sip:user@[2001:db8:::192.0.2.1]").unwrap();
        assert_eq!(tolerated.host(), "[2001:db8:::192.0.2.1]");
        let ambiguous = SipUri::parse("sip:[2001:db8::10:5070]").unwrap();
        assert_eq!(
            (ambiguous.host(), ambiguous.port()),
            ("[2001:db8::10:5070]", None)
        );
    }

    #[test]
    fn with_param_replaces() {
        let uri = SipUri::parse("sip:a@b.c;transport=udp")
            .unwrap()
            .with_param("transport", Some("tcp"));
        assert_eq!(uri.to_string(), "sip:a@b.c;transport=tcp");
    }
}
