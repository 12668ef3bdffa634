//! How long to wait before registering again after failures (RFC 5626 §4.5): a base time
//! doubled per consecutive failure up to a maximum, of which a random 50–100 % is waited,
//! so that the phones of a whole office do not all come back in the same second.

use std::time::Duration;

/// The base time when every flow has failed (RFC 5626 §4.5: 30 s).
pub const BASE_TIME: Duration = Duration::from_secs(30);
/// The longest wait (RFC 5626 §4.5: 1800 s).
pub const MAX_TIME: Duration = Duration::from_secs(1800);

/// The wait after `failures` consecutive failures (at least one): `min(MAX_TIME,
/// BASE_TIME × 2^failures)`, scaled to a point between 50 % and 100 % of it by `draw`.
pub fn wait_after(failures: u32, draw: &mut Jitter) -> Duration {
    let doubled = BASE_TIME.saturating_mul(1u32.checked_shl(failures.min(16)).unwrap_or(u32::MAX));
    let ceiling = doubled.min(MAX_TIME);
    ceiling / 2 + ceiling.mul_f64(draw.fraction() / 2.0)
}

/// A small deterministic random source (xorshift64*), seeded per registration, so a test
/// or a replayed run waits exactly as the original did.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A source seeded from `seed` (any bytes, e.g. the registration's Call-ID).
    pub fn seeded(seed: &str) -> Self {
        Self(crate::ids::stable_hash(seed) | 1)
    }

    /// The next number in [0, 1).
    pub fn fraction(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let value = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (value >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wait_is_half_to_all_of_the_doubled_base_up_to_the_maximum() {
        let mut jitter = Jitter::seeded("a call id");
        for (failures, ceiling) in [(1, 60), (2, 120), (3, 240), (5, 960), (6, 1800), (40, 1800)] {
            for _ in 0..100 {
                let wait = wait_after(failures, &mut jitter);
                let ceiling = Duration::from_secs(ceiling);
                assert!(
                    wait >= ceiling / 2 && wait <= ceiling,
                    "{failures}: {wait:?}"
                );
            }
        }
    }

    #[test]
    fn the_same_seed_waits_the_same_and_two_seeds_differ() {
        let waits = |seed: &str| {
            let mut jitter = Jitter::seeded(seed);
            (1..6)
                .map(|n| wait_after(n, &mut jitter))
                .collect::<Vec<_>>()
        };
        assert_eq!(waits("one"), waits("one"));
        assert_ne!(waits("one"), waits("two"));
    }
}
