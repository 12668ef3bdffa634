//! RFC 4733 telephone-events, sans-IO: the sender turns keys into 20 ms event packets, the
//! receiver turns event packets back into keys, once per key press.

use std::collections::VecDeque;

use wink_ports::DtmfDigit;

/// How long a key sounds.
const TONE_FRAMES: u32 = 5;
/// Packets repeating the end of an event (RFC 4733 §2.5.1.4 asks for three).
const END_REPEATS: u32 = 3;
/// Quiet frames between two keys.
const GAP_FRAMES: u32 = 3;
/// The volume field: -10 dBm0.
const VOLUME: u8 = 10;

/// The event code of a key (RFC 4733 §3.2).
pub fn event_code(digit: DtmfDigit) -> u8 {
    match digit {
        DtmfDigit::Digit(d) => d.min(9),
        DtmfDigit::Star => 10,
        DtmfDigit::Pound => 11,
    }
}

/// The key of an event code, if it is one.
pub fn digit_of(code: u8) -> Option<DtmfDigit> {
    match code {
        0..=9 => Some(DtmfDigit::Digit(code)),
        10 => Some(DtmfDigit::Star),
        11 => Some(DtmfDigit::Pound),
        _ => None,
    }
}

/// One telephone-event packet to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPacket {
    /// The 4-byte payload.
    pub payload: [u8; 4],
    /// The first packet of the event carries the RTP marker bit.
    pub marker: bool,
    /// The event starts at the audio frame it replaces: all its packets share the
    /// timestamp of that frame.
    pub new_event: bool,
}

/// What the sender wants in the next 20 ms slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DtmfSlot {
    /// Send audio as usual.
    Audio,
    /// Send this event packet instead of audio.
    Event(EventPacket),
}

#[derive(Debug, Clone, Copy)]
struct Active {
    code: u8,
    frame: u32,
}

/// Plays queued keys as telephone-events.
#[derive(Debug)]
pub struct DtmfSender {
    units_per_frame: u32,
    queue: VecDeque<DtmfDigit>,
    active: Option<Active>,
    gap: u32,
}

impl DtmfSender {
    /// A sender whose event clock advances `units_per_frame` per 20 ms (160 at 8 kHz).
    pub fn new(units_per_frame: u32) -> Self {
        Self {
            units_per_frame,
            queue: VecDeque::new(),
            active: None,
            gap: 0,
        }
    }

    /// Queues a key.
    pub fn press(&mut self, digit: DtmfDigit) {
        self.queue.push_back(digit);
    }

    /// Whether keys are queued or playing.
    pub fn is_busy(&self) -> bool {
        self.active.is_some() || !self.queue.is_empty()
    }

    /// What to send in the next 20 ms slot.
    pub fn next_slot(&mut self) -> DtmfSlot {
        if self.active.is_none() {
            if self.gap > 0 {
                self.gap -= 1;
                return DtmfSlot::Audio;
            }
            let Some(digit) = self.queue.pop_front() else {
                return DtmfSlot::Audio;
            };
            self.active = Some(Active {
                code: event_code(digit),
                frame: 0,
            });
        }
        let Some(active) = &mut self.active else {
            return DtmfSlot::Audio;
        };
        active.frame += 1;
        let frame = active.frame;
        let end = frame > TONE_FRAMES;
        let duration = self.units_per_frame * frame.min(TONE_FRAMES);
        let mut payload = [active.code, VOLUME, 0, 0];
        if end {
            payload[1] |= 0x80;
        }
        payload[2..].copy_from_slice(&(duration.min(u32::from(u16::MAX)) as u16).to_be_bytes());
        if frame >= TONE_FRAMES + END_REPEATS {
            self.active = None;
            self.gap = GAP_FRAMES;
        }
        DtmfSlot::Event(EventPacket {
            payload,
            marker: frame == 1,
            new_event: frame == 1,
        })
    }
}

/// Recognizes key presses in received telephone-events.
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    last_event_timestamp: Option<u32>,
}

impl DtmfReceiver {
    /// A receiver.
    pub fn new() -> Self {
        Self::default()
    }

    /// An event packet arrived (RTP timestamp and payload); returns the key the first time
    /// an event is seen. Retransmitted and end packets of the same event return `None`.
    pub fn receive(&mut self, timestamp: u32, payload: &[u8]) -> Option<DtmfDigit> {
        let &[code, ..] = payload else {
            return None;
        };
        if payload.len() < 4 || self.last_event_timestamp == Some(timestamp) {
            return None;
        }
        let digit = digit_of(code)?;
        self.last_event_timestamp = Some(timestamp);
        Some(digit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_five_tone_packets_three_ends_then_a_gap() {
        let mut sender = DtmfSender::new(160);
        sender.press(DtmfDigit::Pound);
        sender.press(DtmfDigit::Digit(1));
        let slots: Vec<DtmfSlot> = (0..20).map(|_| sender.next_slot()).collect();
        let DtmfSlot::Event(first) = &slots[0] else {
            panic!("{:?}", slots[0])
        };
        assert!(first.marker && first.new_event);
        assert_eq!(first.payload, [11, 10, 0, 160]);
        let DtmfSlot::Event(last_tone) = &slots[4] else {
            panic!()
        };
        assert_eq!(last_tone.payload, [11, 10, 3, 32]); // 800 units = 100 ms
        for slot in &slots[5..8] {
            let DtmfSlot::Event(end) = slot else { panic!() };
            assert_eq!(end.payload, [11, 0x8a, 3, 32]);
            assert!(!end.marker);
        }
        assert!(slots[8..11].iter().all(|s| *s == DtmfSlot::Audio));
        let DtmfSlot::Event(second) = &slots[11] else {
            panic!("{:?}", slots[11])
        };
        assert_eq!(second.payload[0], 1);
        assert!(second.new_event);
        assert!(!sender.is_busy() || matches!(slots[19], DtmfSlot::Event(_)));
    }

    #[test]
    fn the_receiver_reports_each_press_once() {
        let mut sender = DtmfSender::new(160);
        let mut receiver = DtmfReceiver::new();
        sender.press(DtmfDigit::Digit(5));
        sender.press(DtmfDigit::Digit(5));
        let (mut timestamp, mut event_timestamp) = (0u32, 0u32);
        let mut keys = Vec::new();
        for _ in 0..30 {
            timestamp += 160;
            if let DtmfSlot::Event(packet) = sender.next_slot() {
                // Packets of one event share a timestamp: the one the event started at.
                if packet.new_event {
                    event_timestamp = timestamp;
                }
                keys.extend(receiver.receive(event_timestamp, &packet.payload));
            }
        }
        assert_eq!(keys, [DtmfDigit::Digit(5), DtmfDigit::Digit(5)]);
        assert_eq!(receiver.receive(1, &[99, 0, 0, 0]), None);
        assert_eq!(receiver.receive(2, &[1]), None);
    }
}
