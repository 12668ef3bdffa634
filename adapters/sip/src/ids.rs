//! Every identifier the endpoint makes up (tags, branches, Call-IDs, digest cnonces), drawn
//! from one generator it is given: a test or a fuzz crash seeded the same replays byte for
//! byte, and the agent seeds it from the operating system.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A seeded source of identifiers.
#[derive(Debug, Clone)]
pub struct Ids {
    rng: StdRng,
}

impl Ids {
    /// Identifiers that follow from `seed`, the same every time.
    #[must_use]
    pub fn seeded(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// A new From/To tag: 64 random bits in hex.
    pub fn tag(&mut self) -> String {
        format!("{:016x}", self.rng.random::<u64>())
    }

    /// A new RFC 3261 branch: the magic cookie and 64 random bits.
    pub fn branch(&mut self) -> String {
        format!("z9hG4bK{:016x}", self.rng.random::<u64>())
    }

    /// A number in `0..=most` (random waits).
    pub fn up_to(&mut self, most: u64) -> u64 {
        self.rng.random_range(0..=most)
    }

    /// A new Call-ID.
    pub fn call_id(&mut self) -> String {
        format!("{:016x}@wink", self.rng.random::<u64>())
    }
}

/// A hash of `text` that is the same across runs and platforms (FNV-1a; the standard
/// hasher's keys are random), for seeding a generator from a Call-ID.
#[must_use]
pub fn stable_hash(text: &str) -> u64 {
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        state ^= u64::from(byte);
        state = state.wrapping_mul(0x0100_0000_01b3);
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_identifiers_and_they_differ_from_each_other() {
        let (mut a, mut b) = (Ids::seeded(7), Ids::seeded(7));
        let first = [a.tag(), a.branch(), a.call_id()];
        assert_eq!(first, [b.tag(), b.branch(), b.call_id()]);
        assert!(first[1].starts_with("z9hG4bK"));
        assert!(first[2].ends_with("@wink"));
        assert_ne!(a.tag(), a.tag());
        assert_ne!(Ids::seeded(8).tag(), Ids::seeded(7).tag());
    }
}
