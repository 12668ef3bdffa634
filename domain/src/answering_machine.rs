//! The answering machine setting: answer unattended calls after a delay.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Whether and when the answering machine picks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnsweringMachine {
    /// On or off (the user can switch it off while the countdown runs).
    pub enabled: bool,
    /// Seconds of ringing before it answers.
    pub delay_secs: u32,
}

impl Default for AnsweringMachine {
    fn default() -> Self {
        Self {
            enabled: false,
            delay_secs: 15,
        }
    }
}

impl AnsweringMachine {
    /// The countdown before answering, if enabled.
    pub fn countdown(&self) -> Option<Duration> {
        self.enabled
            .then(|| Duration::from_secs(u64::from(self.delay_secs)))
    }
}
