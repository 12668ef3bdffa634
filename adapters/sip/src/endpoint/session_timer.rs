//! Session timers (RFC 4028), as refresher: we offer `Session-Expires` on our INVITEs, let
//! the caller refresh the calls we answer, and refresh (UPDATE, halfway through the
//! interval) whenever we are the refresher, so proxies and peers that time idle calls out
//! keep ours.

use std::time::Duration;

use crate::message::{HeaderName, Message};

/// The interval we offer (RFC 4028's recommended default).
pub(in crate::endpoint) const SESSION_EXPIRES: u32 = 1800;
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
pub(in crate::endpoint) fn refresh_in(seconds: u32) -> Duration {
    Duration::from_secs(u64::from(seconds / 2).max(1))
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
