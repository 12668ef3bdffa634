//! Probe devices for the self-test: a microphone that beeps at a known pitch and notes
//! when each beep went in, and a speaker that keeps what it played and when. From the two,
//! the self-test tells whether audio went through and how long it took.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wink_ports::{
    AudioDevice, AudioDevices, AudioInput, AudioOutput, DeviceDirection, DeviceError, DeviceEvent,
    EventStream,
};

/// The probes' sample rate.
pub const PROBE_RATE: u32 = 48_000;
/// A beep starts every this often...
pub const BEEP_PERIOD: Duration = Duration::from_millis(500);
/// ... and lasts this long.
pub const BEEP_LENGTH: Duration = Duration::from_millis(200);
const AMPLITUDE: f64 = 8000.0;

fn samples(duration: Duration) -> u64 {
    duration.as_micros() as u64 * u64::from(PROBE_RATE) / 1_000_000
}

fn sample_duration(samples: usize) -> Duration {
    Duration::from_micros(samples as u64 * 1_000_000 / u64::from(PROBE_RATE))
}

/// What the probes recorded.
#[derive(Debug, Default)]
pub struct ProbeLog {
    /// When each beep entered the pipeline (as if a sound card had captured it).
    pub beeps_sent: Vec<Instant>,
    /// What the speaker played: each write with the time its first sample played.
    pub played: Vec<(Instant, Vec<i16>)>,
}

/// A shared handle on a [`ProbeLog`].
pub type SharedProbeLog = Arc<Mutex<ProbeLog>>;

/// The beeping microphone.
#[derive(Debug)]
pub struct BeepInput {
    hz: f64,
    position: u64,
    log: SharedProbeLog,
}

impl AudioInput for BeepInput {
    fn sample_rate(&self) -> u32 {
        PROBE_RATE
    }

    fn read(&mut self, frame: &mut [i16]) -> usize {
        let now = Instant::now();
        let (period, length) = (samples(BEEP_PERIOD), samples(BEEP_LENGTH));
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        let frame_len = frame.len();
        for (i, slot) in frame.iter_mut().enumerate() {
            let position = self.position + i as u64;
            let in_period = position % period;
            if in_period == 0 {
                // A real microphone would have captured this sample this long ago.
                log.beeps_sent.push(now - sample_duration(frame_len - i));
            }
            *slot = if in_period < length {
                let phase =
                    position as f64 * 2.0 * std::f64::consts::PI * self.hz / f64::from(PROBE_RATE);
                (phase.sin() * AMPLITUDE) as i16
            } else {
                0
            };
        }
        self.position += frame.len() as u64;
        frame.len()
    }
}

/// The speaker that remembers.
#[derive(Debug)]
pub struct CaptureOutput {
    log: SharedProbeLog,
    queued_until: Option<Instant>,
}

impl AudioOutput for CaptureOutput {
    fn sample_rate(&self) -> u32 {
        PROBE_RATE
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), DeviceError> {
        // Like a sound card: samples play after those still queued.
        let now = Instant::now();
        let start = self.queued_until.filter(|t| *t > now).unwrap_or(now);
        self.queued_until = Some(start + sample_duration(samples.len()));
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .played
            .push((start, samples.to_vec()));
        Ok(())
    }
}

/// [`AudioDevices`] that hand out one beeping microphone and one remembering speaker.
#[derive(Debug)]
pub struct ProbeDevices {
    hz: f64,
    log: SharedProbeLog,
}

impl ProbeDevices {
    /// Probes beeping at `hz`; the log fills as the call runs.
    pub fn new(hz: f64) -> (Self, SharedProbeLog) {
        let log = SharedProbeLog::default();
        (
            Self {
                hz,
                log: log.clone(),
            },
            log,
        )
    }
}

#[async_trait::async_trait]
impl AudioDevices for ProbeDevices {
    async fn list(&self) -> Result<Vec<AudioDevice>, DeviceError> {
        Ok(Vec::new())
    }

    async fn default_device(
        &self,
        _direction: DeviceDirection,
    ) -> Result<Option<AudioDevice>, DeviceError> {
        Ok(None)
    }

    fn open_input(&self, _id: Option<String>) -> Result<Box<dyn AudioInput>, DeviceError> {
        Ok(Box::new(BeepInput {
            hz: self.hz,
            position: 0,
            log: self.log.clone(),
        }))
    }

    fn open_output(&self, _id: Option<String>) -> Result<Box<dyn AudioOutput>, DeviceError> {
        Ok(Box::new(CaptureOutput {
            log: self.log.clone(),
            queued_until: None,
        }))
    }

    fn events(&self) -> EventStream<DeviceEvent> {
        Box::pin(futures_util::stream::pending())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beeps_start_every_period_and_are_logged() {
        let (devices, log) = ProbeDevices::new(1000.0);
        let mut input = devices.open_input(None).unwrap();
        let mut frame = vec![0i16; 960];
        for _ in 0..50 {
            input.read(&mut frame);
        }
        // One second: beeps at 0 and 500 ms.
        assert_eq!(log.lock().unwrap().beeps_sent.len(), 2);
        // The last frame (980-1000 ms) is silent, the beep lasts 200 ms.
        assert!(frame.iter().all(|&s| s == 0));

        let mut output = devices.open_output(None).unwrap();
        output.write(&[1; 480]).unwrap();
        output.write(&[2; 480]).unwrap();
        let log = log.lock().unwrap();
        let (first, second) = (log.played[0].0, log.played[1].0);
        assert_eq!(
            second - first,
            Duration::from_millis(10),
            "queued behind the first"
        );
    }
}
