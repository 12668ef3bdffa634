//! The local conference: calls joined together hear each other. Each member hands what it
//! heard to the bus at 48 kHz; each member mixes what the others said into what it sends.
//! The bus keeps one small queue per (listener, speaker) pair, bounded so members whose
//! 20 ms ticks drift apart never build up delay.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use wink_ports::SessionId;

/// The rate audio crosses the bus at.
pub const BUS_RATE: u32 = 48_000;
/// The most a pair's queue holds: 60 ms at 48 kHz.
const MAX_QUEUED: usize = 2_880;

#[derive(Debug, Default)]
struct Inner {
    members: Vec<SessionId>,
    /// (listener, speaker) → samples the speaker said that the listener has not sent yet.
    queues: HashMap<(SessionId, SessionId), std::collections::VecDeque<i16>>,
}

/// One local conference.
#[derive(Debug, Clone, Default)]
pub struct ConferenceBus {
    inner: Arc<Mutex<Inner>>,
}

impl ConferenceBus {
    /// A conference of these calls.
    pub fn new(members: &[SessionId]) -> Self {
        let bus = Self::default();
        bus.lock().members = members.to_vec();
        bus
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `speaker` heard these samples from its remote party (48 kHz).
    pub fn publish(&self, speaker: &SessionId, samples: &[i16]) {
        let mut inner = self.lock();
        let listeners: Vec<SessionId> = inner
            .members
            .iter()
            .filter(|m| *m != speaker)
            .cloned()
            .collect();
        for listener in listeners {
            let queue = inner.queues.entry((listener, speaker.clone())).or_default();
            queue.extend(samples);
            let excess = queue.len().saturating_sub(MAX_QUEUED);
            queue.drain(..excess);
        }
    }

    /// Adds what the other members said to `frame` (48 kHz), for `listener` to send.
    pub fn mix_into(&self, listener: &SessionId, frame: &mut [i16]) {
        let mut inner = self.lock();
        for ((to, _), queue) in inner.queues.iter_mut() {
            if to != listener {
                continue;
            }
            let take = queue.len().min(frame.len());
            for (slot, sample) in frame.iter_mut().zip(queue.drain(..take)) {
                *slot = slot.saturating_add(sample);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> SessionId {
        SessionId::new(s).unwrap()
    }

    #[test]
    fn each_member_gets_the_others_but_not_itself() {
        let bus = ConferenceBus::new(&[id("a"), id("b"), id("c")]);
        bus.publish(&id("a"), &[100; 4]);
        bus.publish(&id("b"), &[10; 4]);
        let mut for_c = [1i16; 4];
        bus.mix_into(&id("c"), &mut for_c);
        assert_eq!(for_c, [111; 4]);
        let mut for_a = [0i16; 4];
        bus.mix_into(&id("a"), &mut for_a);
        assert_eq!(for_a, [10; 4], "a hears b, not itself");
        let mut again = [0i16; 4];
        bus.mix_into(&id("c"), &mut again);
        assert_eq!(again, [0; 4], "each sample is sent once");
    }

    #[test]
    fn queues_stay_short_and_mixing_saturates() {
        let bus = ConferenceBus::new(&[id("a"), id("b")]);
        bus.publish(&id("a"), &vec![i16::MAX; MAX_QUEUED * 3]);
        let mut frame = vec![i16::MAX; MAX_QUEUED * 2];
        bus.mix_into(&id("b"), &mut frame);
        assert!(frame.iter().all(|&s| s == i16::MAX));
        assert_eq!(bus.lock().queues[&(id("b"), id("a"))].len(), 0);
    }
}
