//! WAV files as devices: a file plays as the microphone, another records the speaker.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};
use wink_ports::{AudioInput, AudioOutput, DeviceError};

/// How often (in writes, i.e. 20 ms frames) the WAV header is brought up to date, so a
/// crash loses at most this much of a recording.
const HEADER_EVERY_WRITES: u32 = 50;

/// A WAV file played as the microphone, mixed down to mono; silence after its end. The
/// file is read as the call goes, never held in memory whole.
pub struct WavFileInput {
    reader: WavReader<std::io::BufReader<File>>,
    spec: WavSpec,
    ended: bool,
}

impl std::fmt::Debug for WavFileInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WavFileInput({} Hz)", self.spec.sample_rate)
    }
}

impl WavFileInput {
    /// Opens `path` (16/24/32-bit integer or 32-bit float PCM, any rate, any channel
    /// count).
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
        let supported = match spec.sample_format {
            SampleFormat::Float => spec.bits_per_sample == 32,
            SampleFormat::Int => (8..=32).contains(&spec.bits_per_sample),
        };
        if !supported || spec.channels == 0 || spec.sample_rate == 0 {
            return Err(DeviceError::Failed(format!(
                "{}: unsupported WAV format ({} channels, {} Hz, {}-bit {:?})",
                path.display(),
                spec.channels,
                spec.sample_rate,
                spec.bits_per_sample,
                spec.sample_format
            )));
        }
        Ok(Self {
            reader,
            spec,
            ended: false,
        })
    }

    /// The next sample of the file as 16-bit, or `None` at its end (or a damaged tail).
    fn next_sample(&mut self) -> Option<i16> {
        match (self.spec.sample_format, self.spec.bits_per_sample) {
            (SampleFormat::Float, _) => self
                .reader
                .samples::<f32>()
                .next()?
                .ok()
                .map(|v| (v.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16),
            (SampleFormat::Int, bits) if bits <= 16 => {
                let shift = 16 - u32::from(bits);
                self.reader
                    .samples::<i16>()
                    .next()?
                    .ok()
                    .map(|v| v << shift)
            }
            (SampleFormat::Int, bits) => {
                let shift = u32::from(bits) - 16;
                self.reader
                    .samples::<i32>()
                    .next()?
                    .ok()
                    .map(|v| (v >> shift) as i16)
            }
        }
    }
}

impl AudioInput for WavFileInput {
    fn sample_rate(&self) -> u32 {
        self.spec.sample_rate
    }

    fn read(&mut self, frame: &mut [i16]) -> usize {
        let channels = i32::from(self.spec.channels);
        let mut real = 0;
        for slot in frame.iter_mut() {
            *slot = 0;
            if self.ended {
                continue;
            }
            let mut sum = 0i32;
            for _ in 0..channels {
                match self.next_sample() {
                    Some(sample) => sum += i32::from(sample),
                    None => self.ended = true,
                }
            }
            if !self.ended {
                // The mean of i16 values is an i16.
                *slot = (sum / channels) as i16;
                real += 1;
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
    fn deep_and_float_files_play_as_16_bit() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("deep.wav");
        let spec = WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 24,
            sample_format: SampleFormat::Int,
        };
        let mut writer = WavWriter::create(&deep, spec).unwrap();
        writer.write_sample(0x12_3400i32).unwrap();
        writer.finalize().unwrap();
        let float = dir.path().join("float.wav");
        let spec = WavSpec {
            bits_per_sample: 32,
            sample_format: SampleFormat::Float,
            ..spec
        };
        let mut writer = WavWriter::create(&float, spec).unwrap();
        writer.write_sample(0.5f32).unwrap();
        writer.write_sample(-2.0f32).unwrap();
        writer.finalize().unwrap();

        let mut frame = [0i16; 3];
        assert_eq!(WavFileInput::open(&deep).unwrap().read(&mut frame), 1);
        assert_eq!(frame, [0x1234, 0, 0]);
        assert_eq!(WavFileInput::open(&float).unwrap().read(&mut frame), 2);
        assert_eq!(frame, [16_383, -32_767, 0]);
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
