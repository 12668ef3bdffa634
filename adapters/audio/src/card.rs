//! Sound cards through `cpal` (ALSA; PipeWire and PulseAudio through their ALSA plugins).
//!
//! A cpal stream lives on a thread of its own (streams are not `Send` on every host) and
//! trades samples with the call through a small queue: the microphone's callback fills it
//! and the call's 20 ms tick drains it; the call fills the speaker's queue and its callback
//! drains it. Both queues are bounded so a stalled side can never build up delay.

use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{Device, SampleFormat, StreamConfig};
use wink_ports::{AudioDevice, AudioInput, AudioOutput, DeviceDirection, DeviceError};

/// The most a capture queue holds before the oldest samples go: 200 ms at 48 kHz.
const MAX_QUEUED_IN: usize = 9_600;
/// The most a playback queue holds: 200 ms at 48 kHz.
const MAX_QUEUED_OUT: usize = 9_600;
/// How long opening a stream may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

type Queue = Arc<Mutex<VecDeque<i16>>>;

fn unavailable(error: impl std::fmt::Display) -> DeviceError {
    DeviceError::Unavailable(error.to_string())
}

fn failed(error: impl std::fmt::Display) -> DeviceError {
    DeviceError::Failed(error.to_string())
}

/// The id a device is stored under in settings (`alsa:…`).
fn device_id(device: &Device) -> Option<String> {
    device.id().ok().map(|id| id.to_string())
}

/// Every sound card, as the port describes them.
pub(crate) fn list() -> Result<Vec<AudioDevice>, DeviceError> {
    let host = cpal::default_host();
    let mut found = Vec::new();
    for device in host.devices().map_err(unavailable)? {
        let Some(id) = device_id(&device) else {
            continue;
        };
        let name = device
            .description()
            .map(|d| d.name().to_owned())
            .unwrap_or_else(|_| id.clone());
        for (supported, direction) in [
            (device.supports_input(), DeviceDirection::Input),
            (device.supports_output(), DeviceDirection::Output),
        ] {
            if supported {
                found.push(AudioDevice {
                    id: id.clone(),
                    name: name.clone(),
                    direction,
                });
            }
        }
    }
    Ok(found)
}

/// The system's default card for `direction`.
pub(crate) fn default_device(direction: DeviceDirection) -> Option<AudioDevice> {
    let host = cpal::default_host();
    let device = match direction {
        DeviceDirection::Input => host.default_input_device(),
        DeviceDirection::Output => host.default_output_device(),
    }?;
    let id = device_id(&device)?;
    let name = device
        .description()
        .map(|d| d.name().to_owned())
        .unwrap_or_else(|_| id.clone());
    Some(AudioDevice {
        id,
        name,
        direction,
    })
}

/// The device with this id (or name), or the default one.
fn find(name: Option<&str>, direction: DeviceDirection) -> Result<Device, DeviceError> {
    let host = cpal::default_host();
    let Some(wanted) = name else {
        let default = match direction {
            DeviceDirection::Input => host.default_input_device(),
            DeviceDirection::Output => host.default_output_device(),
        };
        return default.ok_or_else(|| unavailable("there is no default sound device"));
    };
    if let Ok(id) = wanted.parse::<cpal::DeviceId>()
        && let Some(device) = host.device_by_id(&id)
    {
        return Ok(device);
    }
    host.devices()
        .map_err(unavailable)?
        .find(|d| d.description().is_ok_and(|desc| desc.name() == wanted))
        .ok_or_else(|| DeviceError::NotFound(wanted.to_owned()))
}

/// What a stream builder gets: the device, its default configuration and sample format,
/// and the queue it trades samples through.
struct StreamPlan {
    device: Device,
    config: StreamConfig,
    format: SampleFormat,
    channels: usize,
    queue: Queue,
}

/// Opens the card `name` for `direction` with its default configuration, on a thread of
/// its own; `build` makes the stream for the card's sample format.
fn open_card(
    name: Option<&str>,
    direction: DeviceDirection,
    build: impl FnOnce(StreamPlan) -> Result<cpal::Stream, cpal::Error> + Send + 'static,
) -> Result<(Queue, u32, mpsc::Sender<()>), DeviceError> {
    let device = find(name, direction)?;
    let queue = Queue::default();
    let shared = queue.clone();
    let (rate, stop) = spawn_stream(move || {
        let supported = match direction {
            DeviceDirection::Input => device.default_input_config(),
            DeviceDirection::Output => device.default_output_config(),
        }
        .map_err(failed)?;
        let format = supported.sample_format();
        if !matches!(format, SampleFormat::I16 | SampleFormat::F32) {
            return Err(failed(format!("unsupported sample format {format:?}")));
        }
        let config: StreamConfig = supported.config();
        let rate = config.sample_rate;
        let plan = StreamPlan {
            channels: usize::from(config.channels),
            device,
            config,
            format,
            queue: shared,
        };
        Ok((build(plan).map_err(failed)?, rate))
    })?;
    Ok((queue, rate, stop))
}

/// Runs `build` on a thread of its own, keeps the stream there until the handle drops.
fn spawn_stream(
    build: impl FnOnce() -> Result<(cpal::Stream, u32), DeviceError> + Send + 'static,
) -> Result<(u32, mpsc::Sender<()>), DeviceError> {
    let (ready, opened) = mpsc::channel();
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("wink-audio".into())
        .spawn(move || match build() {
            Ok((stream, rate)) => {
                if let Err(error) = stream.play() {
                    let _ = ready.send(Err(failed(error)));
                    return;
                }
                let _ = ready.send(Ok(rate));
                // Until the handle is dropped (the sender goes away).
                let _ = stopped.recv();
                drop(stream);
            }
            Err(error) => {
                let _ = ready.send(Err(error));
            }
        })
        .map_err(failed)?;
    let rate = opened
        .recv_timeout(OPEN_TIMEOUT)
        .map_err(|_| unavailable("the sound device did not open in time"))??;
    Ok((rate, stop))
}

fn log_stream_error(error: cpal::Error) {
    tracing::warn!(target: "audio", %error, "sound device error");
}

/// A sound card's microphone.
pub struct CardInput {
    queue: Queue,
    rate: u32,
    _stop: mpsc::Sender<()>,
}

impl std::fmt::Debug for CardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardInput({} Hz)", self.rate)
    }
}

/// Appends the first channel of interleaved frames, dropping the oldest past the bound.
fn capture<T: Copy>(queue: &Queue, data: &[T], channels: usize, convert: impl Fn(T) -> i16) {
    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
    queue.extend(data.iter().step_by(channels.max(1)).map(|&s| convert(s)));
    let excess = queue.len().saturating_sub(MAX_QUEUED_IN);
    queue.drain(..excess);
}

impl CardInput {
    /// Opens the microphone `name` (id or name; `None`: the default).
    ///
    /// # Errors
    /// [`DeviceError`] when no such device exists or it cannot be opened.
    pub fn open(name: Option<&str>) -> Result<Self, DeviceError> {
        let (queue, rate, stop) = open_card(name, DeviceDirection::Input, |plan| {
            let StreamPlan {
                device,
                config,
                format,
                channels,
                queue,
            } = plan;
            if format == SampleFormat::I16 {
                device.build_input_stream(
                    config,
                    move |data: &[i16], _| capture(&queue, data, channels, |s| s),
                    log_stream_error,
                    Some(OPEN_TIMEOUT),
                )
            } else {
                device.build_input_stream(
                    config,
                    move |data: &[f32], _| {
                        capture(&queue, data, channels, |s| {
                            (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16
                        })
                    },
                    log_stream_error,
                    Some(OPEN_TIMEOUT),
                )
            }
        })?;
        Ok(Self {
            queue,
            rate,
            _stop: stop,
        })
    }
}

impl AudioInput for CardInput {
    fn sample_rate(&self) -> u32 {
        self.rate
    }

    fn read(&mut self, frame: &mut [i16]) -> usize {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let available = queue.len().min(frame.len());
        for (slot, sample) in frame.iter_mut().zip(queue.drain(..available)) {
            *slot = sample;
        }
        frame[available..].fill(0);
        available
    }
}

/// A sound card's speaker.
pub struct CardOutput {
    queue: Queue,
    rate: u32,
    _stop: mpsc::Sender<()>,
}

impl std::fmt::Debug for CardOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardOutput({} Hz)", self.rate)
    }
}

/// Fills interleaved frames from the queue (every channel the same), silence when empty.
fn play<T: Copy>(
    queue: &Queue,
    data: &mut [T],
    channels: usize,
    silence: T,
    convert: impl Fn(i16) -> T,
) {
    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
    for frame in data.chunks_mut(channels.max(1)) {
        let value = queue.pop_front().map_or(silence, &convert);
        frame.fill(value);
    }
}

impl CardOutput {
    /// Opens the speaker `name` (id or name; `None`: the default).
    ///
    /// # Errors
    /// [`DeviceError`] when no such device exists or it cannot be opened.
    pub fn open(name: Option<&str>) -> Result<Self, DeviceError> {
        let (queue, rate, stop) = open_card(name, DeviceDirection::Output, |plan| {
            let StreamPlan {
                device,
                config,
                format,
                channels,
                queue,
            } = plan;
            if format == SampleFormat::I16 {
                device.build_output_stream(
                    config,
                    move |data: &mut [i16], _| play(&queue, data, channels, 0, |s| s),
                    log_stream_error,
                    Some(OPEN_TIMEOUT),
                )
            } else {
                device.build_output_stream(
                    config,
                    move |data: &mut [f32], _| {
                        play(&queue, data, channels, 0.0, |s| f32::from(s) / 32768.0)
                    },
                    log_stream_error,
                    Some(OPEN_TIMEOUT),
                )
            }
        })?;
        Ok(Self {
            queue,
            rate,
            _stop: stop,
        })
    }
}

impl AudioOutput for CardOutput {
    fn sample_rate(&self) -> u32 {
        self.rate
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), DeviceError> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.extend(samples);
        let excess = queue.len().saturating_sub(MAX_QUEUED_OUT);
        queue.drain(..excess);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_the_first_channel_and_stays_bounded() {
        let queue = Queue::default();
        capture(&queue, &[1i16, 100, 2, 200, 3, 300], 2, |s| s);
        assert_eq!(
            queue.lock().unwrap().iter().copied().collect::<Vec<_>>(),
            [1, 2, 3]
        );
        capture(&queue, &vec![7i16; MAX_QUEUED_IN * 2], 1, |s| s);
        assert_eq!(queue.lock().unwrap().len(), MAX_QUEUED_IN);
    }

    #[test]
    fn playback_fills_every_channel_then_silence() {
        let queue = Queue::default();
        queue.lock().unwrap().extend([5i16, 6]);
        let mut data = [9.0f32; 6];
        play(&queue, &mut data, 2, 0.0, f32::from);
        assert_eq!(data, [5.0, 5.0, 6.0, 6.0, 0.0, 0.0]);
    }
}
