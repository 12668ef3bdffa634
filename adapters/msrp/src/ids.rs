//! Transaction and message ids, drawn from a seeded generator so a test or a fuzz crash
//! replays byte for byte.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A seeded source of MSRP identifiers.
#[derive(Debug, Clone)]
pub struct Ids {
    rng: StdRng,
}

impl Ids {
    /// Identifiers that follow from `seed`.
    #[must_use]
    pub fn seeded(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// `len` letters and digits.
    pub fn alphanumeric(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| char::from(ALPHABET[self.rng.random_range(0..ALPHABET.len())]))
            .collect()
    }

    /// A number in `0..=most` (seeds for the sessions' own generators).
    pub fn up_to(&mut self, most: u64) -> u64 {
        self.rng.random_range(0..=most)
    }

    /// A transaction id (also the end-line's boundary).
    pub fn transaction(&mut self) -> String {
        self.alphanumeric(12)
    }

    /// A Message-ID.
    pub fn message(&mut self) -> String {
        self.alphanumeric(16)
    }
}
