//! Test tones in WAV files, and finding them again in recordings.

use std::path::Path;

pub use wink_media::analysis::TonePresence;
use wink_media::analysis::{power_at, sine, tone_presence};

/// Writes `seconds` of a `hz` sine (mono, 16-bit, 48 kHz, about -12 dBFS) to `path`.
pub fn write_tone(path: &Path, hz: f32, seconds: u32) {
    let rate = 48_000;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("the tone file can be written");
    for sample in sine(rate, hz, 8000.0, (rate * seconds) as usize) {
        writer
            .write_sample(sample)
            .expect("the tone file can be written");
    }
    writer.finalize().expect("the tone file can be written");
}

/// The first channel of a WAV file, and its rate.
fn read_wav(path: &Path) -> (Vec<i16>, u32) {
    let reader = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("{} is not a readable WAV file: {e}", path.display()));
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let samples: Vec<i16> = reader
        .into_samples::<i16>()
        .step_by(channels)
        .map(|s| s.expect("a readable sample"))
        .collect();
    (samples, spec.sample_rate)
}

/// Reads a WAV recording (first channel) and scans it for `hz`.
pub fn find_tone(path: &Path, hz: f32) -> TonePresence {
    let (samples, rate) = read_wav(path);
    tone_presence(&samples, rate, hz)
}

/// In the last `seconds` of a recording, the power at `hz` over the power at `reference_hz`
/// (a pitch nobody plays): far above 1 when the tone is there, even mixed with others.
pub fn tone_over_reference(path: &Path, hz: f32, reference_hz: f32, seconds: u32) -> f64 {
    let (samples, rate) = read_wav(path);
    let start = samples.len().saturating_sub((rate * seconds) as usize);
    ratio(&samples[start..], rate, hz, reference_hz)
}

/// The same for the part of a recording from `from` to `to` seconds after its start (cut
/// to the recording's length).
pub fn tone_over_reference_between(
    path: &Path,
    hz: f32,
    reference_hz: f32,
    from: u32,
    to: u32,
) -> f64 {
    let (samples, rate) = read_wav(path);
    let at = |second: u32| ((rate * second) as usize).min(samples.len());
    ratio(&samples[at(from)..at(to)], rate, hz, reference_hz)
}

fn ratio(samples: &[i16], rate: u32, hz: f32, reference_hz: f32) -> f64 {
    power_at(samples, rate, hz) / power_at(samples, rate, reference_hz).max(1.0)
}
