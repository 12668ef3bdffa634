//! An adaptive jitter buffer, sans-IO: packets go in with their arrival time, 20 ms frames
//! come out on the player's clock.
//!
//! Each packet is due at `timestamp + fastest transit + target delay`. The target follows the
//! spread of recent transit times (95th percentile minus minimum, plus one frame), so it grows
//! with jitter and shrinks when the network calms down. The buffer moves towards the target by
//! whole frames: it drops a frame when it lags more than two frames behind, and stretches
//! (asks for a concealed frame without consuming one) when it runs more than two ahead. Clock
//! drift between the sender and our sound card is absorbed the same way.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// Transit times remembered for the target: 5 s of 20 ms packets.
const TRANSIT_WINDOW: usize = 250;
/// The largest target delay.
const MAX_TARGET: Duration = Duration::from_millis(400);
/// Packets held at most (10 s): a flood cannot grow memory without bound.
const MAX_PACKETS: usize = 500;
/// A timestamp this far from the play point starts the stream over (a new talk spurt
/// after a long pause, or a sender that restarted).
const RESYNC_AFTER: Duration = Duration::from_secs(3);

/// What the player gets for the next 20 ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playout {
    /// The packet due now.
    Packet(Vec<u8>),
    /// The packet due now is missing; `next` is the one after it if it is here (Opus can
    /// rebuild the lost one from its FEC data).
    Lost {
        /// The following packet, if it arrived.
        next: Option<Vec<u8>>,
    },
    /// Nothing lost, but the buffer is growing its delay: play a concealed frame.
    Stretch,
    /// Nothing to play (not started, on hold, or the sender paused).
    Silence,
}

/// What the buffer saw, for the call statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JitterStats {
    /// Packets put in.
    pub received: u64,
    /// Packets that came after their play time (dropped).
    pub late: u64,
    /// Packets that came twice.
    pub duplicates: u64,
    /// Frames concealed because their packet was missing.
    pub concealed: u64,
    /// Frames dropped to shrink the delay.
    pub dropped: u64,
    /// Frames stretched to grow the delay.
    pub stretched: u64,
    /// The current buffering delay, in ms.
    pub delay_ms: u32,
    /// The target delay, in ms.
    pub target_ms: u32,
}

/// The jitter buffer of one incoming stream.
#[derive(Debug)]
pub struct JitterBuffer {
    clock_rate: u32,
    frame_units: i64,
    epoch: Option<Instant>,
    ssrc: Option<u32>,
    highest: Option<i64>,
    packets: BTreeMap<i64, Vec<u8>>,
    next: Option<i64>,
    transits: VecDeque<i64>,
    target: i64,
    stats: JitterStats,
}

impl JitterBuffer {
    /// A buffer for a stream with this RTP clock rate and 20 ms frames of `frame_units`.
    pub fn new(clock_rate: u32, frame_units: u32) -> Self {
        Self {
            clock_rate,
            frame_units: i64::from(frame_units),
            epoch: None,
            ssrc: None,
            highest: None,
            packets: BTreeMap::new(),
            next: None,
            transits: VecDeque::with_capacity(TRANSIT_WINDOW),
            target: i64::from(frame_units),
            stats: JitterStats::default(),
        }
    }

    /// What the buffer saw so far.
    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    fn units(&self, duration: Duration) -> i64 {
        (duration.as_micros() as i64).saturating_mul(i64::from(self.clock_rate)) / 1_000_000
    }

    fn to_ms(&self, units: i64) -> u32 {
        (units.max(0) * 1000 / i64::from(self.clock_rate)) as u32
    }

    fn now_units(&mut self, now: Instant) -> i64 {
        let epoch = *self.epoch.get_or_insert(now);
        self.units(now.saturating_duration_since(epoch))
    }

    /// Extends a 32-bit timestamp next to the highest one seen (wrap-around safe).
    fn extend(&self, timestamp: u32) -> i64 {
        match self.highest {
            None => i64::from(timestamp),
            Some(highest) => {
                let delta = timestamp.wrapping_sub(highest as u32) as i32;
                highest + i64::from(delta)
            }
        }
    }

    fn restart(&mut self) {
        self.highest = None;
        self.packets.clear();
        self.next = None;
        self.transits.clear();
        self.target = self.frame_units;
    }

    fn fastest_transit(&self) -> i64 {
        self.transits.iter().copied().min().unwrap_or(0)
    }

    fn update_target(&mut self) {
        let mut sorted: Vec<i64> = self.transits.iter().copied().collect();
        sorted.sort_unstable();
        let Some(&fastest) = sorted.first() else {
            return;
        };
        let p95 = sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)];
        let max = self.units(MAX_TARGET);
        self.target = (p95 - fastest + self.frame_units).clamp(self.frame_units, max);
        self.stats.target_ms = self.to_ms(self.target);
    }

    /// A packet arrived at `now`.
    pub fn push(&mut self, now: Instant, ssrc: u32, timestamp: u32, payload: Vec<u8>) {
        let now_units = self.now_units(now);
        if self.ssrc != Some(ssrc) {
            self.ssrc = Some(ssrc);
            self.restart();
        }
        let mut ts = self.extend(timestamp);
        if let Some(next) = self.next
            && (ts - next).abs() > self.units(RESYNC_AFTER)
        {
            self.restart();
            ts = self.extend(timestamp);
        }
        self.stats.received += 1;
        // Late packets count for the target too: leaving them out would hide the very
        // delays the buffer must grow for.
        if self.transits.len() == TRANSIT_WINDOW {
            self.transits.pop_front();
        }
        self.transits.push_back(now_units - ts);
        self.update_target();
        if self.next.is_some_and(|next| ts < next) {
            self.stats.late += 1;
            return;
        }
        if self.packets.contains_key(&ts) {
            self.stats.duplicates += 1;
            return;
        }
        self.highest = Some(self.highest.map_or(ts, |h| h.max(ts)));
        self.packets.insert(ts, payload);
        while self.packets.len() > MAX_PACKETS {
            self.packets.pop_first();
        }
    }

    /// The next 20 ms, at `now` on the player's clock.
    pub fn pop(&mut self, now: Instant) -> Playout {
        let now_units = self.now_units(now);
        let due = now_units - self.fastest_transit() - self.target;
        let next = match self.next {
            Some(next) => next,
            None => match self.packets.first_key_value() {
                Some((&first, _)) if due >= first => first,
                _ => return Playout::Silence,
            },
        };
        let lag = due - next;
        let next = if lag > 2 * self.frame_units {
            self.stats.dropped += 1;
            self.packets.remove(&next);
            next + self.frame_units
        } else if lag < -2 * self.frame_units {
            self.stats.stretched += 1;
            self.next = Some(next);
            return Playout::Stretch;
        } else {
            next
        };
        self.next = Some(next + self.frame_units);
        self.stats.delay_ms = self.to_ms(now_units - self.fastest_transit() - next);
        // Whatever is older than the play point can no longer be played.
        while self
            .packets
            .first_key_value()
            .is_some_and(|(&ts, _)| ts < next)
        {
            self.packets.pop_first();
        }
        match self.packets.remove(&next) {
            Some(payload) => Playout::Packet(payload),
            None if self.packets.is_empty() => Playout::Silence,
            None => {
                self.stats.concealed += 1;
                Playout::Lost {
                    next: self.packets.get(&(next + self.frame_units)).cloned(),
                }
            }
        }
    }

    /// The packet just played lasted `units` (when a sender uses packets longer than 20 ms).
    pub fn played_units(&mut self, units: u32) {
        if let Some(next) = &mut self.next {
            *next += i64::from(units) - self.frame_units;
        }
    }
}

#[cfg(test)]
mod tests;
