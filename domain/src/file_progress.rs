//! How a file transfer goes, as a person reads it: how much is done, how fast, and how
//! long is left. The speed is the mean since the transfer started moving (bytes a resumed
//! transfer already had do not count as fast), so the estimate does not jump with each
//! chunk.

use wink_ports::UnixMillis;

/// A transfer's progress at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileProgress {
    /// Bytes done (including those a resumed transfer already had).
    pub transferred: u64,
    /// The file's size.
    pub total: u64,
    /// Mean speed so far, in bytes per second (0 until it can be told).
    pub bytes_per_second: u64,
    /// Estimated seconds left (`None` until the speed is known).
    pub seconds_left: Option<u64>,
}

impl FileProgress {
    /// Done, from 0 to 100.
    #[must_use]
    pub fn percent(&self) -> u8 {
        if self.total == 0 {
            return 100;
        }
        u8::try_from(self.transferred.min(self.total) * 100 / self.total).unwrap_or(100)
    }
}

/// Turns the stream's "so many bytes done" into [`FileProgress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressMeter {
    first: Option<(UnixMillis, u64)>,
}

/// Below this, a speed is noise.
const SHORTEST_MEASURE_MS: u64 = 200;

impl ProgressMeter {
    /// A transfer not moving yet.
    #[must_use]
    pub fn new() -> Self {
        Self { first: None }
    }

    /// `transferred` of `total` bytes are done at `now`.
    pub fn observe(&mut self, now: UnixMillis, transferred: u64, total: u64) -> FileProgress {
        let (since, from) = *self.first.get_or_insert((now, transferred));
        let elapsed_ms = now.millis_since(since);
        let moved = transferred.saturating_sub(from);
        let bytes_per_second = if elapsed_ms >= SHORTEST_MEASURE_MS {
            moved.saturating_mul(1000) / elapsed_ms
        } else {
            0
        };
        let seconds_left = (bytes_per_second > 0)
            .then(|| total.saturating_sub(transferred).div_ceil(bytes_per_second));
        FileProgress {
            transferred,
            total,
            bytes_per_second,
            seconds_left,
        }
    }
}

impl Default for ProgressMeter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_and_time_left_come_from_the_bytes_moved_since_the_start() {
        let mut meter = ProgressMeter::new();
        // A resumed transfer: 40 MB were there already.
        let first = meter.observe(UnixMillis(10_000), 40_000_000, 100_000_000);
        assert_eq!(first.bytes_per_second, 0, "no speed from one reading");
        assert_eq!(first.seconds_left, None);
        assert_eq!(first.percent(), 40);
        let later = meter.observe(UnixMillis(12_000), 60_000_000, 100_000_000);
        assert_eq!(later.bytes_per_second, 10_000_000);
        assert_eq!(later.seconds_left, Some(4));
        assert_eq!(later.percent(), 60);
    }

    #[test]
    fn an_empty_file_is_done_and_a_stalled_one_has_no_estimate() {
        let mut meter = ProgressMeter::new();
        assert_eq!(meter.observe(UnixMillis(0), 0, 0).percent(), 100);
        let mut stalled = ProgressMeter::new();
        stalled.observe(UnixMillis(0), 5, 10);
        let still = stalled.observe(UnixMillis(5_000), 5, 10);
        assert_eq!((still.bytes_per_second, still.seconds_left), (0, None));
    }
}
