//! RTCP (RFC 3550 §6) for one stream, sans-IO: sender and receiver reports with an SDES
//! CNAME, and what the other side's reports tell us (round trip, their loss).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rtcp::packet::Packet;
use rtcp::receiver_report::ReceiverReport;
use rtcp::reception_report::ReceptionReport;
use rtcp::sender_report::SenderReport;
use rtcp::source_description::{
    SdesType, SourceDescription, SourceDescriptionChunk, SourceDescriptionItem,
};

use crate::reception::ReportBlock;

/// Seconds from 1900 (NTP) to 1970 (Unix).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A wall-clock time as a 64-bit NTP timestamp.
pub fn ntp_time(now: SystemTime) -> u64 {
    let since_unix = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_unix.as_secs() + NTP_UNIX_OFFSET;
    let fraction = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
    (seconds << 32) | fraction
}

/// The middle 32 bits of an NTP timestamp (RFC 3550's compact form, 1/65536 s).
pub fn compact(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// What we send in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderInfo {
    /// RTP timestamp matching `ntp`.
    pub rtp_time: u32,
    /// Packets sent.
    pub packets: u32,
    /// Payload octets sent.
    pub octets: u32,
}

/// What a received RTCP packet told us.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RemoteReport {
    /// The round trip, when their report answers one of our SRs.
    pub round_trip: Option<Duration>,
    /// The loss they see on our stream, in percent.
    pub loss_percent: Option<f32>,
    /// The compact NTP time of their SR (to echo as LSR) and when it arrived.
    pub sender_report: Option<u32>,
}

/// Builds our compound RTCP packet: SR when we send, RR otherwise, then SDES CNAME.
pub fn build_report(
    ssrc: u32,
    cname: &str,
    now: SystemTime,
    sender: Option<SenderInfo>,
    block: Option<ReportBlock>,
    last_sender_report: Option<(u32, Duration)>,
) -> Option<Vec<u8>> {
    let reports: Vec<ReceptionReport> = block
        .map(|b| {
            let (lsr, delay) = last_sender_report
                .map(|(lsr, since)| (lsr, (since.as_secs_f64() * 65_536.0) as u32))
                .unwrap_or((0, 0));
            ReceptionReport {
                ssrc: b.ssrc,
                fraction_lost: b.fraction_lost,
                total_lost: b.total_lost,
                last_sequence_number: b.extended_highest,
                jitter: b.jitter,
                last_sender_report: lsr,
                delay,
            }
        })
        .into_iter()
        .collect();
    let report: Box<dyn Packet + Send + Sync> = match sender {
        Some(info) => Box::new(SenderReport {
            ssrc,
            ntp_time: ntp_time(now),
            rtp_time: info.rtp_time,
            packet_count: info.packets,
            octet_count: info.octets,
            reports,
            profile_extensions: Bytes::new(),
        }),
        None => Box::new(ReceiverReport {
            ssrc,
            reports,
            profile_extensions: Bytes::new(),
        }),
    };
    let sdes = SourceDescription {
        chunks: vec![SourceDescriptionChunk {
            source: ssrc,
            items: vec![SourceDescriptionItem {
                sdes_type: SdesType::SdesCname,
                text: Bytes::copy_from_slice(cname.as_bytes()),
            }],
        }],
    };
    rtcp::packet::marshal(&[report, Box::new(sdes)])
        .ok()
        .map(|b| b.to_vec())
}

fn read_block(block: &ReceptionReport, now: SystemTime, report: &mut RemoteReport) {
    report.loss_percent = Some(f32::from(block.fraction_lost) * 100.0 / 256.0);
    if block.last_sender_report != 0 {
        let now = compact(ntp_time(now));
        let units = now
            .wrapping_sub(block.last_sender_report)
            .wrapping_sub(block.delay);
        // A few units below zero is rounding (a round trip shorter than the clock's step);
        // more than a minute either way means the clocks or the packet are off: no figure.
        if units > u32::MAX - 64 {
            report.round_trip = Some(Duration::ZERO);
        } else if units < 60 * 65_536 {
            report.round_trip = Some(Duration::from_secs_f64(f64::from(units) / 65_536.0));
        }
    }
}

/// Reads a compound RTCP packet from the other side; `ssrc` is ours, to find the block about
/// our stream. Malformed packets give `None`.
pub fn read_report(data: &[u8], ssrc: u32, now: SystemTime) -> Option<RemoteReport> {
    let mut bytes = Bytes::copy_from_slice(data);
    let packets = rtcp::packet::unmarshal(&mut bytes).ok()?;
    let mut report = RemoteReport::default();
    for packet in &packets {
        let any = packet.as_any();
        let blocks = if let Some(sr) = any.downcast_ref::<SenderReport>() {
            report.sender_report = Some(compact(sr.ntp_time));
            &sr.reports
        } else if let Some(rr) = any.downcast_ref::<ReceiverReport>() {
            &rr.reports
        } else {
            continue;
        };
        for block in blocks.iter().filter(|b| b.ssrc == ssrc) {
            read_block(block, now, &mut report);
        }
    }
    Some(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sender_report_round_trips_into_a_round_trip_time() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let ours = 0xaaaa;
        let theirs = 0xbbbb;
        let sr = build_report(
            ours,
            "wink@test",
            t0,
            Some(SenderInfo {
                rtp_time: 1,
                packets: 2,
                octets: 3,
            }),
            None,
            None,
        )
        .unwrap();
        let seen = read_report(&sr, theirs, t0 + Duration::from_millis(30)).unwrap();
        let lsr = seen.sender_report.unwrap();
        // They hold it 100 ms, then answer with an RR about our stream; it takes 30 ms back.
        let block = ReportBlock {
            ssrc: ours,
            fraction_lost: 64,
            total_lost: 5,
            extended_highest: 100,
            jitter: 8,
        };
        let rr = build_report(
            theirs,
            "peer",
            t0 + Duration::from_millis(130),
            None,
            Some(block),
            Some((lsr, Duration::from_millis(100))),
        )
        .unwrap();
        let report = read_report(&rr, ours, t0 + Duration::from_millis(160)).unwrap();
        let rtt = report.round_trip.unwrap().as_millis();
        assert!((59..=61).contains(&rtt), "{rtt} ms");
        assert_eq!(report.loss_percent, Some(25.0));
    }

    #[test]
    fn garbage_is_not_a_report() {
        assert_eq!(read_report(&[1, 2, 3], 1, SystemTime::now()), None);
    }
}
