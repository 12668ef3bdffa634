//! Authenticating to an MSRP relay (RFC 4976 §5): `AUTH` to the relay, its 401 digest
//! challenge answered once, and the `Use-Path` of its 200 — the relay's URI for this
//! session, to put before our own in `a=path` and in front of every `To-Path`. Sans-IO:
//! frames out, frames in.

use std::time::Duration;

use tracing::{debug, warn};
use wink_digest::{Challenge, Credentials, DigestClient};

use crate::frame::{Continuation, Frame, Head, Kind, Method};
use crate::ids::Ids;
use crate::uri::MsrpUri;

/// The relay's answer, once settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayOutcome {
    /// Send these bytes to the relay and feed its next response.
    Send(Vec<u8>),
    /// Authenticated: the relay's path for us, for this long.
    Ready {
        /// `Use-Path`: the relay URIs to put before ours.
        use_path: Vec<MsrpUri>,
        /// How long the relay keeps it (`Expires`).
        expires: Duration,
    },
    /// The relay said no.
    Refused {
        /// Its status (401 a second time: the password is wrong).
        code: u16,
        /// In plain words.
        reason: String,
    },
}

/// One AUTH exchange with a relay.
#[derive(Debug)]
pub struct RelayAuth {
    relay: MsrpUri,
    local: MsrpUri,
    digest: DigestClient,
    ids: Ids,
    transaction: String,
    expires: Option<u32>,
}

impl RelayAuth {
    /// An exchange with `relay` (`msrps://relay.example.com;tcp`) for the endpoint at
    /// `local`, asking for `expires` seconds when given.
    #[must_use]
    pub fn new(
        relay: MsrpUri,
        local: MsrpUri,
        credentials: Credentials,
        seed: u64,
        expires: Option<u32>,
    ) -> Self {
        Self {
            relay,
            local,
            digest: DigestClient::new(credentials),
            ids: Ids::seeded(seed),
            transaction: String::new(),
            expires,
        }
    }

    /// The first AUTH, without credentials.
    pub fn start(&mut self) -> Vec<u8> {
        self.request(None)
    }

    fn request(&mut self, authorization: Option<String>) -> Vec<u8> {
        self.transaction = self.ids.transaction();
        let mut headers = vec![
            ("To-Path".to_owned(), self.relay.to_string()),
            ("From-Path".to_owned(), self.local.to_string()),
        ];
        if let Some(value) = authorization {
            headers.push(("Authorization".into(), value));
        }
        if let Some(expires) = self.expires {
            headers.push(("Expires".into(), expires.to_string()));
        }
        let mut bytes = Vec::new();
        Frame {
            head: Head {
                transaction: self.transaction.clone(),
                kind: Kind::Request(Method::Auth),
                headers,
            },
            body: Vec::new(),
            continuation: Continuation::Complete,
        }
        .encode(&mut bytes);
        bytes
    }

    /// A frame from the relay; `None` when it is not the answer to our AUTH.
    pub fn handle(&mut self, head: &Head) -> Option<RelayOutcome> {
        let Kind::Response { code, comment } = &head.kind else {
            return None;
        };
        if head.transaction != self.transaction {
            debug!(target: "msrp", transaction = %head.transaction, "relay response to no AUTH of ours");
            return None;
        }
        let refused = |code: u16, reason: &str| RelayOutcome::Refused {
            code,
            reason: reason.to_owned(),
        };
        Some(match *code {
            200 => {
                let use_path = head.header("Use-Path").map(MsrpUri::parse_path);
                match use_path {
                    Some(Ok(use_path)) => {
                        self.digest.confirm();
                        let seconds = head
                            .header("Expires")
                            .and_then(|e| e.trim().parse().ok())
                            .unwrap_or(600);
                        RelayOutcome::Ready {
                            use_path,
                            expires: Duration::from_secs(seconds),
                        }
                    }
                    _ => refused(
                        200,
                        &format!(
                            "the relay accepted but gave no valid Use-Path ({:?})",
                            head.header("Use-Path").unwrap_or_default()
                        ),
                    ),
                }
            }
            401 => {
                let challenge = head
                    .header("WWW-Authenticate")
                    .map(Challenge::parse)
                    .and_then(Result::ok);
                let Some(challenge) = challenge else {
                    return Some(refused(
                        401,
                        "the relay asks for an authentication we cannot give",
                    ));
                };
                if !self.digest.accept(challenge) {
                    warn!(target: "msrp", relay = %self.relay, "relay refused the password");
                    return Some(refused(401, "the relay refused the user name or password"));
                }
                let cnonce = self.ids.alphanumeric(16);
                let uri = self.relay.to_string();
                match self.digest.authorization("AUTH", &uri, &cnonce) {
                    Some(value) => RelayOutcome::Send(self.request(Some(value))),
                    None => refused(401, "the relay asks for an authentication we cannot give"),
                }
            }
            423 => {
                let least = head
                    .header("Min-Expires")
                    .and_then(|v| v.trim().parse().ok());
                match least {
                    Some(least) if self.expires.is_none_or(|e| e < least) => {
                        self.expires = Some(least);
                        let cnonce = self.ids.alphanumeric(16);
                        let uri = self.relay.to_string();
                        let authorization = self.digest.authorization("AUTH", &uri, &cnonce);
                        RelayOutcome::Send(self.request(authorization))
                    }
                    _ => refused(423, "the relay refused the session's lifetime"),
                }
            }
            code => refused(code, comment.as_deref().unwrap_or("refused by the relay")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoder::decode_frames;

    fn auth() -> RelayAuth {
        RelayAuth::new(
            MsrpUri::parse("msrp://127.0.0.1:2855;tcp").unwrap(),
            MsrpUri::endpoint(false, "127.0.0.1", 4000, "me"),
            Credentials {
                username: "alice".into(),
                password: wink_ports::Password::new("alice-pw"),
            },
            3,
            None,
        )
    }

    fn response(transaction: &str, code: u16, headers: &[(&str, &str)]) -> Head {
        Head {
            transaction: transaction.into(),
            kind: Kind::Response {
                code,
                comment: None,
            },
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn sent_head(bytes: &[u8]) -> Head {
        decode_frames(bytes).0.remove(0).head
    }

    #[test]
    fn a_challenge_is_answered_once_and_the_use_path_is_taken() {
        let mut auth = auth();
        let first = sent_head(&auth.start());
        assert_eq!(first.kind, Kind::Request(Method::Auth));
        assert_eq!(first.header("To-Path"), Some("msrp://127.0.0.1:2855;tcp"));
        assert_eq!(first.header("Authorization"), None);
        let challenge = r#"Digest realm="wink.test", nonce="abc", qop="auth""#;
        let Some(RelayOutcome::Send(bytes)) = auth.handle(&response(
            &first.transaction,
            401,
            &[("WWW-Authenticate", challenge)],
        )) else {
            panic!("the challenge is answered");
        };
        let second = sent_head(&bytes);
        let authorization = second.header("Authorization").unwrap();
        assert!(
            authorization.contains(r#"username="alice""#),
            "{authorization}"
        );
        assert!(
            authorization.contains(r#"uri="msrp://127.0.0.1:2855;tcp""#),
            "{authorization}"
        );
        // A stray answer to the first AUTH is not ours any more.
        assert_eq!(auth.handle(&response(&first.transaction, 200, &[])), None);
        let ready = auth.handle(&response(
            &second.transaction,
            200,
            &[
                ("Use-Path", "msrp://127.0.0.1:2855/s.1;tcp"),
                ("Expires", "1800"),
            ],
        ));
        assert_eq!(
            ready,
            Some(RelayOutcome::Ready {
                use_path: vec![MsrpUri::parse("msrp://127.0.0.1:2855/s.1;tcp").unwrap()],
                expires: Duration::from_secs(1800),
            })
        );
    }

    #[test]
    fn a_second_challenge_means_a_wrong_password() {
        let mut auth = auth();
        let first = sent_head(&auth.start());
        let challenge = [(
            "WWW-Authenticate",
            r#"Digest realm="wink.test", nonce="abc""#,
        )];
        let Some(RelayOutcome::Send(bytes)) =
            auth.handle(&response(&first.transaction, 401, &challenge))
        else {
            panic!("the challenge is answered");
        };
        let second = sent_head(&bytes);
        assert!(matches!(
            auth.handle(&response(&second.transaction, 401, &challenge)),
            Some(RelayOutcome::Refused { code: 401, .. })
        ));
    }
}
