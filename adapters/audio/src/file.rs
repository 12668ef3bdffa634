//! WAV files as devices: a file plays as the microphone, another records the speaker.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};
use wink_ports::{AudioInput, AudioOutput, DeviceError};

/// How often (in writes, i.e. 20 ms frames) the WAV header is brought up to date, so a
/// crash loses at most this much of a recording.
const HEADER_EVERY_WRITES: u32 = 50;

/// A WAV file played as the microphone, mixed down to mono; silence after its end.
pub struct WavFileInput {
    samples: std::vec::IntoIter<i16>,
    rate: u32,
}

impl std::fmt::Debug for WavFileInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WavFileInput({} Hz)", self.rate)
    }
}

impl WavFileInput {
    /// Opens and reads `path` (16/24/32-bit integer or 32-bit float PCM, any rate, any
    /// channel count).
    ///
    /// # Errors
    /// [`DeviceError::NotFound`] for a missing file, [`DeviceError::Failed`] for one that is
    /// not a WAV file we can read (with the reason).
    pub fn open(path: &Path) -> Result<Self, DeviceError> {
        if !path.exists() {
            return Err(DeviceError::NotFound(format!("file:{}", path.display())));
        }
        let reader = WavReader::open(path)
            .map_err(|e| DeviceError::Failed(format!("{}: {e}", path.display())))?;
        let spec = reader.spec();
        let interleaved = read_as_i16(reader, spec)
            .map_err(|e| DeviceError::Failed(format!("{}: {e}", path.display())))?;
        let channels = usize::from(spec.channels.max(1));
        let mono: Vec<i16> = interleaved
            .chunks(channels)
            .map(|frame| {
                let sum: i32 = frame.iter().map(|&s| i32::from(s)).sum();
                // The mean of i16 values is an i16.
                (sum / frame.len() as i32) as i16
            })
            .collect();
        Ok(Self {
            samples: mono.into_iter(),
            rate: spec.sample_rate,
        })
    }
}

fn read_as_i16(
    reader: WavReader<std::io::BufReader<File>>,
    spec: WavSpec,
) -> Result<Vec<i16>, hound::Error> {
    match (spec.sample_format, spec.bits_per_sample) {
        (SampleFormat::Float, _) => reader
            .into_samples::<f32>()
            .map(|s| s.map(|v| (v.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16))
            .collect(),
        (SampleFormat::Int, bits) if bits <= 16 => reader.into_samples::<i16>().collect(),
        (SampleFormat::Int, bits) => {
            let shift = u32::from(bits) - 16;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| (v >> shift) as i16))
                .collect()
        }
    }
}

impl AudioInput for WavFileInput {
    fn sample_rate(&self) -> u32 {
        self.rate
    }

    fn read(&mut self, frame: &mut [i16]) -> usize {
        let mut real = 0;
        for slot in frame.iter_mut() {
            match self.samples.next() {
                Some(sample) => {
                    *slot = sample;
                    real += 1;
                }
                None => *slot = 0,
            }
        }
        real
    }
}

/// What the call hears, written to a mono 16-bit WAV file.
pub struct WavFileOutput {
    writer: WavWriter<BufWriter<File>>,
    rate: u32,
    writes: u32,
}

impl std::fmt::Debug for WavFileOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WavFileOutput({} Hz)", self.rate)
    }
}

impl WavFileOutput {
    /// Creates (or replaces) `path`.
    ///
    /// # Errors
    /// [`DeviceError::Failed`] when the file cannot be created.
    pub fn create(path: &Path, rate: u32) -> Result<Self, DeviceError> {
        let spec = WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        let writer = WavWriter::create(path, spec)
            .map_err(|e| DeviceError::Failed(format!("{}: {e}", path.display())))?;
        Ok(Self {
            writer,
            rate,
            writes: 0,
        })
    }
}

impl AudioOutput for WavFileOutput {
    fn sample_rate(&self) -> u32 {
        self.rate
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), DeviceError> {
        let failed = |e: hound::Error| DeviceError::Failed(format!("writing the WAV file: {e}"));
        for &sample in samples {
            self.writer.write_sample(sample).map_err(failed)?;
        }
        self.writes += 1;
        if self.writes.is_multiple_of(HEADER_EVERY_WRITES) {
            self.writer.flush().map_err(failed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stereo_file_plays_as_mono_then_silence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.wav");
        let spec = WavSpec {
            channels: 2,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        let mut writer = WavWriter::create(&path, spec).unwrap();
        for (l, r) in [(100i16, 300i16), (-50, -150)] {
            writer.write_sample(l).unwrap();
            writer.write_sample(r).unwrap();
        }
        writer.finalize().unwrap();

        let mut input = WavFileInput::open(&path).unwrap();
        assert_eq!(input.sample_rate(), 16_000);
        let mut frame = [7i16; 4];
        assert_eq!(input.read(&mut frame), 2);
        assert_eq!(frame, [200, -100, 0, 0]);
    }

    #[test]
    fn what_is_written_reads_back_even_before_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        let mut output = WavFileOutput::create(&path, 8_000).unwrap();
        for _ in 0..HEADER_EVERY_WRITES {
            output.write(&[1, 2, 3]).unwrap();
        }
        // Not finalized: the periodic header update makes the file readable as it is.
        let reader = WavReader::open(&path).unwrap();
        assert_eq!(reader.len(), 3 * HEADER_EVERY_WRITES);
        drop(output);
        let reader = WavReader::open(&path).unwrap();
        assert_eq!(reader.spec().sample_rate, 8_000);
    }

    #[test]
    fn missing_and_garbage_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.wav");
        assert!(matches!(
            WavFileInput::open(&missing),
            Err(DeviceError::NotFound(_))
        ));
        let garbage = dir.path().join("garbage.wav");
        std::fs::write(&garbage, b"not a wav file at all").unwrap();
        let Err(DeviceError::Failed(reason)) = WavFileInput::open(&garbage) else {
            panic!("garbage accepted")
        };
        assert!(reason.contains("garbage.wav"), "{reason}");
    }
}
