//! [`Ringer`]: the ring tone of an incoming call, played on the ringing device by a thread
//! of its own until the ringer is dropped.
//!
//! The tone is the familiar double ring of a telephone (400 Hz + 450 Hz, 0.4 s on, 0.2 s
//! off, 0.4 s on, 2 s off), generated at the device's own rate, faded in and out over
//! 10 ms so it never clicks.

use std::f64::consts::TAU;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wink_ports::{AudioDevices, AudioOutput};

/// One ring cycle: when the tone sounds, in milliseconds from the cycle's start.
const BURSTS_MS: [(u64, u64); 2] = [(0, 400), (600, 1_000)];
/// The cycle's length.
const CYCLE_MS: u64 = 3_000;
/// The two frequencies sounding together.
const TONES_HZ: [f64; 2] = [400.0, 450.0];
/// Each frequency's peak, as a share of full scale (together at most half of it).
const LEVEL: f64 = 0.25;
/// Fade in and out at each burst's edges.
const FADE_MS: f64 = 10.0;
/// Samples are written in steps of this long.
const STEP: Duration = Duration::from_millis(20);
/// Written ahead of the clock, so a late wake-up never leaves a card without samples.
const AHEAD: u32 = 3;
/// A ring stops by itself after this long: no server lets a call ring for five minutes.
const LONGEST_RING: Duration = Duration::from_secs(300);

/// The ring tone's samples, one after another, at a given rate.
#[derive(Debug, Clone)]
pub struct RingTone {
    rate: u32,
    position: u64,
}

impl RingTone {
    /// The tone at `rate` samples per second, from the start of a ring.
    pub fn new(rate: u32) -> Self {
        Self { rate, position: 0 }
    }

    /// Fills `samples` with what comes next.
    pub fn fill(&mut self, samples: &mut [i16]) {
        let rate = f64::from(self.rate.max(1));
        let cycle = CYCLE_MS * u64::from(self.rate) / 1_000;
        for sample in samples {
            let in_cycle = self.position % cycle.max(1);
            let ms = in_cycle as f64 * 1_000.0 / rate;
            let envelope = BURSTS_MS
                .iter()
                .map(|&(start, end)| {
                    let (start, end) = (start as f64, end as f64);
                    if ms < start || ms >= end {
                        0.0
                    } else {
                        ((ms - start) / FADE_MS).min((end - ms) / FADE_MS).min(1.0)
                    }
                })
                .fold(0.0, f64::max);
            let t = self.position as f64 / rate;
            let wave: f64 = TONES_HZ.iter().map(|hz| (TAU * hz * t).sin()).sum();
            *sample = (wave * LEVEL * envelope * f64::from(i16::MAX)).round() as i16;
            self.position += 1;
        }
    }
}

/// Rings while it lives (or until [`Ringer::stop`]).
#[derive(Debug)]
pub struct Ringer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ringer {
    /// Starts ringing on the output `id` (`None`: the default speaker). The device opens on
    /// the ringer's thread, so a slow card never holds up the caller; one that cannot open
    /// is logged, and the call still shows, silently.
    pub fn start(devices: Arc<dyn AudioDevices>, id: Option<String>) -> Self {
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("wink-ringer".into())
            .spawn(move || match devices.open_output(id.clone()) {
                Ok(output) => ring(output, &stopped),
                Err(error) => {
                    tracing::warn!(target: "audio", device = ?id, %error, "cannot ring")
                }
            });
        match thread {
            Ok(thread) => Self {
                stop: Some(stop),
                thread: Some(thread),
            },
            Err(error) => {
                tracing::warn!(target: "audio", %error, "no ringer thread");
                Self {
                    stop: None,
                    thread: None,
                }
            }
        }
    }
}

impl Ringer {
    /// Stops ringing and waits until the device is closed (a file is complete).
    pub fn stop(mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // It wakes within one step (or as soon as a slow open returns).
            let _ = thread.join();
        }
    }
}

/// Dropping stops the ring without waiting: the thread sees it within one step and closes
/// the device itself, so a window never waits on a sound card.
impl Drop for Ringer {
    fn drop(&mut self) {
        drop(self.stop.take());
    }
}

/// Writes the tone in steps until told to stop (or the channel closes) or the longest ring
/// has passed.
fn ring(mut output: Box<dyn AudioOutput>, stopped: &mpsc::Receiver<()>) {
    let rate = output.sample_rate();
    let mut tone = RingTone::new(rate);
    let mut step = vec![0; (rate / 50) as usize];
    let started = Instant::now();
    let mut written = 0u32;
    while started.elapsed() < LONGEST_RING {
        let due = started + STEP * written.saturating_sub(AHEAD);
        match stopped.recv_timeout(due.saturating_duration_since(Instant::now())) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        tone.fill(&mut step);
        if let Err(error) = output.write(&step) {
            tracing::warn!(target: "audio", %error, "the ringing device stopped");
            return;
        }
        written += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loudest(samples: &[i16]) -> i16 {
        samples
            .iter()
            .map(|s| s.saturating_abs())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn the_tone_rings_twice_then_rests() {
        let rate = 8_000;
        let mut tone = RingTone::new(rate);
        let mut cycle = vec![0; 3 * rate as usize];
        tone.fill(&mut cycle);
        let at = |ms: usize| &cycle[ms * 8..(ms + 100) * 8];
        assert!(loudest(at(100)) > 5_000, "the first ring sounds");
        assert_eq!(loudest(at(450)), 0, "a pause between the two rings");
        assert!(loudest(at(700)) > 5_000, "the second ring sounds");
        assert_eq!(loudest(at(1_500)), 0, "then a rest");
        assert!(
            loudest(&cycle) <= i16::MAX / 2,
            "never louder than half scale"
        );
        let mut next = vec![0; 800];
        tone.fill(&mut next);
        assert_eq!(next[..80], cycle[..80], "and it starts over");
    }

    #[test]
    fn bursts_fade_in_instead_of_clicking() {
        let mut tone = RingTone::new(48_000);
        let mut start = vec![0; 48];
        tone.fill(&mut start);
        assert!(
            loudest(&start) < 2_000,
            "the first millisecond is quiet: {}",
            loudest(&start)
        );
    }

    #[test]
    fn a_stopped_ringer_writes_no_more() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ring.wav");
        let devices: Arc<dyn AudioDevices> = Arc::new(crate::SystemAudio::new());
        let ringer = Ringer::start(devices, Some(format!("file:{}", path.display())));
        let deadline = Instant::now() + Duration::from_secs(10);
        let length = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        while length() < 48_000 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        ringer.stop();
        let rung = hound::WavReader::open(&path).unwrap();
        let samples: Vec<i16> = rung.into_samples().map(Result::unwrap).collect();
        assert!(samples.len() >= 24_000, "{} samples", samples.len());
        assert!(loudest(&samples) > 5_000, "it rang");
        let stopped_at = length();
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(length(), stopped_at, "nothing more after the drop");
    }
}
