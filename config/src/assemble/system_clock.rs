//! The wall clock, for timestamps in history and chat.

use std::time::{SystemTime, UNIX_EPOCH};

use wink_ports::{Clock, UnixMillis};

/// The system's wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixMillis {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        UnixMillis(i64::try_from(millis).unwrap_or(i64::MAX))
    }
}
