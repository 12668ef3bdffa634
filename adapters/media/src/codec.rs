//! The audio codecs we offer, and what SDP calls them.

use wink_ports::sdp::RtpMap;

/// An audio codec Wink speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecKind {
    /// Opus (RFC 7587): 48 kHz, in-band FEC.
    Opus,
    /// G.722: 16 kHz audio, an 8 kHz RTP clock (RFC 3551's historical quirk).
    G722,
    /// G.711 A-law.
    Pcma,
    /// G.711 µ-law.
    Pcmu,
}

/// Packet duration: 20 ms, i.e. 50 packets per second.
pub const PACKETS_PER_SECOND: u32 = 50;

impl CodecKind {
    /// The encoding name in `a=rtpmap`.
    pub fn encoding(self) -> &'static str {
        match self {
            CodecKind::Opus => "opus",
            CodecKind::G722 => "G722",
            CodecKind::Pcma => "PCMA",
            CodecKind::Pcmu => "PCMU",
        }
    }

    /// The RTP clock rate (timestamp units per second).
    pub fn clock_rate(self) -> u32 {
        match self {
            CodecKind::Opus => 48_000,
            CodecKind::G722 | CodecKind::Pcma | CodecKind::Pcmu => 8_000,
        }
    }

    /// The audio sample rate the codec encodes and decodes.
    pub fn sample_rate(self) -> u32 {
        match self {
            CodecKind::Opus => 48_000,
            CodecKind::G722 => 16_000,
            CodecKind::Pcma | CodecKind::Pcmu => 8_000,
        }
    }

    /// Samples in one 20 ms frame at [`Self::sample_rate`].
    pub fn frame_samples(self) -> usize {
        (self.sample_rate() / PACKETS_PER_SECOND) as usize
    }

    /// RTP timestamp units in one 20 ms frame.
    pub fn frame_timestamp_units(self) -> u32 {
        self.clock_rate() / PACKETS_PER_SECOND
    }

    /// The static payload type (RFC 3551), if it has one.
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            CodecKind::Opus => None,
            CodecKind::G722 => Some(9),
            CodecKind::Pcma => Some(8),
            CodecKind::Pcmu => Some(0),
        }
    }

    /// The payload type we offer it with.
    pub fn offered_payload_type(self) -> u8 {
        self.static_payload_type().unwrap_or(OPUS_PAYLOAD_TYPE)
    }

    /// The channel count written in `a=rtpmap` (Opus is always `/2`, RFC 7587).
    pub fn rtpmap_channels(self) -> Option<u8> {
        (self == CodecKind::Opus).then_some(2)
    }

    /// The `a=fmtp` parameters we send.
    pub fn fmtp(self) -> Option<&'static str> {
        (self == CodecKind::Opus).then_some("useinbandfec=1;stereo=0;sprop-stereo=0")
    }

    /// Whether an `a=rtpmap` entry is this codec (name case-insensitive, same clock).
    pub fn matches(self, map: &RtpMap) -> bool {
        map.encoding.eq_ignore_ascii_case(self.encoding()) && map.clock_rate == self.clock_rate()
    }

    /// The codec an `a=rtpmap` entry names, if we speak it.
    pub fn from_rtpmap(map: &RtpMap) -> Option<Self> {
        [
            CodecKind::Opus,
            CodecKind::G722,
            CodecKind::Pcma,
            CodecKind::Pcmu,
        ]
        .into_iter()
        .find(|codec| codec.matches(map))
    }
}

/// The dynamic payload type we offer Opus with.
pub const OPUS_PAYLOAD_TYPE: u8 = 96;
/// The dynamic payload type we offer telephone-event with.
pub const DTMF_PAYLOAD_TYPE: u8 = 101;

/// Whether an `a=rtpmap` entry is RFC 4733 telephone-event.
pub fn is_telephone_event(map: &RtpMap) -> bool {
    map.encoding.eq_ignore_ascii_case("telephone-event")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pt: u8, encoding: &str, clock_rate: u32) -> RtpMap {
        RtpMap {
            payload_type: pt,
            encoding: encoding.into(),
            clock_rate,
            channels: None,
        }
    }

    #[test]
    fn names_and_clock_rates_identify_codecs() {
        assert_eq!(
            CodecKind::from_rtpmap(&map(111, "OPUS", 48_000)),
            Some(CodecKind::Opus)
        );
        assert_eq!(
            CodecKind::from_rtpmap(&map(9, "g722", 8_000)),
            Some(CodecKind::G722)
        );
        // Same name, another clock: a different codec for us.
        assert_eq!(CodecKind::from_rtpmap(&map(9, "G722", 16_000)), None);
        assert_eq!(CodecKind::G722.frame_samples(), 320);
        assert_eq!(CodecKind::G722.frame_timestamp_units(), 160);
        assert_eq!(CodecKind::Opus.frame_timestamp_units(), 960);
    }
}
