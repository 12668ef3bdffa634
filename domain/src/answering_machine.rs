//! The answering machine setting: answer unattended calls after a delay.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Whether and when the answering machine picks up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnsweringMachine {
    /// On or off (the user can switch it off while the countdown runs).
    pub enabled: bool,
    /// Seconds of ringing before it answers.
    pub delay_secs: u32,
    /// The WAV file played to the caller (`None`: the caller hears silence while the
    /// machine records).
    pub greeting: Option<PathBuf>,
    /// The longest message, in seconds; then the machine hangs up.
    pub max_message_secs: u32,
}

impl Default for AnsweringMachine {
    fn default() -> Self {
        Self {
            enabled: false,
            delay_secs: 15,
            greeting: None,
            max_message_secs: 120,
        }
    }
}

impl AnsweringMachine {
    /// How long a message may last.
    pub fn message_limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.max_message_secs.max(1)))
    }

    /// The countdown before answering, if enabled.
    pub fn countdown(&self) -> Option<Duration> {
        self.enabled
            .then(|| Duration::from_secs(u64::from(self.delay_secs)))
    }
}
