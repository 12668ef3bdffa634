//! Wall-clock time, behind a port so that the domain never reads the system clock itself.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC): the timestamps stored in history and chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    /// Milliseconds from `earlier` to `self`, never negative.
    pub fn millis_since(self, earlier: UnixMillis) -> u64 {
        u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0)
    }
}

/// Tells the current wall-clock time.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> UnixMillis;
}
