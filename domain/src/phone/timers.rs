//! The phone's timers: answering-machine countdowns and DTMF-tail pauses.
//!
//! Deadlines are `tokio::time::Instant`s, so under tokio's paused clock tests move time
//! forward instantly and deterministically.

use std::collections::BTreeMap;

use tokio::time::Instant;
use wink_ports::SessionId;

/// What a timer does when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Timer {
    /// The answering machine answers this call if it is still ringing.
    AnsweringMachine(SessionId),
    /// Play the next steps of this call's DTMF tail.
    DtmfTail(SessionId),
    /// The answering machine's message is as long as it may be: hang up.
    MessageLimit(SessionId),
    /// A file arrived whole and the sender has not ended the session: we do.
    FileReceived(SessionId),
}

impl Timer {
    fn session(&self) -> &SessionId {
        match self {
            Timer::AnsweringMachine(s)
            | Timer::DtmfTail(s)
            | Timer::MessageLimit(s)
            | Timer::FileReceived(s) => s,
        }
    }
}

/// Pending timers, ordered by deadline (ties by insertion).
#[derive(Debug, Default)]
pub(super) struct Timers {
    pending: BTreeMap<(Instant, u64), Timer>,
    sequence: u64,
}

impl Timers {
    pub(super) fn schedule(&mut self, at: Instant, timer: Timer) {
        self.sequence += 1;
        self.pending.insert((at, self.sequence), timer);
    }

    /// The earliest deadline.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.pending.keys().next().map(|(at, _)| *at)
    }

    /// Removes and returns every timer due at `now`, earliest first.
    pub(super) fn take_due(&mut self, now: Instant) -> Vec<Timer> {
        let later = self.pending.split_off(&(now, u64::MAX));
        std::mem::replace(&mut self.pending, later)
            .into_values()
            .collect()
    }

    /// Drops every timer of a session.
    pub(super) fn cancel_session(&mut self, session: &SessionId) {
        self.pending.retain(|_, t| t.session() != session);
    }

    /// Drops the answering-machine countdowns (the user switched it off).
    pub(super) fn cancel_answering_machine(&mut self) {
        self.pending
            .retain(|_, t| !matches!(t, Timer::AnsweringMachine(_)));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn fires_in_order_and_cancels() {
        let start = Instant::now();
        let a = SessionId::new("a").unwrap();
        let b = SessionId::new("b").unwrap();
        let mut timers = Timers::default();
        timers.schedule(start + Duration::from_secs(2), Timer::DtmfTail(a.clone()));
        timers.schedule(
            start + Duration::from_secs(1),
            Timer::AnsweringMachine(b.clone()),
        );
        timers.schedule(
            start + Duration::from_secs(3),
            Timer::AnsweringMachine(a.clone()),
        );
        assert_eq!(timers.next_deadline(), Some(start + Duration::from_secs(1)));
        assert!(timers.take_due(start).is_empty());
        assert_eq!(
            timers.take_due(start + Duration::from_secs(2)),
            [Timer::AnsweringMachine(b), Timer::DtmfTail(a.clone())]
        );
        timers.cancel_session(&a);
        assert_eq!(timers.next_deadline(), None);
    }
}
