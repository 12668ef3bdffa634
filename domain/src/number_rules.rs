//! Phone number rules per account: `+` replacement, external line prefix, letters to keypad
//! digits, and the DTMF tail after a delimiter (`#` by default) with `,` as a 1 s pause.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use wink_ports::DtmfDigit;
// Characters people write in numbers for readability are dropped before dialing: the same
// list as contact search's, so a number that dials is also a number that finds its contact.
use wink_ports::contact_search::is_number_separator as is_separator;

/// How long a `,` in the DTMF tail waits.
pub const PAUSE: Duration = Duration::from_secs(1);

/// Why a phone number cannot be dialed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// Nothing to dial.
    #[error("the number is empty")]
    Empty,
    /// A character that is neither a digit, a keypad letter nor a separator.
    #[error("{character:?} cannot be dialed in {number:?} (digits 0-9 * # are allowed)")]
    BadCharacter {
        /// The number.
        number: String,
        /// The character.
        character: char,
    },
    /// A `+` that is not at the start.
    #[error("'+' may only start a number: {0:?}")]
    MisplacedPlus(String),
    /// A rule setting holds characters a number cannot.
    #[error("the {rule} {value:?} may only hold digits 0-9 * #")]
    BadRule {
        /// Which setting.
        rule: &'static str,
        /// Its value.
        value: String,
    },
}

/// One step of the DTMF tail played once a call is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfStep {
    /// Send a key.
    Key(DtmfDigit),
    /// Wait one second.
    Pause,
}

/// The per-account phone number settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NumberRules {
    /// Replaces a leading `+` (e.g. `00`, or `001` to turn `+44XXX` into `00144XXX`).
    pub plus_replacement: Option<String>,
    /// Put in front of every number dialed (e.g. `9` for an outside line).
    pub external_line_prefix: Option<String>,
    /// What separates the number from the DTMF tail.
    pub dtmf_delimiter: char,
}

impl Default for NumberRules {
    fn default() -> Self {
        Self {
            plus_replacement: None,
            external_line_prefix: None,
            dtmf_delimiter: '#',
        }
    }
}

/// A number after the rules: what goes in the Request-URI, and the DTMF tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialPlan {
    /// The digits to dial (may start with `+` when no replacement is set).
    pub number: String,
    /// Keys and pauses to play once connected.
    pub dtmf_tail: Vec<DtmfStep>,
}

/// The telephone keypad: `ABC` → 2 … `WXYZ` → 9.
pub fn keypad_digit(letter: char) -> Option<char> {
    let digit = match letter.to_ascii_uppercase() {
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => return None,
    };
    Some(digit)
}

fn validate_rule(rule: &'static str, value: &Option<String>) -> Result<(), NumberError> {
    match value {
        Some(v)
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '*' || c == '#') =>
        {
            Err(NumberError::BadRule {
                rule,
                value: v.clone(),
            })
        }
        _ => Ok(()),
    }
}

impl NumberRules {
    /// Checks the settings themselves.
    ///
    /// # Errors
    /// [`NumberError::BadRule`] for a prefix that is not digits.
    pub fn validate(&self) -> Result<(), NumberError> {
        validate_rule("'+' replacement", &self.plus_replacement)?;
        validate_rule("external line prefix", &self.external_line_prefix)
    }

    /// Applies the rules to a number as typed: `+44 (20) 1234-5678#123,4`.
    ///
    /// # Errors
    /// A [`NumberError`] saying which character is wrong.
    pub fn apply(&self, typed: &str) -> Result<DialPlan, NumberError> {
        self.validate()?;
        let (number_part, tail_part) = match typed.split_once(self.dtmf_delimiter) {
            Some((number, tail)) => (number, Some(tail)),
            None => (typed, None),
        };
        let bad = |character| NumberError::BadCharacter {
            number: typed.to_owned(),
            character,
        };

        let mut digits = String::with_capacity(number_part.len());
        for (index, c) in number_part.trim().chars().enumerate() {
            match c {
                '0'..='9' | '*' | '#' => digits.push(c),
                '+' if index == 0 => digits.push('+'),
                '+' => return Err(NumberError::MisplacedPlus(typed.to_owned())),
                c if is_separator(c) => {}
                c => digits.push(keypad_digit(c).ok_or(bad(c))?),
            }
        }
        if digits.is_empty() || digits == "+" {
            return Err(NumberError::Empty);
        }
        if let (Some(rest), Some(replacement)) = (digits.strip_prefix('+'), &self.plus_replacement)
        {
            digits = format!("{replacement}{rest}");
        }
        if let Some(prefix) = &self.external_line_prefix {
            digits.insert_str(0, prefix);
        }

        let mut dtmf_tail = Vec::new();
        for c in tail_part.unwrap_or_default().chars() {
            let step = match c {
                ',' => DtmfStep::Pause,
                c if is_separator(c) => continue,
                c => {
                    let key = if c.is_ascii_alphabetic() {
                        keypad_digit(c).ok_or(bad(c))?
                    } else {
                        c
                    };
                    DtmfStep::Key(DtmfDigit::from_char(key).ok_or(bad(c))?)
                }
            };
            dtmf_tail.push(step);
        }
        Ok(DialPlan {
            number: digits,
            dtmf_tail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(plus: Option<&str>, prefix: Option<&str>) -> NumberRules {
        NumberRules {
            plus_replacement: plus.map(Into::into),
            external_line_prefix: prefix.map(Into::into),
            ..NumberRules::default()
        }
    }

    fn keys(s: &str) -> Vec<DtmfStep> {
        s.chars()
            .map(|c| match c {
                ',' => DtmfStep::Pause,
                c => DtmfStep::Key(DtmfDigit::from_char(c).unwrap()),
            })
            .collect()
    }

    #[test]
    fn plus_is_replaced_by_the_configured_prefix() {
        // The seeds' example: Replace Starting + with 001, +44XXX is dialed as 00144XXX.
        let plan = rules(Some("001"), None).apply("+44123").unwrap();
        assert_eq!(plan.number, "00144123");
        assert!(plan.dtmf_tail.is_empty());
    }

    #[test]
    fn plus_is_kept_without_a_replacement() {
        assert_eq!(
            rules(None, None).apply("+44 20 1234 5678").unwrap().number,
            "+442012345678"
        );
    }

    #[test]
    fn zero_zero_numbers_pass_unchanged() {
        assert_eq!(
            rules(Some("00"), None)
                .apply("0044 20 1234 5678")
                .unwrap()
                .number,
            "00442012345678"
        );
    }

    #[test]
    fn external_line_prefix_goes_first() {
        assert_eq!(
            rules(None, Some("9")).apply("555-1234").unwrap().number,
            "95551234"
        );
        assert_eq!(
            rules(Some("00"), Some("9"))
                .apply("+31 20 555")
                .unwrap()
                .number,
            "9003120555"
        );
    }

    #[test]
    fn letters_map_to_keypad_digits() {
        assert_eq!(
            rules(None, None).apply("1-800-FLOWERS").unwrap().number,
            "18003569377"
        );
        assert_eq!(
            rules(None, None).apply("0800 abc").unwrap().number,
            "0800222"
        );
    }

    #[test]
    fn everything_after_the_delimiter_is_dtmf_with_pauses() {
        let plan = rules(None, None).apply("+1 555 0100#1234,,56*#").unwrap();
        assert_eq!(plan.number, "+15550100");
        assert_eq!(plan.dtmf_tail, keys("1234,,56*#"));
    }

    #[test]
    fn the_delimiter_is_configurable() {
        let custom = NumberRules {
            dtmf_delimiter: 'p',
            ..NumberRules::default()
        };
        let plan = custom.apply("5550100p12#").unwrap();
        assert_eq!(plan.number, "5550100");
        assert_eq!(plan.dtmf_tail, keys("12#"));
    }

    #[test]
    fn garbage_is_rejected_with_the_culprit() {
        let r = rules(None, None);
        assert_eq!(r.apply(""), Err(NumberError::Empty));
        assert_eq!(r.apply("+"), Err(NumberError::Empty));
        assert_eq!(r.apply(" - "), Err(NumberError::Empty));
        assert_eq!(
            r.apply("555!"),
            Err(NumberError::BadCharacter {
                number: "555!".into(),
                character: '!'
            })
        );
        assert_eq!(
            r.apply("55+5"),
            Err(NumberError::MisplacedPlus("55+5".into()))
        );
        assert!(matches!(
            r.apply("555#1é"),
            Err(NumberError::BadCharacter {
                character: 'é', ..
            })
        ));
    }

    #[test]
    fn bad_rule_settings_are_reported() {
        assert_eq!(
            rules(Some("0x"), None).apply("+1"),
            Err(NumberError::BadRule {
                rule: "'+' replacement",
                value: "0x".into()
            })
        );
        assert!(rules(None, Some("")).validate().is_err());
    }
}
