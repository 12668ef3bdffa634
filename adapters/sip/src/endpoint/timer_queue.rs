//! The transactions' deadlines in time order, so that the endpoint finds the next timer
//! without looking at every transaction. (Before, `poll_timeout` scanned the whole table on
//! every turn of the agent's loop: 27 % of wink-cli's CPU at 500 calls/s in `perf`.)
//!
//! A deadline is never removed when its transaction is rescheduled or ends; the endpoint
//! keeps the one deadline that counts in the transaction's entry and drops the others as
//! they come due (a stale deadline costs one early wake-up at most).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Instant;

/// The queue never gives back room below this many deadlines (a phone's usual load).
const SMALLEST_QUEUE: usize = 64;

/// Deadlines of keys `K`, earliest first.
#[derive(Debug)]
pub(super) struct TimerQueue<K> {
    heap: BinaryHeap<Reverse<Deadline<K>>>,
}

#[derive(Debug)]
struct Deadline<K> {
    at: Instant,
    key: K,
}

impl<K> PartialEq for Deadline<K> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}

impl<K> Eq for Deadline<K> {}

impl<K> PartialOrd for Deadline<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Deadline<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at)
    }
}

impl<K> Default for TimerQueue<K> {
    fn default() -> Self {
        Self {
            heap: BinaryHeap::new(),
        }
    }
}

impl<K> TimerQueue<K> {
    /// Adds a deadline for `key` at `at`.
    pub(super) fn schedule(&mut self, at: Instant, key: K) {
        self.heap.push(Reverse(Deadline { at, key }));
    }

    /// The earliest deadline, stale or not.
    pub(super) fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse(d)| d.at)
    }

    /// Takes out the earliest deadline if it is due at `now`; gives back the queue's room
    /// once a flood is over (halved whenever less than a quarter full).
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<(Instant, K)> {
        if self.next()? > now {
            return None;
        }
        let Reverse(Deadline { at, key }) = self.heap.pop()?;
        let room = self.heap.capacity();
        if room > SMALLEST_QUEUE && self.heap.len() * 4 < room {
            self.heap.shrink_to(self.heap.len() * 2);
        }
        Some((at, key))
    }

    /// How many deadlines are held, stale ones included.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn deadlines_come_out_earliest_first_and_only_when_due() {
        let now = Instant::now();
        let mut queue = TimerQueue::default();
        queue.schedule(now + Duration::from_millis(500), "b");
        queue.schedule(now + Duration::from_millis(100), "a");
        queue.schedule(now + Duration::from_secs(32), "c");
        assert_eq!(queue.next(), Some(now + Duration::from_millis(100)));
        assert_eq!(queue.pop_due(now), None, "nothing is due yet");
        let later = now + Duration::from_secs(1);
        assert_eq!(queue.pop_due(later).map(|(_, k)| k), Some("a"));
        assert_eq!(queue.pop_due(later).map(|(_, k)| k), Some("b"));
        assert_eq!(queue.pop_due(later), None);
        assert_eq!(queue.next(), Some(now + Duration::from_secs(32)));
    }

    #[test]
    fn the_queue_gives_its_room_back_after_a_flood() {
        let now = Instant::now();
        let mut queue = TimerQueue::default();
        for i in 0..10_000u32 {
            queue.schedule(now + Duration::from_micros(u64::from(i)), i);
        }
        let end = now + Duration::from_secs(1);
        while queue.pop_due(end).is_some() {}
        assert_eq!(queue.len(), 0);
        assert!(queue.heap.capacity() <= SMALLEST_QUEUE * 2);
    }
}
