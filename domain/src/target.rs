//! Typed call targets: what a person types in the search bar, parsed before anything is sent.

use wink_ports::{SipUri, UriError, contact_search};

use crate::number_rules::{DialPlan, NumberError};
use crate::{Account, DtmfStep};

/// Why a target cannot be called.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Nothing was typed.
    #[error("type a name, a SIP address or a phone number")]
    Empty,
    /// A SIP URI that does not parse.
    #[error("not a valid SIP address: {0}")]
    BadUri(#[from] UriError),
    /// A phone number the account's rules cannot dial.
    #[error(transparent)]
    BadNumber(#[from] NumberError),
    /// Neither an address, a username nor a number.
    #[error("{input:?} is not a SIP address, username or phone number: {reason}")]
    Unrecognised {
        /// What was typed.
        input: String,
        /// Why it was not understood.
        reason: &'static str,
    },
    /// A bare username or number, but the account has no domain (Bonjour).
    #[error("{0:?} needs a full address (user@host) when calling from the Bonjour account")]
    NeedsDomain(String),
}

/// A parsed call target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A full SIP URI or `user@host`.
    Uri(SipUri),
    /// A bare username, completed with the account's domain.
    User(String),
    /// A phone number as typed; the account's number rules apply when dialing.
    PhoneNumber(String),
}

/// The call a target becomes from a given account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    /// The Request-URI.
    pub uri: SipUri,
    /// DTMF to play once connected.
    pub dtmf_tail: Vec<DtmfStep>,
}

fn is_username(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+~".contains(c))
}

/// A number to dial: it starts like one and holds digits, keypad letters, `+`, `*`, `#`, `,`
/// (a pause in the DTMF tail) and the separators contact search ignores too. Wider than
/// [`contact_search::looks_like_number`], which decides whether a search is by digits.
fn looks_like_number(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "+*#,".contains(c)
                || contact_search::is_number_separator(c)
        })
}

impl Target {
    /// Parses `alice`, `alice@example.com`, `sip:alice@example.com;transport=tcp`,
    /// `tel:+4420…`, `+44 20 1234 5678` or `0044…`.
    ///
    /// # Errors
    /// A [`TargetError`] that says what is wrong.
    pub fn parse(input: &str) -> Result<Self, TargetError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(TargetError::Empty);
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("sip:") || lower.starts_with("sips:") {
            return Ok(Target::Uri(SipUri::parse(text)?));
        }
        if let Some(number) = lower.strip_prefix("tel:") {
            return if looks_like_number(number) {
                Ok(Target::PhoneNumber(text[4..].to_owned()))
            } else {
                Err(TargetError::Unrecognised {
                    input: text.to_owned(),
                    reason: "a tel: URI must hold a phone number",
                })
            };
        }
        if text.contains('@') {
            return Ok(Target::Uri(SipUri::parse(&format!("sip:{text}"))?));
        }
        if let Some((scheme, _)) = text.split_once(':')
            && scheme.chars().all(|c| c.is_ascii_alphabetic())
            && !scheme.is_empty()
        {
            return Err(UriError::UnsupportedScheme(scheme.to_ascii_lowercase()).into());
        }
        if looks_like_number(text) {
            return Ok(Target::PhoneNumber(text.to_owned()));
        }
        if is_username(text) {
            return Ok(Target::User(text.to_owned()));
        }
        let reason = if text.contains(char::is_whitespace) {
            "it contains spaces"
        } else {
            "it contains characters that are not allowed"
        };
        Err(TargetError::Unrecognised {
            input: text.to_owned(),
            reason,
        })
    }

    /// Whether this is a phone number (short messages to it are limited to 160 characters).
    pub fn is_phone_number(&self) -> bool {
        match self {
            Target::PhoneNumber(_) => true,
            Target::Uri(uri) => uri.param("user") == Some(Some("phone")),
            Target::User(_) => false,
        }
    }

    /// The URI to call from `account`, with its number rules applied.
    ///
    /// # Errors
    /// [`TargetError::BadNumber`], [`TargetError::NeedsDomain`], [`TargetError::BadUri`].
    pub fn resolve(&self, account: &Account) -> Result<ResolvedTarget, TargetError> {
        let (user, dtmf_tail) = match self {
            Target::Uri(uri) => {
                return Ok(ResolvedTarget {
                    uri: uri.clone(),
                    dtmf_tail: Vec::new(),
                });
            }
            Target::User(user) => (user.clone(), Vec::new()),
            Target::PhoneNumber(number) => {
                let DialPlan { number, dtmf_tail } = account.number_rules.apply(number)?;
                (number, dtmf_tail)
            }
        };
        let domain = account
            .domain()
            .ok_or_else(|| TargetError::NeedsDomain(user.clone()))?;
        Ok(ResolvedTarget {
            uri: SipUri::from_parts(Some(&user), domain)?,
            dtmf_tail,
        })
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::DtmfDigit;

    use super::*;
    use crate::{AccountAddress, NumberRules};

    fn account() -> Account {
        let mut account = Account::sip(AccountAddress::parse("me@example.com").unwrap());
        account.number_rules = NumberRules {
            plus_replacement: Some("00".into()),
            ..NumberRules::default()
        };
        account
    }

    #[test]
    fn parses_every_typed_form() {
        assert_eq!(
            Target::parse("alice").unwrap(),
            Target::User("alice".into())
        );
        assert_eq!(
            Target::parse("alice@example.com").unwrap(),
            Target::Uri(SipUri::parse("sip:alice@example.com").unwrap())
        );
        let with_transport = Target::parse("sip:alice@example.com;transport=tcp").unwrap();
        let Target::Uri(uri) = &with_transport else {
            panic!("{with_transport:?}")
        };
        assert_eq!(uri.param("transport"), Some(Some("tcp")));
        assert_eq!(
            Target::parse(" +44 20 1234 5678 ").unwrap(),
            Target::PhoneNumber("+44 20 1234 5678".into())
        );
        assert_eq!(
            Target::parse("00442012345678").unwrap(),
            Target::PhoneNumber("00442012345678".into())
        );
        assert_eq!(
            Target::parse("tel:+15550100").unwrap(),
            Target::PhoneNumber("+15550100".into())
        );
    }

    #[test]
    fn garbage_gets_a_clear_error() {
        assert_eq!(Target::parse("   "), Err(TargetError::Empty));
        assert_eq!(
            Target::parse("http://example.com"),
            Err(TargetError::BadUri(UriError::UnsupportedScheme(
                "http".into()
            )))
        );
        assert!(matches!(Target::parse("sip:"), Err(TargetError::BadUri(_))));
        assert!(matches!(
            Target::parse("al ice"),
            Err(TargetError::Unrecognised {
                reason: "it contains spaces",
                ..
            })
        ));
        assert!(matches!(
            Target::parse("ali$ce"),
            Err(TargetError::Unrecognised { .. })
        ));
        assert!(matches!(
            Target::parse("alice@"),
            Err(TargetError::BadUri(UriError::MissingHost))
        ));
        assert!(matches!(
            Target::parse("tel:abc"),
            Err(TargetError::Unrecognised { .. })
        ));
    }

    #[test]
    fn resolves_against_the_account() {
        let acc = account();
        assert_eq!(
            Target::parse("bob")
                .unwrap()
                .resolve(&acc)
                .unwrap()
                .uri
                .to_string(),
            "sip:bob@example.com"
        );
        let resolved = Target::parse("+44 20 1234#9,1")
            .unwrap()
            .resolve(&acc)
            .unwrap();
        assert_eq!(resolved.uri.to_string(), "sip:0044201234@example.com");
        assert_eq!(
            resolved.dtmf_tail,
            vec![
                DtmfStep::Key(DtmfDigit::Digit(9)),
                DtmfStep::Pause,
                DtmfStep::Key(DtmfDigit::Digit(1))
            ]
        );
        let full = Target::parse("sip:carol@other.org")
            .unwrap()
            .resolve(&acc)
            .unwrap();
        assert_eq!(full.uri.to_string(), "sip:carol@other.org");
    }

    #[test]
    fn bonjour_needs_full_addresses() {
        let bonjour = Account::bonjour();
        assert_eq!(
            Target::parse("bob").unwrap().resolve(&bonjour),
            Err(TargetError::NeedsDomain("bob".into()))
        );
        assert!(
            Target::parse("bob@192.168.1.5")
                .unwrap()
                .resolve(&bonjour)
                .is_ok()
        );
    }

    #[test]
    fn phone_numbers_are_recognised_for_message_limits() {
        assert!(Target::parse("+1555").unwrap().is_phone_number());
        assert!(
            Target::parse("sip:+1555@x.org;user=phone")
                .unwrap()
                .is_phone_number()
        );
        assert!(!Target::parse("alice").unwrap().is_phone_number());
    }
}
