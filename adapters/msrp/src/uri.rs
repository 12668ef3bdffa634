//! MSRP URIs (RFC 4975 §6, §9): `msrp://host:port/session-id;tcp` and `msrps://…` for TLS.

use std::fmt;
use std::str::FromStr;

use crate::error::UriError;

/// An MSRP or MSRPS URI, as in `a=path`, `To-Path` and `From-Path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsrpUri {
    secure: bool,
    userinfo: Option<String>,
    host: String,
    port: Option<u16>,
    session_id: Option<String>,
    transport: String,
    params: Vec<String>,
}

impl MsrpUri {
    /// A URI for an endpoint of ours: `msrp[s]://host:port/session_id;tcp`.
    #[must_use]
    pub fn endpoint(secure: bool, host: &str, port: u16, session_id: &str) -> Self {
        Self {
            secure,
            userinfo: None,
            host: host.to_owned(),
            port: Some(port),
            session_id: Some(session_id.to_owned()),
            transport: "tcp".to_owned(),
            params: Vec::new(),
        }
    }

    /// Parses one URI.
    ///
    /// # Errors
    /// [`UriError`] naming what is wrong.
    pub fn parse(raw: &str) -> Result<Self, UriError> {
        let (scheme, rest) = raw.split_once("://").ok_or(UriError::NoScheme)?;
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "msrp" => false,
            "msrps" => true,
            _ => return Err(UriError::UnknownScheme(scheme.to_owned())),
        };
        let mut params = rest.split(';');
        let address = params.next().unwrap_or_default();
        let transport = params
            .next()
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
            .ok_or(UriError::NoTransport)?
            .to_ascii_lowercase();
        let params: Vec<String> = params.map(str::to_owned).collect();
        let (authority, session_id) = match address.split_once('/') {
            Some((authority, id)) => (authority, Some(id)),
            None => (address, None),
        };
        if let Some(id) = session_id
            && (id.is_empty() || !id.bytes().all(is_session_id_byte))
        {
            return Err(UriError::BadSessionId);
        }
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((user, host)) => (Some(user.to_owned()), host),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port)?;
        Ok(Self {
            secure,
            userinfo,
            host,
            port,
            session_id: session_id.map(str::to_owned),
            transport,
            params,
        })
    }

    /// Parses a path: URIs separated by spaces (`a=path`, `To-Path`, `From-Path`).
    ///
    /// # Errors
    /// [`UriError::EmptyPath`], or the first URI that does not parse.
    pub fn parse_path(raw: &str) -> Result<Vec<Self>, UriError> {
        let path = raw
            .split_ascii_whitespace()
            .map(Self::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if path.is_empty() {
            return Err(UriError::EmptyPath);
        }
        Ok(path)
    }

    /// Writes a path as a header value.
    #[must_use]
    pub fn format_path(path: &[Self]) -> String {
        path.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether this is `msrps` (TLS).
    #[must_use]
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The host (an IPv6 address keeps its brackets).
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, when the URI has one.
    #[must_use]
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The session id, when the URI has one (a relay's URI need not).
    #[must_use]
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// The transport (`tcp`).
    #[must_use]
    pub fn transport(&self) -> &str {
        &self.transport
    }

    /// Whether `other` names the same resource (RFC 4975 §6.1): scheme and host compared
    /// without case, port, session id and transport exactly; the userinfo and other
    /// parameters do not count.
    #[must_use]
    pub fn same_as(&self, other: &Self) -> bool {
        self.secure == other.secure
            && self.host.eq_ignore_ascii_case(&other.host)
            && self.port == other.port
            && self.session_id == other.session_id
            && self.transport.eq_ignore_ascii_case(&other.transport)
    }
}

impl FromStr for MsrpUri {
    type Err = UriError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl fmt::Display for MsrpUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "msrps://" } else { "msrp://" })?;
        if let Some(user) = &self.userinfo {
            write!(f, "{user}@")?;
        }
        f.write_str(&self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(id) = &self.session_id {
            write!(f, "/{id}")?;
        }
        write!(f, ";{}", self.transport)?;
        for param in &self.params {
            write!(f, ";{param}")?;
        }
        Ok(())
    }
}

/// `unreserved / "+" / "=" / "/"` and percent escapes (RFC 4975 §9).
fn is_session_id_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~+=/%".contains(&byte)
}

fn split_host_port(host_port: &str) -> Result<(String, Option<u16>), UriError> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or(UriError::BadHost)?;
        if inside.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UriError::BadHost);
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(UriError::BadPort)?),
        };
        (format!("[{inside}]"), port)
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (host_port.to_owned(), None),
        }
    };
    let valid_name = |h: &str| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    };
    if !host.starts_with('[') && !valid_name(&host) {
        return Err(UriError::BadHost);
    }
    let port = port
        .map(|p| p.parse::<u16>().map_err(|_| UriError::BadPort))
        .transpose()?;
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_of_the_rfc_parse_and_print_back_the_same() {
        for raw in [
            "msrp://atlanta.example.com:7654/jshA7weztas;tcp",
            "msrps://bob@biloxi.example.com:12763/kjhd37s2s20w2a;tcp",
            "msrps://relay.example.com;tcp",
            "msrp://[2001:db8::7]:2855/s1;tcp",
            "msrp://127.0.0.1:40000/a+b=c/d;tcp;x=1",
        ] {
            let uri = MsrpUri::parse(raw).unwrap();
            assert_eq!(uri.to_string(), raw);
        }
    }

    #[test]
    fn comparison_ignores_case_of_scheme_and_host_and_the_userinfo() {
        let a = MsrpUri::parse("MSRP://Atlanta.Example.com:7654/jshA7weztas;TCP").unwrap();
        let b = MsrpUri::parse("msrp://alice@atlanta.example.com:7654/jshA7weztas;tcp").unwrap();
        assert!(a.same_as(&b));
        let other_id = MsrpUri::parse("msrp://atlanta.example.com:7654/jsha7weztas;tcp").unwrap();
        assert!(!a.same_as(&other_id), "the session id is case sensitive");
    }

    #[test]
    fn bad_uris_say_what_is_wrong() {
        let cases = [
            ("sip:alice@example.com", UriError::NoScheme),
            (
                "http://example.com/x;tcp",
                UriError::UnknownScheme("http".into()),
            ),
            ("msrp://example.com:7654/abc", UriError::NoTransport),
            ("msrp://example.com:99999/abc;tcp", UriError::BadPort),
            ("msrp://exa mple.com:1/abc;tcp", UriError::BadHost),
            ("msrp://[::zz]:1/abc;tcp", UriError::BadHost),
            ("msrp://example.com:1/a<b;tcp", UriError::BadSessionId),
        ];
        for (raw, expected) in cases {
            assert_eq!(MsrpUri::parse(raw), Err(expected), "{raw}");
        }
        assert_eq!(MsrpUri::parse_path("  "), Err(UriError::EmptyPath));
    }

    #[test]
    fn a_path_of_relay_and_endpoint_parses_in_order() {
        let path = MsrpUri::parse_path(
            "msrps://relay.example.com:2855/aa;tcp msrp://10.0.0.1:7000/bb;tcp",
        )
        .unwrap();
        assert_eq!(path.len(), 2);
        assert_eq!(path[1].session_id(), Some("bb"));
        assert_eq!(
            MsrpUri::format_path(&path),
            "msrps://relay.example.com:2855/aa;tcp msrp://10.0.0.1:7000/bb;tcp"
        );
    }
}
