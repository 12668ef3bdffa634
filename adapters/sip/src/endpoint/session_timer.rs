//! Session timers (RFC 4028), as refresher: we offer `Session-Expires` on our INVITEs, let
//! the caller refresh the calls we answer, and refresh (UPDATE, halfway through the
//! interval) whenever we are the refresher, so proxies and peers that time idle calls out
//! keep ours.

use std::time::{Duration, Instant};

use wink_ports::SessionId;

use super::{Endpoint, Owner};
use crate::message::{HeaderName, Message, Method};

/// The interval we offer (RFC 4028's recommended default).
pub(super) const SESSION_EXPIRES: u32 = 1800;
/// The smallest interval RFC 4028 allows, and ours.
pub(super) const MIN_SE: u32 = 90;

/// The interval a message's `Session-Expires` asks for, as written.
pub(super) fn requested_interval(message: &Message) -> Option<u32> {
    let raw = message.headers.get(&HeaderName::SessionExpires)?;
    raw.split(';').next()?.trim().parse().ok()
}

/// `Session-Expires: 1800;refresher=uac` → (1800, Some("uac")); never below [`MIN_SE`].
pub(super) fn parse_session_expires(message: &Message) -> Option<(u32, Option<String>)> {
    let raw = message.headers.get(&HeaderName::SessionExpires)?;
    let mut parts = raw.split(';').skip(1);
    let seconds = requested_interval(message)?;
    let refresher = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("refresher")
            .then(|| value.trim().to_ascii_lowercase())
    });
    Some((seconds.max(MIN_SE), refresher))
}

/// When the refresher refreshes: halfway through the interval.
pub(super) fn refresh_in(seconds: u32) -> Duration {
    Duration::from_secs(u64::from(seconds / 2).max(1))
}

impl Endpoint {
    /// Calls whose refresh is due, and the earliest refresh time.
    pub(super) fn next_refresh(&self) -> Option<Instant> {
        self.calls.values().filter_map(|c| c.refresh_at).min()
    }

    /// Sends an UPDATE (no body) for every call whose refresh is due, and arms the next one.
    pub(super) fn refresh_sessions(&mut self, now: Instant) {
        let due: Vec<SessionId> = self
            .calls
            .iter()
            .filter(|(_, c)| c.refresh_at.is_some_and(|at| at <= now))
            .map(|(s, _)| s.clone())
            .collect();
        for session in due {
            let contact = self
                .calls
                .get(&session)
                .and_then(|c| self.accounts.get(&c.account))
                .map(|binding| self.contact_for(binding));
            let Some(call) = self.calls.get_mut(&session) else {
                continue;
            };
            let interval = call.session_expires.unwrap_or(SESSION_EXPIRES);
            call.refresh_at = Some(now + refresh_in(interval));
            let Some(dialog) = call.dialog.as_mut() else {
                continue;
            };
            let mut update = dialog.request(Method::Update);
            update.headers.push(
                HeaderName::SessionExpires,
                format!("{interval};refresher=uac"),
            );
            update.headers.push(HeaderName::Supported, "timer");
            if let Some(contact) = contact {
                update
                    .headers
                    .push(HeaderName::Contact, format!("<{contact}>"));
            }
            let peer = super::calls::call_peer(&self.accounts, call);
            self.start_client(now, update, peer, Owner::Server);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_interval_and_refresher() {
        let mut m = Message::response(200, "OK");
        m.headers
            .push(HeaderName::SessionExpires, "1800;refresher=uac");
        assert_eq!(parse_session_expires(&m), Some((1800, Some("uac".into()))));
        m.headers.set(HeaderName::SessionExpires, "30");
        assert_eq!(
            parse_session_expires(&m),
            Some((90, None)),
            "never below Min-SE"
        );
        assert_eq!(refresh_in(1800), Duration::from_secs(900));
    }
}
