use std::sync::{Arc, Mutex};

use wink_ports::DeviceError;
use wink_ports::sdp::SessionDescription;

use super::*;
use crate::analysis::{sine, tone_presence};
use crate::codec::CodecKind;
use crate::conference::ConferenceBus;
use crate::negotiate::{MediaProfile, Negotiation, SrtpPolicy};

/// A microphone that plays a tone forever.
struct ToneInput {
    tone: Vec<i16>,
    position: usize,
}

impl ToneInput {
    fn new(hz: f32) -> Box<Self> {
        // One second of tone at 48 kHz: a whole number of periods for the test tones.
        Box::new(Self {
            tone: sine(48_000, hz, 8000.0, 48_000),
            position: 0,
        })
    }
}

impl AudioInput for ToneInput {
    fn sample_rate(&self) -> u32 {
        48_000
    }

    fn read(&mut self, frame: &mut [i16]) -> usize {
        for slot in frame.iter_mut() {
            *slot = self.tone[self.position];
            self.position = (self.position + 1) % self.tone.len();
        }
        frame.len()
    }
}

/// A speaker that keeps what it plays.
#[derive(Clone, Default)]
struct Heard(Arc<Mutex<Vec<i16>>>);

impl AudioOutput for Heard {
    fn sample_rate(&self) -> u32 {
        48_000
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), DeviceError> {
        self.0.lock().unwrap().extend_from_slice(samples);
        Ok(())
    }
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Negotiates like two phones would: `a` offers, `b` answers.
fn negotiate(codecs: &[CodecKind], srtp: SrtpPolicy) -> (Negotiated, Negotiated) {
    let profile = MediaProfile {
        codecs: codecs.to_vec(),
        srtp,
    };
    let mut a = Negotiation::new(profile.clone(), addr(4000), 1);
    let mut b = Negotiation::new(profile, addr(5000), 2);
    let offer = SessionDescription::parse(&a.create_offer().to_string()).unwrap();
    let (answer, at_b) = b.answer_offer(&offer).unwrap();
    let at_b = at_b.clone();
    let answer = SessionDescription::parse(&answer.to_string()).unwrap();
    let at_a = a.receive_answer(&answer).unwrap().clone();
    (at_a, at_b)
}

struct Call {
    a: Pipeline,
    b: Pipeline,
    heard_by_a: Heard,
    heard_by_b: Heard,
    now: Instant,
}

impl Call {
    fn new(codec: CodecKind, srtp: SrtpPolicy) -> Self {
        Self::with_tones(codec, srtp, 440.0, 1000.0)
    }

    fn with_tones(codec: CodecKind, srtp: SrtpPolicy, a_hz: f32, b_hz: f32) -> Self {
        let (at_a, at_b) = negotiate(&[codec], srtp);
        let now = Instant::now();
        let (heard_by_a, heard_by_b) = (Heard::default(), Heard::default());
        let a = Pipeline::new(
            at_a,
            ToneInput::new(a_hz),
            Box::new(heard_by_a.clone()),
            "a".into(),
            now,
        )
        .unwrap();
        let b = Pipeline::new(
            at_b,
            ToneInput::new(b_hz),
            Box::new(heard_by_b.clone()),
            "b".into(),
            now,
        )
        .unwrap();
        Self {
            a,
            b,
            heard_by_a,
            heard_by_b,
            now,
        }
    }

    /// Runs `ticks` 20 ms steps, delivering every packet at once unless `drop` says so.
    fn run(&mut self, ticks: u32, mut drop: impl FnMut(u32) -> bool) -> Vec<DtmfDigit> {
        let mut keys = Vec::new();
        for i in 0..ticks {
            self.now += TICK;
            if let Some(packet) = self.a.tick(self.now).unwrap() {
                assert_eq!(packet.to, addr(5000));
                if !drop(i) {
                    keys.extend(self.b.receive_rtp(self.now, addr(4000), &packet.data));
                }
            }
            if let Some(packet) = self.b.tick(self.now).unwrap() {
                assert_eq!(packet.to, addr(4000));
                keys.extend(self.a.receive_rtp(self.now, addr(5000), &packet.data));
            }
        }
        keys
    }
}

#[test]
fn each_codec_carries_each_sides_tone_to_the_other_in_the_clear_and_encrypted() {
    for codec in [
        CodecKind::Opus,
        CodecKind::G722,
        CodecKind::Pcma,
        CodecKind::Pcmu,
    ] {
        for srtp in [SrtpPolicy::Off, SrtpPolicy::Mandatory] {
            let mut call = Call::new(codec, srtp);
            call.run(100, |_| false);
            let heard_by_b = call.heard_by_b.0.lock().unwrap().clone();
            let heard_by_a = call.heard_by_a.0.lock().unwrap().clone();
            let at_b = tone_presence(&heard_by_b, 48_000, 440.0);
            let at_a = tone_presence(&heard_by_a, 48_000, 1000.0);
            assert!(
                at_b.share() > 0.8,
                "{codec:?} {srtp:?}: b heard a's tone {at_b:?}"
            );
            assert!(
                at_a.share() > 0.8,
                "{codec:?} {srtp:?}: a heard b's tone {at_a:?}"
            );
            assert_eq!(call.a.stats().encrypted, srtp == SrtpPolicy::Mandatory);
            assert_eq!(call.b.stats().packets_received, 100);
        }
    }
}

#[test]
fn loss_is_concealed_and_counted() {
    let mut call = Call::new(CodecKind::Opus, SrtpPolicy::Optional);
    call.run(250, |i| i % 10 == 4);
    let stats = call.b.stats();
    assert_eq!(stats.packets_lost, 25, "{stats:?}");
    assert!((stats.loss_percent - 10.0).abs() < 1.0, "{stats:?}");
    let heard = call.heard_by_b.0.lock().unwrap().clone();
    // Concealment (Opus FEC/PLC) keeps the tone through the gaps.
    assert!(tone_presence(&heard, 48_000, 440.0).share() > 0.8);
}

#[test]
fn dtmf_keys_reach_the_other_side_once_each() {
    let mut call = Call::new(CodecKind::Pcmu, SrtpPolicy::Mandatory);
    for c in "1#9".chars() {
        call.a.send_dtmf(DtmfDigit::from_char(c).unwrap()).unwrap();
    }
    let keys = call.run(60, |_| false);
    assert_eq!(
        keys,
        [DtmfDigit::Digit(1), DtmfDigit::Pound, DtmfDigit::Digit(9)]
    );
}

#[test]
fn mute_sends_silence_and_hold_sends_nothing() {
    let mut call = Call::new(CodecKind::Pcma, SrtpPolicy::Off);
    call.a.set_muted(true);
    call.run(50, |_| false);
    let heard = call.heard_by_b.0.lock().unwrap().clone();
    assert_eq!(tone_presence(&heard, 48_000, 440.0).with_tone, 0);
    assert_eq!(
        call.b.stats().packets_received,
        50,
        "muted still sends (silence)"
    );

    let mut held = call.a.params.clone();
    held.direction = Direction::RecvOnly;
    call.a.update(held).unwrap();
    call.run(50, |_| false);
    assert_eq!(
        call.b.stats().packets_received,
        50,
        "nothing sent while held"
    );
}

#[test]
fn rtcp_reports_give_each_side_the_others_view() {
    let mut call = Call::new(CodecKind::G722, SrtpPolicy::Mandatory);
    call.run(50, |i| i % 5 == 1);
    let report = call.a.rtcp_report(call.now).unwrap();
    assert_eq!(report.to, addr(5001));
    call.b.receive_rtcp(call.now, &report.data);
    call.now += Duration::from_millis(10);
    let answer = call.b.rtcp_report(call.now).unwrap();
    call.a.receive_rtcp(call.now, &answer.data);
    let stats = call.a.stats();
    assert_eq!(stats.remote_loss_percent, Some(19.921875), "{stats:?}");
    // b held a's report for 10 ms and the network took no time: the round trip is 0 ms.
    assert_eq!(stats.round_trip_ms, Some(0), "{stats:?}");
}

#[test]
fn symmetric_rtp_answers_where_packets_come_from() {
    let mut call = Call::new(CodecKind::Pcmu, SrtpPolicy::Off);
    call.now += TICK;
    let packet = call.a.tick(call.now).unwrap().unwrap();
    // a is behind a NAT: its packets come from another port than its SDP said.
    call.b.receive_rtp(call.now, addr(6000), &packet.data);
    let reply = call.b.tick(call.now).unwrap().unwrap();
    assert_eq!(reply.to, addr(6000));
    // Garbage from elsewhere does not move the stream.
    call.b.receive_rtp(call.now, addr(7000), b"\x80\x00junk");
    assert_eq!(call.b.tick(call.now).unwrap().unwrap().to, addr(6000));
}

#[test]
fn a_recording_holds_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let mut call = Call::new(CodecKind::Pcmu, SrtpPolicy::Off);
    call.a.record(Some(&path)).unwrap();
    call.run(100, |_| false);
    assert_eq!(call.a.finish(), Some(path.clone()));
    let samples: Vec<i16> = hound::WavReader::open(&path)
        .unwrap()
        .into_samples()
        .map(Result::unwrap)
        .collect();
    assert_eq!(samples.len(), 100 * 160);
    let power = |hz| crate::analysis::power_at(&samples[8000..], 8000, hz);
    assert!(
        power(440.0) > 1e6 && power(1000.0) > 1e6,
        "{} {}",
        power(440.0),
        power(1000.0)
    );
}

#[test]
fn in_a_conference_each_remote_party_hears_the_other_unless_silenced() {
    let id = |s: &str| SessionId::new(s).unwrap();
    // We talk to Bob (G.722) and to Carol (PCMU); then we join the two calls.
    let mut bob = Call::with_tones(CodecKind::G722, SrtpPolicy::Off, 440.0, 1000.0);
    let mut carol = Call::with_tones(CodecKind::Pcmu, SrtpPolicy::Mandatory, 440.0, 1500.0);
    let bus = ConferenceBus::new(&[id("bob"), id("carol")]);
    bob.a
        .set_conference(Some((bus.clone(), id("bob"))))
        .unwrap();
    carol.a.set_conference(Some((bus, id("carol")))).unwrap();
    for _ in 0..100 {
        bob.run(1, |_| false);
        carol.run(1, |_| false);
    }
    let last_second = |heard: &Heard| {
        let samples = heard.0.lock().unwrap().clone();
        samples[samples.len() - 48_000..].to_vec()
    };
    let power = |samples: &[i16], hz| crate::analysis::power_at(samples, 48_000, hz);
    let at_bob = last_second(&bob.heard_by_b);
    let at_carol = last_second(&carol.heard_by_b);
    // Each hears us (440 Hz) and the other party; nothing at an unrelated pitch.
    let quiet = power(&at_bob, 2500.0)
        .max(power(&at_carol, 2500.0))
        .max(1.0);
    assert!(
        power(&at_bob, 1500.0) > 100.0 * quiet,
        "Bob does not hear Carol"
    );
    assert!(
        power(&at_carol, 1000.0) > 100.0 * quiet,
        "Carol does not hear Bob"
    );
    assert!(power(&at_bob, 440.0) > 100.0 * quiet && power(&at_carol, 440.0) > 100.0 * quiet);

    // Carol silenced (a noisy participant): Bob no longer hears her, nor do we; she still
    // hears Bob.
    carol.a.set_silenced(true);
    for _ in 0..50 {
        bob.run(1, |_| false);
        carol.run(1, |_| false);
    }
    let tail = |heard: &Heard| {
        let samples = last_second(heard);
        samples[samples.len() - 24_000..].to_vec()
    };
    assert!(
        power(&tail(&bob.heard_by_b), 1500.0) < 100.0 * quiet,
        "Bob still hears the silenced Carol"
    );
    assert!(
        power(&tail(&carol.heard_by_a), 1500.0) < 100.0 * quiet,
        "we still hear the silenced Carol"
    );
    assert!(
        power(&tail(&carol.heard_by_b), 1000.0) > 100.0 * quiet,
        "Carol, silenced, still hears Bob"
    );
    carol.a.set_silenced(false);

    // Leaving the conference: Bob no longer hears Carol.
    bob.a.set_conference(None).unwrap();
    carol.a.set_conference(None).unwrap();
    for _ in 0..50 {
        bob.run(1, |_| false);
        carol.run(1, |_| false);
    }
    let at_bob = last_second(&bob.heard_by_b);
    let tail = &at_bob[at_bob.len() - 24_000..];
    assert!(
        power(tail, 1500.0) < 100.0 * quiet,
        "Carol still reaches Bob"
    );
}
