//! RTCP for a call: the other side's reports read, ours written every few seconds, and the
//! statistics the user sees.

use super::*;

impl Pipeline {
    /// A datagram arrived on the RTCP port.
    pub fn receive_rtcp(&mut self, now: Instant, data: &[u8]) {
        let plain = match &mut self.srtp {
            Some(srtp) => match srtp.unprotect_rtcp(data) {
                Ok(plain) => plain,
                Err(_) => return,
            },
            None => data.to_vec(),
        };
        let Some(report) = control::read_report(&plain, self.ssrc, self.wall_clock(now)) else {
            return;
        };
        if let Some(lsr) = report.sender_report {
            self.last_sender_report = Some((lsr, now));
        }
        if report.round_trip.is_some() {
            self.remote.round_trip = report.round_trip;
        }
        if report.loss_percent.is_some() {
            self.remote.loss_percent = report.loss_percent;
        }
    }

    /// Our RTCP report, to send every few seconds.
    pub fn rtcp_report(&mut self, now: Instant) -> Option<Datagram> {
        let sender = (self.packets_sent > 0).then_some(SenderInfo {
            rtp_time: self.timestamp,
            packets: self.packets_sent,
            octets: self.octets_sent,
        });
        let last_sr = self
            .last_sender_report
            .map(|(lsr, at)| (lsr, now.saturating_duration_since(at)));
        let plain = control::build_report(
            self.ssrc,
            &self.cname,
            self.wall_clock(now),
            sender,
            self.chain.reception.report(),
            last_sr,
        )?;
        let data = match &mut self.srtp {
            Some(srtp) => srtp.protect_rtcp(&plain).ok()?,
            None => plain,
        };
        Some(Datagram {
            to: self.params.remote_rtcp,
            data,
        })
    }

    /// The wall-clock time RTCP needs, derived from the pipeline's own clock so the
    /// pipeline stays deterministic under a virtual clock.
    pub(super) fn wall_clock(&self, now: Instant) -> SystemTime {
        self.wall_epoch + now.saturating_duration_since(self.epoch)
    }

    /// How the call is doing.
    pub fn stats(&self) -> CallStats {
        let reception = &self.chain.reception;
        CallStats {
            codec: self.chain.codec.encoding().to_owned(),
            encrypted: self.srtp.is_some(),
            packets_sent: u64::from(self.packets_sent),
            packets_received: reception.received(),
            packets_lost: reception.lost(),
            loss_percent: reception.loss_percent(),
            jitter_ms: reception.jitter_ms(),
            buffer_delay_ms: self.chain.jitter.stats().delay_ms,
            buffer_target_ms: self.chain.jitter.stats().target_ms,
            round_trip_ms: self.remote.round_trip.map(|d| d.as_millis() as u32),
            remote_loss_percent: self.remote.loss_percent,
        }
    }
}
