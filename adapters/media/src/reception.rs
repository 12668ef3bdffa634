//! RFC 3550 receiver statistics, sans-IO: sequence numbers → loss, timestamps → jitter,
//! and the reception report block RTCP carries back.

/// Sequence numbers further apart than this start the count over (RFC 3550 A.1).
const MAX_DROPOUT: u16 = 3000;

/// Statistics of the stream we receive.
#[derive(Debug, Clone)]
pub struct ReceptionStats {
    clock_rate: u32,
    ssrc: Option<u32>,
    base_sequence: u32,
    highest: u16,
    cycles: u32,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    last_transit: Option<i64>,
    jitter: f64,
}

/// One reception report, ready for RTCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportBlock {
    /// The sender reported on.
    pub ssrc: u32,
    /// Loss since the last report, in 1/256.
    pub fraction_lost: u8,
    /// Packets lost in total (24 bits).
    pub total_lost: u32,
    /// Highest sequence number, extended with the wrap count.
    pub extended_highest: u32,
    /// Interarrival jitter in timestamp units.
    pub jitter: u32,
}

impl ReceptionStats {
    /// Statistics for a stream with this RTP clock rate.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            ssrc: None,
            base_sequence: 0,
            highest: 0,
            cycles: 0,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            last_transit: None,
            jitter: 0.0,
        }
    }

    /// A packet arrived; `arrival` in timestamp units of the receiver's clock.
    pub fn on_packet(&mut self, ssrc: u32, sequence: u16, timestamp: u32, arrival: i64) {
        if self.ssrc != Some(ssrc) {
            *self = Self::new(self.clock_rate);
            self.ssrc = Some(ssrc);
            self.base_sequence = u32::from(sequence);
            self.highest = sequence;
        }
        let delta = sequence.wrapping_sub(self.highest);
        if delta < MAX_DROPOUT {
            if sequence < self.highest {
                self.cycles += 1 << 16;
            }
            self.highest = sequence;
        } else if delta > u16::MAX - MAX_DROPOUT {
            // A late or duplicated packet: counted, the highest stays.
        } else {
            // A big jump: the sender restarted its numbering.
            let clock_rate = self.clock_rate;
            *self = Self::new(clock_rate);
            self.ssrc = Some(ssrc);
            self.base_sequence = u32::from(sequence);
            self.highest = sequence;
        }
        self.received += 1;
        let transit = arrival - i64::from(timestamp);
        if let Some(last) = self.last_transit {
            let d = (transit - last).unsigned_abs() as f64;
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.last_transit = Some(transit);
    }

    fn extended_highest(&self) -> u32 {
        self.cycles + u32::from(self.highest)
    }

    fn expected(&self) -> u64 {
        if self.ssrc.is_none() {
            return 0;
        }
        u64::from(self.extended_highest() - self.base_sequence) + 1
    }

    /// Packets received.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Packets expected but not received (never negative: duplicates do not count twice).
    pub fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.received)
    }

    /// Lost over expected, in percent.
    pub fn loss_percent(&self) -> f32 {
        match self.expected() {
            0 => 0.0,
            expected => self.lost() as f32 * 100.0 / expected as f32,
        }
    }

    /// Interarrival jitter, in ms.
    pub fn jitter_ms(&self) -> f32 {
        (self.jitter * 1000.0 / f64::from(self.clock_rate)) as f32
    }

    /// The report block for the next RTCP packet (and starts the next interval).
    pub fn report(&mut self) -> Option<ReportBlock> {
        let ssrc = self.ssrc?;
        let expected = self.expected();
        let interval_expected = expected - self.expected_prior;
        let interval_received = self.received - self.received_prior;
        self.expected_prior = expected;
        self.received_prior = self.received;
        let interval_lost = interval_expected.saturating_sub(interval_received);
        let fraction_lost = (interval_lost << 8)
            .checked_div(interval_expected)
            .map_or(0, |fraction| fraction.min(255) as u8);
        Some(ReportBlock {
            ssrc,
            fraction_lost,
            total_lost: self.lost().min(0x7f_ffff) as u32,
            extended_highest: self.extended_highest(),
            jitter: self.jitter as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_and_wrap_around_are_counted() {
        let mut stats = ReceptionStats::new(8000);
        let mut sequence = 65_000u16;
        for i in 0..1000u32 {
            if i % 10 != 3 {
                stats.on_packet(7, sequence, i * 160, i64::from(i) * 160);
            }
            sequence = sequence.wrapping_add(1);
        }
        assert_eq!(stats.received(), 900);
        assert_eq!(stats.lost(), 100);
        assert!((stats.loss_percent() - 10.0).abs() < 0.2);
        let block = stats.report().unwrap();
        assert_eq!(block.extended_highest, 65_000 + 999);
        assert_eq!(block.fraction_lost, 25); // 10 % of 256
        assert_eq!(stats.jitter_ms(), 0.0);
    }

    #[test]
    fn jitter_follows_rfc_3550() {
        let mut stats = ReceptionStats::new(8000);
        // Arrivals alternate 0 and 80 units (10 ms) late.
        for i in 0..2000u32 {
            let late = if i % 2 == 0 { 0 } else { 80 };
            stats.on_packet(1, i as u16, i * 160, i64::from(i * 160 + late));
        }
        assert!(
            (stats.jitter_ms() - 10.0).abs() < 0.5,
            "{}",
            stats.jitter_ms()
        );
    }

    #[test]
    fn duplicates_do_not_make_negative_loss() {
        let mut stats = ReceptionStats::new(8000);
        for _ in 0..3 {
            stats.on_packet(1, 10, 0, 0);
        }
        assert_eq!(stats.lost(), 0);
        assert_eq!(stats.report().unwrap().fraction_lost, 0);
    }
}
