//! Call history: turning an ended session into a record, and counting missed calls.

use wink_ports::{CallResult, HistoryRecord, UnixMillis};

use crate::Session;

/// Builds the history record of a session that ended at `ended_at` with `result`.
pub fn record_for(session: &Session, result: CallResult, ended_at: UnixMillis) -> HistoryRecord {
    HistoryRecord {
        session: session.id.clone(),
        account: session.account.clone(),
        direction: session.direction,
        remote: session.remote.address(),
        remote_display: session.remote_display.clone(),
        media: session.media.clone(),
        started_at: session.started_at,
        answered_at: session.answered_at,
        ended_at,
        result,
        recording: session.recording.clone(),
    }
}

/// The missed-call count shown in the UI until the user looks at the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MissedCalls {
    count: u64,
}

impl MissedCalls {
    /// Starts from a count (e.g. read from storage since the last view).
    pub fn starting_at(count: u64) -> Self {
        Self { count }
    }

    /// Counts a finished call; returns whether the count changed.
    pub fn observe(&mut self, result: CallResult) -> bool {
        if result.is_missed() {
            self.count += 1;
            true
        } else {
            false
        }
    }

    /// The user looked at the missed calls.
    pub fn reset(&mut self) {
        self.count = 0;
    }

    /// The current count.
    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_missed_calls_count() {
        let mut missed = MissedCalls::default();
        assert!(missed.observe(CallResult::Missed));
        assert!(!missed.observe(CallResult::AnsweredElsewhere));
        assert!(!missed.observe(CallResult::Busy));
        assert!(!missed.observe(CallResult::Rejected));
        assert!(missed.observe(CallResult::Missed));
        assert_eq!(missed.count(), 2);
        missed.reset();
        assert_eq!(missed.count(), 0);
    }
}
