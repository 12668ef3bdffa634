//! Test tones in WAV files, and finding them again in recordings.

use std::path::Path;

pub use wink_media::analysis::TonePresence;
use wink_media::analysis::{sine, tone_presence};

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

/// Reads a WAV recording (first channel) and scans it for `hz`.
pub fn find_tone(path: &Path, hz: f32) -> TonePresence {
    let reader = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("{} is not a readable WAV file: {e}", path.display()));
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let samples: Vec<i16> = reader
        .into_samples::<i16>()
        .step_by(channels)
        .map(|s| s.expect("a readable sample"))
        .collect();
    tone_presence(&samples, spec.sample_rate, hz)
}
