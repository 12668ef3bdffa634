//! HTTP digest authentication for SIP (RFC 3261 §22, RFC 7616, RFC 8760) and MSRP relays
//! (RFC 4976 `AUTH`), written here because `rsip`'s helpers mishandle SHA-256, `-sess` and
//! the nonce count. A pure library that `wink-sip` and `wink-msrp` share; no port.
//!
//! [`Challenge::parse`] reads `WWW-Authenticate`/`Proxy-Authenticate`; a [`DigestClient`]
//! answers challenges for one account, counting `nc` per nonce as 8 hex digits and taking a
//! `stale=true` challenge as "same password, new nonce".

use md5::{Digest as _, Md5};
use sha2::Sha256;

/// Why a challenge cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// Not a `Digest` challenge.
    #[error("unsupported authentication scheme {0:?}")]
    UnsupportedScheme(String),
    /// An algorithm we do not implement.
    #[error("unsupported digest algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// `qop` offered only options we do not implement (`auth-int`).
    #[error("unsupported qop {0:?}")]
    UnsupportedQop(String),
    /// A parameter is missing or malformed.
    #[error("malformed challenge: {0}")]
    Malformed(&'static str),
}

/// A digest hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// MD5 (RFC 2617, still what most SIP servers send).
    Md5,
    /// MD5 with session keys.
    Md5Sess,
    /// SHA-256 (RFC 7616 / RFC 8760).
    Sha256,
    /// SHA-256 with session keys.
    Sha256Sess,
}

impl Algorithm {
    fn parse(raw: &str) -> Result<Self, DigestError> {
        match raw.to_ascii_uppercase().as_str() {
            "MD5" => Ok(Algorithm::Md5),
            "MD5-SESS" => Ok(Algorithm::Md5Sess),
            "SHA-256" => Ok(Algorithm::Sha256),
            "SHA-256-SESS" => Ok(Algorithm::Sha256Sess),
            _ => Err(DigestError::UnsupportedAlgorithm(raw.to_owned())),
        }
    }

    /// The name as written in headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    fn hash(self, data: &str) -> String {
        fn hex(bytes: &[u8]) -> String {
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => hex(&Md5::digest(data.as_bytes())),
            Algorithm::Sha256 | Algorithm::Sha256Sess => hex(&Sha256::digest(data.as_bytes())),
        }
    }

    fn is_session(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// Preference when a server offers several challenges: SHA-256 first.
    fn strength(self) -> u8 {
        match self {
            Algorithm::Sha256 | Algorithm::Sha256Sess => 2,
            Algorithm::Md5 | Algorithm::Md5Sess => 1,
        }
    }
}

/// A parsed `Digest` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The realm.
    pub realm: String,
    /// The nonce.
    pub nonce: String,
    /// The opaque value to echo.
    pub opaque: Option<String>,
    /// The algorithm (MD5 when absent).
    pub algorithm: Algorithm,
    /// Whether `qop=auth` is offered (we never use `auth-int`).
    pub qop_auth: bool,
    /// The server says our nonce expired, not our password.
    pub stale: bool,
}

/// Splits `a="x, y", b=z` into pairs, honouring quotes and backslash escapes.
fn auth_params(raw: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = raw.trim();
    while !rest.is_empty() {
        let Some((name, after)) = rest.split_once('=') else {
            break;
        };
        let name = name
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        params.push((name, value));
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    params
}

impl Challenge {
    /// Parses one `WWW-Authenticate` or `Proxy-Authenticate` value.
    ///
    /// # Errors
    /// [`DigestError`] naming what is wrong or unsupported.
    pub fn parse(raw: &str) -> Result<Self, DigestError> {
        let raw = raw.trim();
        let (scheme, rest) = raw.split_once(char::is_whitespace).unwrap_or((raw, ""));
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(DigestError::UnsupportedScheme(scheme.to_owned()));
        }
        let params = auth_params(rest);
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let algorithm = get("algorithm").map_or(Ok(Algorithm::Md5), |a| Algorithm::parse(&a))?;
        let qop_auth = match get("qop") {
            None => false,
            Some(qop)
                if qop
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth")) =>
            {
                true
            }
            Some(qop) => return Err(DigestError::UnsupportedQop(qop)),
        };
        Ok(Self {
            realm: get("realm").ok_or(DigestError::Malformed("no realm"))?,
            nonce: get("nonce")
                .filter(|n| !n.is_empty())
                .ok_or(DigestError::Malformed("no nonce"))?,
            opaque: get("opaque"),
            algorithm,
            qop_auth,
            stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }

    /// The challenge to answer among several (a 401 may offer SHA-256 and MD5): the
    /// strongest we support.
    ///
    /// # Errors
    /// The error of the last challenge when none is usable.
    pub fn pick<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, DigestError> {
        let mut best: Option<Challenge> = None;
        let mut last_error = DigestError::Malformed("no challenge");
        for value in values {
            match Challenge::parse(value) {
                Ok(c)
                    if best
                        .as_ref()
                        .is_none_or(|b| c.algorithm.strength() > b.algorithm.strength()) =>
                {
                    best = Some(c)
                }
                Ok(_) => {}
                Err(e) => last_error = e,
            }
        }
        best.ok_or(last_error)
    }
}

/// The credentials of one account.
#[derive(Clone)]
pub struct Credentials {
    /// The digest username.
    pub username: String,
    /// The password.
    pub password: wink_ports::Password,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Answers digest challenges for one account, keeping the nonce count per nonce.
#[derive(Debug, Clone)]
pub struct DigestClient {
    credentials: Credentials,
    challenge: Option<Challenge>,
    nonce_count: u32,
    /// An answer was sent and no success has confirmed it yet.
    unconfirmed: bool,
}

impl DigestClient {
    /// A client for these credentials.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            challenge: None,
            nonce_count: 0,
            unconfirmed: false,
        }
    }

    /// Takes a new challenge. Returns `false` when it answers our last, unconfirmed answer
    /// without `stale=true`: the password is wrong, and retrying would loop.
    pub fn accept(&mut self, challenge: Challenge) -> bool {
        let refused = self.unconfirmed && !challenge.stale;
        let same_nonce = self
            .challenge
            .as_ref()
            .is_some_and(|c| c.nonce == challenge.nonce && c.realm == challenge.realm);
        if !same_nonce {
            self.nonce_count = 0;
        }
        self.challenge = Some(challenge);
        self.unconfirmed = false;
        !refused
    }

    /// The request we answered succeeded: the credentials are good.
    pub fn confirm(&mut self) {
        self.unconfirmed = false;
    }

    /// The `Authorization` (or `Proxy-Authorization`) value for `method` on `uri`, using the
    /// current challenge and `cnonce`; `None` before any challenge.
    pub fn authorization(&mut self, method: &str, uri: &str, cnonce: &str) -> Option<String> {
        let challenge = self.challenge.as_ref()?;
        self.nonce_count += 1;
        self.unconfirmed = true;
        Some(answer(
            challenge,
            &self.credentials,
            method,
            uri,
            cnonce,
            self.nonce_count,
        ))
    }
}

/// Computes one digest answer (exposed for test vectors).
pub fn answer(
    challenge: &Challenge,
    credentials: &Credentials,
    method: &str,
    uri: &str,
    cnonce: &str,
    nc: u32,
) -> String {
    let algorithm = challenge.algorithm;
    let nc = format!("{nc:08x}");
    let mut ha1 = algorithm.hash(&format!(
        "{}:{}:{}",
        credentials.username,
        challenge.realm,
        credentials.password.expose()
    ));
    if algorithm.is_session() {
        ha1 = algorithm.hash(&format!("{ha1}:{}:{cnonce}", challenge.nonce));
    }
    let ha2 = algorithm.hash(&format!("{method}:{uri}"));
    let response = if challenge.qop_auth {
        algorithm.hash(&format!(
            "{ha1}:{}:{nc}:{cnonce}:auth:{ha2}",
            challenge.nonce
        ))
    } else {
        algorithm.hash(&format!("{ha1}:{}:{ha2}", challenge.nonce))
    };
    let mut header = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, response={}, algorithm={}",
        quote(&credentials.username),
        quote(&challenge.realm),
        quote(&challenge.nonce),
        quote(uri),
        quote(&response),
        algorithm.as_str()
    );
    if challenge.qop_auth || algorithm.is_session() {
        header.push_str(&format!(", cnonce={}", quote(cnonce)));
    }
    if challenge.qop_auth {
        header.push_str(&format!(", qop=auth, nc={nc}"));
    }
    if let Some(opaque) = &challenge.opaque {
        header.push_str(&format!(", opaque={}", quote(opaque)));
    }
    header
}

/// Hides the `response` (and everything else) of authorization headers in logs.
pub fn redact_authorization(value: &str) -> String {
    let scheme = value.split_whitespace().next().unwrap_or("");
    format!("{scheme} <redacted>")
}

#[cfg(test)]
mod tests {
    use wink_ports::Password;

    use super::*;

    fn creds(user: &str, password: &str) -> Credentials {
        Credentials {
            username: user.into(),
            password: Password::new(password),
        }
    }

    fn response_of(header: &str) -> String {
        auth_params(header.trim_start_matches("Digest "))
            .into_iter()
            .find(|(n, _)| n == "response")
            .unwrap()
            .1
    }

    #[test]
    fn rfc_2617_md5_vector() {
        let challenge = Challenge::parse(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        let header = answer(
            &challenge,
            &creds("Mufasa", "Circle Of Life"),
            "GET",
            "/dir/index.html",
            "0a4f113b",
            1,
        );
        assert_eq!(response_of(&header), "6629fae49393a05397450978507c4ef1");
        assert!(
            header.contains("nc=00000001") && header.contains("qop=auth"),
            "{header}"
        );
        assert!(header.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
    }

    #[test]
    fn rfc_7616_sha256_and_md5_vectors() {
        let base = "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        let sha = Challenge::parse(&format!("Digest {base}, algorithm=SHA-256")).unwrap();
        assert_eq!(sha.algorithm, Algorithm::Sha256);
        let header = answer(
            &sha,
            &creds("Mufasa", "Circle of Life"),
            "GET",
            "/dir/index.html",
            cnonce,
            1,
        );
        assert_eq!(
            response_of(&header),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        assert!(
            header.contains("algorithm=SHA-256"),
            "written with the hyphen: {header}"
        );
        let md5 = Challenge::parse(&format!("Digest {base}, algorithm=MD5")).unwrap();
        let header = answer(
            &md5,
            &creds("Mufasa", "Circle of Life"),
            "GET",
            "/dir/index.html",
            cnonce,
            1,
        );
        assert_eq!(response_of(&header), "8ca523f5e9506fed4657c9700eebdbec");
    }

    #[test]
    fn nonce_count_is_eight_hex_digits_and_counts_per_nonce() {
        let challenge = Challenge::parse("Digest realm=\"r\", nonce=\"n1\", qop=auth").unwrap();
        let mut client = DigestClient::new(creds("u", "p"));
        assert!(client.authorization("REGISTER", "sip:r", "c").is_none());
        assert!(client.accept(challenge));
        for _ in 0..9 {
            client.authorization("REGISTER", "sip:r", "c");
        }
        let tenth = client.authorization("REGISTER", "sip:r", "c").unwrap();
        assert!(tenth.contains("nc=0000000a"), "{tenth}");
    }

    #[test]
    fn a_repeated_challenge_means_a_wrong_password_but_stale_retries() {
        let mut client = DigestClient::new(creds("u", "wrong"));
        assert!(client.accept(Challenge::parse("Digest realm=\"r\", nonce=\"n1\"").unwrap()));
        client.authorization("REGISTER", "sip:r", "c");
        assert!(
            !client.accept(Challenge::parse("Digest realm=\"r\", nonce=\"n2\"").unwrap()),
            "refused: do not loop"
        );
        let mut stale = DigestClient::new(creds("u", "right"));
        stale.accept(Challenge::parse("Digest realm=\"r\", nonce=\"n1\"").unwrap());
        stale.authorization("REGISTER", "sip:r", "c");
        assert!(
            stale.accept(Challenge::parse("Digest realm=\"r\", nonce=\"n2\", stale=TRUE").unwrap())
        );
        assert!(
            stale
                .authorization("REGISTER", "sip:r", "c")
                .unwrap()
                .contains("nonce=\"n2\"")
        );
        // After a success, a later fresh challenge (an expired nonce) is answered again.
        stale.confirm();
        assert!(stale.accept(Challenge::parse("Digest realm=\"r\", nonce=\"n3\"").unwrap()));
    }

    #[test]
    fn picks_the_strongest_and_reports_the_unusable() {
        let picked = Challenge::pick([
            "Digest realm=\"r\", nonce=\"a\", algorithm=MD5",
            "Digest realm=\"r\", nonce=\"b\", algorithm=SHA-256",
            "Basic realm=\"r\"",
        ])
        .unwrap();
        assert_eq!(picked.algorithm, Algorithm::Sha256);
        assert_eq!(
            Challenge::parse("Basic realm=\"x\""),
            Err(DigestError::UnsupportedScheme("Basic".into()))
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"x\", nonce=\"y\", algorithm=SHA-512-256"),
            Err(DigestError::UnsupportedAlgorithm("SHA-512-256".into()))
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"x\", nonce=\"y\", qop=\"auth-int\""),
            Err(DigestError::UnsupportedQop("auth-int".into()))
        );
        assert_eq!(
            Challenge::parse("Digest realm=\"x\""),
            Err(DigestError::Malformed("no nonce"))
        );
    }

    #[test]
    fn session_variant_hashes_the_cnonce_in() {
        let sess =
            Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=MD5-sess")
                .unwrap();
        let a = answer(&sess, &creds("u", "p"), "REGISTER", "sip:r", "c1", 1);
        let b = answer(&sess, &creds("u", "p"), "REGISTER", "sip:r", "c2", 1);
        assert_ne!(response_of(&a), response_of(&b));
        // HA1 = MD5(MD5(u:r:p):n:c1); computed independently.
        let inner = Algorithm::Md5.hash("u:r:p");
        let ha1 = Algorithm::Md5.hash(&format!("{inner}:n:c1"));
        let ha2 = Algorithm::Md5.hash("REGISTER:sip:r");
        assert_eq!(
            response_of(&a),
            Algorithm::Md5.hash(&format!("{ha1}:n:00000001:c1:auth:{ha2}"))
        );
    }

    #[test]
    fn quoted_values_keep_commas_and_escapes() {
        let c = Challenge::parse("Digest realm=\"a, \\\"b\\\"\", nonce=\"x,y\"").unwrap();
        assert_eq!(c.realm, "a, \"b\"");
        assert_eq!(c.nonce, "x,y");
        assert_eq!(
            redact_authorization("Digest username=\"u\", response=\"abc\""),
            "Digest <redacted>"
        );
    }
}
