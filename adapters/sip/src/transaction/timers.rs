//! Timer values and the small table of armed timers each transaction keeps.

use std::time::{Duration, Instant};

/// RFC 3261 timer base values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// RTT estimate (500 ms).
    pub t1: Duration,
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses (4 s).
    pub t2: Duration,
    /// Maximum time a message stays in the network (5 s).
    pub t4: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        Self {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

impl TimerConfig {
    /// 64·T1: timers B, F, H, J, L, M.
    pub fn timeout(&self) -> Duration {
        self.t1 * 64
    }
}

/// Armed timers, by name; the next wake-up is the earliest.
#[derive(Debug)]
pub(super) struct Armed<K: Copy + PartialEq> {
    slots: Vec<(K, Instant)>,
}

impl<K: Copy + PartialEq> Default for Armed<K> {
    fn default() -> Self {
        Self { slots: Vec::new() }
    }
}

impl<K: Copy + PartialEq> Armed<K> {
    pub(super) fn set(&mut self, kind: K, at: Instant) {
        self.cancel(kind);
        self.slots.push((kind, at));
    }

    pub(super) fn cancel(&mut self, kind: K) {
        self.slots.retain(|(k, _)| *k != kind);
    }

    pub(super) fn clear(&mut self) {
        self.slots.clear();
    }

    pub(super) fn next(&self) -> Option<Instant> {
        self.slots.iter().map(|(_, at)| *at).min()
    }

    /// Removes and returns the timers due at `now`, earliest first.
    pub(super) fn expired(&mut self, now: Instant) -> Vec<K> {
        let mut due: Vec<(K, Instant)> = self
            .slots
            .iter()
            .copied()
            .filter(|(_, at)| *at <= now)
            .collect();
        due.sort_by_key(|(_, at)| *at);
        self.slots.retain(|(_, at)| *at > now);
        due.into_iter().map(|(k, _)| k).collect()
    }
}
