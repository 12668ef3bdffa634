//! Typed views of the headers the transaction and dialog layers read: Via, name-addr
//! (From, To, Contact, Route), CSeq.

use super::Method;

/// A header that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypedError {
    /// The header is not there.
    #[error("missing {0} header")]
    Missing(&'static str),
    /// The header does not parse.
    #[error("malformed {0} header")]
    Malformed(&'static str),
    /// A name-addr or addr-spec that does not parse: the fault.
    #[error("{0}")]
    Address(&'static str),
}

type Params = Vec<(String, Option<String>)>;

fn parse_params(raw: &str) -> Params {
    raw.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (n.trim().to_owned(), Some(v.trim().to_owned())),
            None => (p.to_owned(), None),
        })
        .collect()
}

fn param<'a>(params: &'a Params, name: &str) -> Option<Option<&'a str>> {
    params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_deref())
}

fn set_param(params: &mut Params, name: &str, value: Option<&str>) {
    let value = value.map(str::to_owned);
    match params
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some(entry) => entry.1 = value,
        None => params.push((name.to_owned(), value)),
    }
}

fn print_params(params: &Params) -> String {
    params
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!(";{n}={v}"),
            None => format!(";{n}"),
        })
        .collect()
}

/// One Via value: `SIP/2.0/UDP host:port;branch=…;rport;received=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// `UDP`, `TCP`, `TLS`, ….
    pub transport: String,
    /// The sent-by host.
    pub host: String,
    /// The sent-by port.
    pub port: Option<u16>,
    /// The parameters.
    pub params: Params,
}

impl Via {
    /// Parses one Via value.
    ///
    /// # Errors
    /// [`TypedError::Malformed`].
    pub fn parse(raw: &str) -> Result<Self, TypedError> {
        let bad = TypedError::Malformed("Via");
        // sent-protocol: three tokens around two SLASHes, each with optional whitespace
        // (RFC 3261 §25.1: `SLASH = SWS "/" SWS`; RFC 4475 §3.1.1.1 folds it over lines).
        // The version is the request line's to check (a request with another gets 505).
        let mut rest = raw.trim();
        let mut protocol = [""; 3];
        for (i, part) in protocol.iter_mut().enumerate() {
            let end = rest
                .find(|c: char| c == '/' || c.is_whitespace())
                .unwrap_or(rest.len());
            let (token, after) = rest.split_at(end);
            if token.is_empty() {
                return Err(bad);
            }
            *part = token;
            if i < 2 {
                rest = after
                    .trim_start()
                    .strip_prefix('/')
                    .ok_or(bad.clone())?
                    .trim_start();
            } else if !after.starts_with(char::is_whitespace) {
                return Err(bad);
            } else {
                rest = after.trim();
            }
        }
        let [name, _version, transport] = protocol;
        if !name.eq_ignore_ascii_case("SIP") {
            return Err(bad);
        }
        let (sent_by, params) = rest.split_once(';').unwrap_or((rest, ""));
        let (host, port) = split_host_port(sent_by.trim()).ok_or(bad)?;
        Ok(Self {
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params: parse_params(params),
        })
    }

    /// The branch parameter.
    pub fn branch(&self) -> Option<&str> {
        param(&self.params, "branch").flatten()
    }

    /// A parameter's value (`Some(None)` for a flag such as `rport`).
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        param(&self.params, name)
    }

    /// Sets (or adds) a parameter.
    pub fn set_param(&mut self, name: &str, value: Option<&str>) {
        set_param(&mut self.params, name, value);
    }
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SIP/2.0/{} {}", self.transport, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&print_params(&self.params))
    }
}

fn split_host_port(s: &str) -> Option<(String, Option<u16>)> {
    if s.is_empty() {
        return None;
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        (format!("[{v6}]"), after.strip_prefix(':'))
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (s.to_owned(), None),
        }
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|&n| n > 0)?),
        None => None,
    };
    Some((host, port))
}

/// A token's characters (RFC 3261 §25.1).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c)
}

/// Where the quoted string that `quoted` continues ends: its closing `"`, past any
/// backslash-escaped character.
fn closing_quote(quoted: &str) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in quoted.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(at),
            _ => {}
        }
    }
    None
}

/// An address's URI: a scheme, then something, and no whitespace.
fn check_uri(uri: &str) -> Result<(), TypedError> {
    if uri.is_empty() || !uri.contains(':') || uri.contains(char::is_whitespace) {
        return Err(TypedError::Address("an address that is not a URI"));
    }
    Ok(())
}

/// A name-addr or addr-spec with header parameters: From, To, Contact, Route, Refer-To.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted.
    pub display: Option<String>,
    /// The URI, as text.
    pub uri: String,
    /// Header parameters (`tag`, `expires`, …).
    pub params: Params,
}

impl NameAddr {
    /// Parses `"Name" <uri>;p=v`, `Name <uri>;p=v` or `uri;p=v` (RFC 3261 §20.10, §25.1).
    ///
    /// # Errors
    /// [`TypedError::Address`] naming the fault.
    pub fn parse(raw: &str) -> Result<Self, TypedError> {
        let raw = raw.trim();
        let (display, rest) = match raw.strip_prefix('"') {
            Some(quoted) => {
                let end = closing_quote(quoted)
                    .ok_or(TypedError::Address("an unterminated quoted string"))?;
                let display = quoted[..end].replace("\\\"", "\"");
                (Some(display), quoted[end + 1..].trim_start())
            }
            None => match raw.find('<') {
                Some(open) => {
                    let display = raw[..open].trim();
                    if !display
                        .chars()
                        .all(|c| !c.is_ascii() || is_token_char(c) || c.is_whitespace())
                    {
                        return Err(TypedError::Address(
                            "a display name with characters it may only hold in quotes",
                        ));
                    }
                    (
                        (!display.is_empty()).then(|| display.to_owned()),
                        &raw[open..],
                    )
                }
                None => (None, raw),
            },
        };
        let Some(bracketed) = rest.strip_prefix('<') else {
            if display.is_some() {
                return Err(TypedError::Address("a display name without a <URI>"));
            }
            // addr-spec: a URI with `,`, `?` or `;` of its own needs the brackets (§20).
            let (uri, params) = raw.split_once(';').unwrap_or((raw, ""));
            let uri = uri.trim();
            if uri.contains(['?', ',']) {
                return Err(TypedError::Address("a URI with headers outside <>"));
            }
            check_uri(uri)?;
            return Ok(Self {
                display: None,
                uri: uri.to_owned(),
                params: parse_params(params),
            });
        };
        let close = bracketed
            .find('>')
            .ok_or(TypedError::Address("a < without its >"))?;
        let uri = &bracketed[..close];
        if uri.starts_with(char::is_whitespace) || uri.ends_with(char::is_whitespace) {
            return Err(TypedError::Address("spaces inside <>"));
        }
        check_uri(uri)?;
        Ok(Self {
            display,
            uri: uri.to_owned(),
            params: parse_params(&bracketed[close + 1..]),
        })
    }

    /// A name-addr for `uri`.
    pub fn new(display: Option<&str>, uri: impl Into<String>) -> Self {
        Self {
            display: display.map(str::to_owned),
            uri: uri.into(),
            params: Vec::new(),
        }
    }

    /// The `tag` parameter.
    pub fn tag(&self) -> Option<&str> {
        param(&self.params, "tag").flatten()
    }

    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        param(&self.params, name)
    }

    /// Sets (or adds) a parameter.
    pub fn set_param(&mut self, name: &str, value: Option<&str>) {
        set_param(&mut self.params, name, value);
    }
}

impl std::fmt::Display for NameAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(display) = &self.display {
            write!(f, "\"{}\" ", display.replace('"', "\\\""))?;
        }
        write!(f, "<{}>{}", self.uri, print_params(&self.params))
    }
}

/// The CSeq: a sequence number and a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    /// The number (below 2^31).
    pub seq: u32,
    /// The method.
    pub method: Method,
}

impl CSeq {
    /// Parses `314159 INVITE`.
    ///
    /// # Errors
    /// [`TypedError::Malformed`].
    pub fn parse(raw: &str) -> Result<Self, TypedError> {
        let bad = TypedError::Malformed("CSeq");
        let mut parts = raw.split_whitespace();
        let (Some(seq), Some(method), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad);
        };
        let seq: u32 = seq.parse().map_err(|_| bad.clone())?;
        if seq >= 1 << 31 {
            return Err(bad);
        }
        Ok(Self {
            seq,
            method: Method::from_token(method),
        })
    }
}

impl std::fmt::Display for CSeq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn via_round_trips() {
        let raw = "SIP/2.0/udp 192.0.2.1:5060;branch=z9hG4bKnashds8;rport;received=10.0.0.1";
        let via = Via::parse(raw).unwrap();
        assert_eq!(via.transport, "UDP");
        assert_eq!((via.host.as_str(), via.port), ("192.0.2.1", Some(5060)));
        assert_eq!(via.branch(), Some("z9hG4bKnashds8"));
        assert_eq!(via.param("rport"), Some(None));
        assert_eq!(Via::parse(&via.to_string()).unwrap(), via);
        let v6 = Via::parse("SIP/2.0/TCP [::1]:5070;branch=z9hG4bKx").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("[::1]", Some(5070)));
        // Whitespace around the slashes, folded lines (RFC 4475 §3.1.1.1); another version
        // is kept for the request line to refuse (505).
        let spaced = Via::parse("SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!(
            (spaced.transport.as_str(), spaced.host.as_str()),
            ("UDP", "192.0.2.2")
        );
        assert!(Via::parse("SIP/7.0/UDP h").is_ok());
        for bad in [
            "",
            "SIP/2.0/UDP",
            "SIP/2.0/UDPh",
            "SIP/2.0 UDP h",
            "SIP/2.0/UDP h:0",
            "SIP/2.0/UDP h:x",
            "HTTP/2.0/UDP h",
        ] {
            assert!(Via::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn name_addr_forms() {
        let a =
            NameAddr::parse("\"Alice \\\"A\\\"\" <sip:alice@x.org;transport=tcp>;tag=88").unwrap();
        assert_eq!(a.display.as_deref(), Some("Alice \"A\""));
        assert_eq!(a.uri, "sip:alice@x.org;transport=tcp");
        assert_eq!(a.tag(), Some("88"));
        assert_eq!(NameAddr::parse(&a.to_string()).unwrap(), a);
        let b = NameAddr::parse("sip:bob@y.org;tag=1").unwrap();
        assert_eq!((b.uri.as_str(), b.tag()), ("sip:bob@y.org", Some("1")));
        let c = NameAddr::parse("Bob <sip:bob@y.org>").unwrap();
        assert_eq!(c.display.as_deref(), Some("Bob"));
        for bad in ["", "<>", "<sip:x", "no uri here", "<nocolon>"] {
            assert!(NameAddr::parse(bad).is_err(), "{bad:?}");
        }
        // The forms of RFC 4475: spaces and folds around parameters, quoted pairs and
        // token display names are valid; each invalid one is told by its fault.
        let spaced =
            NameAddr::parse("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n").unwrap();
        assert_eq!(
            (spaced.uri.as_str(), spaced.tag()),
            ("sip:vivekg@chair-dnrc.example.com", Some("1918181833n"))
        );
        let escaped = NameAddr::parse(
            "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com> ; tag = 98asjd8",
        )
        .unwrap();
        assert_eq!(escaped.tag(), Some("98asjd8"));
        let tokens =
            NameAddr::parse("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>").unwrap();
        assert_eq!(
            tokens.display.as_deref(),
            Some("token1~` token2'+_ token3*%!.-")
        );
        for (bad, fault) in [
            (
                "\"Mr. J. User <sip:j.user@example.com>",
                "an unterminated quoted string",
            ),
            (
                "\"Watson, Thomas\" < sip:t.watson@example.org >",
                "spaces inside <>",
            ),
            (
                "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
                "a display name with characters it may only hold in quotes",
            ),
            (
                "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
                "a URI with headers outside <>",
            ),
        ] {
            assert_eq!(
                NameAddr::parse(bad),
                Err(TypedError::Address(fault)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn cseq_bounds() {
        assert_eq!(
            CSeq::parse("1 INVITE").unwrap(),
            CSeq {
                seq: 1,
                method: Method::Invite
            }
        );
        assert!(CSeq::parse("2147483648 INVITE").is_err());
        assert!(CSeq::parse("x INVITE").is_err());
        assert!(CSeq::parse("1").is_err());
        assert!(CSeq::parse("1 INVITE extra").is_err());
    }
}
