//! An account's registration as the window shows it: a tone (colour) and a sentence, and
//! for a failure what the SIP answer means and what to try ("failure explained").

use wink_ports::RegistrationState;

/// The colour a state is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Registered: calls can come in.
    Good,
    /// Registering, or not asked to.
    Neutral,
    /// Failed.
    Bad,
}

impl Tone {
    /// The style class that gives the colour (`success`, `dim-label`, `error`).
    pub(crate) fn css_class(self) -> &'static str {
        match self {
            Tone::Good => "success",
            Tone::Neutral => "dim-label",
            Tone::Bad => "error",
        }
    }
}

/// What the account selector and the Add Account dialog show for a registration state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountStatus {
    /// The colour.
    pub(crate) tone: Tone,
    /// A short state ("Registered", "Registering…", "Not registered: wrong password").
    pub(crate) text: String,
    /// For a failure: what it means and what to try.
    pub(crate) advice: Option<String>,
}

impl AccountStatus {
    /// The status of `state`.
    pub(crate) fn of(state: &RegistrationState) -> Self {
        match state {
            RegistrationState::Registered { .. } => Self::plain(Tone::Good, "Registered"),
            RegistrationState::Registering => Self::plain(Tone::Neutral, "Registering…"),
            RegistrationState::Unregistered => Self::plain(Tone::Neutral, "Not registered"),
            RegistrationState::Failed { code, reason } => {
                let (summary, advice) = explain(*code, reason);
                Self {
                    tone: Tone::Bad,
                    text: format!("Not registered: {summary}"),
                    advice: Some(advice),
                }
            }
        }
    }

    fn plain(tone: Tone, text: &str) -> Self {
        Self {
            tone,
            text: text.to_owned(),
            advice: None,
        }
    }
}

/// A short summary and advice for a failed registration, from the SIP status code and the
/// adapter's reason.
fn explain(code: Option<u16>, reason: &str) -> (String, String) {
    let lower = reason.to_lowercase();
    let (summary, advice): (&str, String) = match code {
        Some(401 | 403 | 407) => (
            "wrong password",
            "The server refused the username or password. Check the password; if your \
             provider gave you a separate username, enter it under Advanced."
                .into(),
        ),
        Some(404) => (
            "unknown user",
            "The server does not know this address. Check the part before the @.".into(),
        ),
        _ if lower.contains("dns")
            || lower.contains("resolve")
            || lower.contains("no such host")
            || lower.contains("not found") =>
        {
            (
                "domain not found",
                "No SIP server could be found for this domain. Check the part after the @; \
                 if your provider gave you a server address, enter it as the outbound proxy \
                 under Advanced."
                    .into(),
            )
        }
        _ if lower.contains("could not connect") => (
            "cannot connect",
            "Wink could not open a connection to the server: it refused it, or its TLS \
             certificate is not trusted. Check the outbound proxy's port and transport under \
             Advanced. Wink keeps trying."
                .into(),
        ),
        Some(408) | None => (
            "server does not answer",
            "The server did not answer. Check your network connection, or the outbound \
             proxy and transport under Advanced. Wink keeps trying."
                .into(),
        ),
        Some(423) => (
            "refresh interval refused",
            "The server wants a different registration interval; Wink retries with it.".into(),
        ),
        Some(code @ 500..=599) => {
            return (
                format!("server error {code}"),
                format!(
                    "The server has a problem ({reason}). Wink keeps trying; if it lasts, \
                     tell your provider."
                ),
            );
        }
        Some(code) => {
            return (
                format!("refused ({code})"),
                format!("The server refused the registration: {reason}."),
            );
        }
    };
    (summary.to_owned(), advice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: Option<u16>, reason: &str) -> AccountStatus {
        AccountStatus::of(&RegistrationState::Failed {
            code,
            reason: reason.into(),
        })
    }

    #[test]
    fn registered_registering_and_off_have_their_colour_and_no_advice() {
        let ok = AccountStatus::of(&RegistrationState::Registered { expires_secs: 600 });
        assert_eq!((ok.tone, ok.text.as_str()), (Tone::Good, "Registered"));
        assert_eq!(ok.advice, None);
        let busy = AccountStatus::of(&RegistrationState::Registering);
        assert_eq!(
            (busy.tone, busy.text.as_str()),
            (Tone::Neutral, "Registering…")
        );
        assert_eq!(Tone::Bad.css_class(), "error");
    }

    #[test]
    fn a_wrong_password_says_so_and_points_at_the_username() {
        let status = failed(Some(401), "wrong username or password");
        assert_eq!(status.tone, Tone::Bad);
        assert_eq!(status.text, "Not registered: wrong password");
        assert!(status.advice.unwrap().contains("Check the password"));
        assert_eq!(
            failed(Some(403), "Forbidden").text,
            "Not registered: wrong password"
        );
    }

    #[test]
    fn an_unknown_domain_a_silent_server_and_a_refused_connection_are_told_apart() {
        let domain = failed(None, "cannot resolve nowhere.invalid: no DNS record");
        assert_eq!(domain.text, "Not registered: domain not found");
        assert!(domain.advice.unwrap().contains("outbound proxy"));
        let silent = failed(Some(408), "no response from the registrar");
        assert_eq!(silent.text, "Not registered: server does not answer");
        assert!(silent.advice.unwrap().contains("network connection"));
        let refused = failed(
            Some(408),
            "could not connect to the registrar (connection refused, or its TLS certificate \
             not trusted)",
        );
        assert_eq!(refused.text, "Not registered: cannot connect");
        assert!(refused.advice.unwrap().contains("TLS"));
    }

    #[test]
    fn server_errors_and_other_codes_keep_the_code_and_reason() {
        let busy = failed(Some(503), "Service Unavailable");
        assert_eq!(busy.text, "Not registered: server error 503");
        assert!(busy.advice.unwrap().contains("Service Unavailable"));
        let other = failed(Some(488), "Not Acceptable Here");
        assert_eq!(other.text, "Not registered: refused (488)");
    }
}
