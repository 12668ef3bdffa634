//! Call recording: both directions mixed into one mono WAV file at the codec's rate.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use hound::{SampleFormat, WavSpec, WavWriter};

/// How often (in 20 ms frames) the WAV header is brought up to date, so a crash loses at
/// most a second of the recording.
const HEADER_EVERY_FRAMES: u32 = 50;

/// Why a recording could not start or continue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("recording to {path}: {reason}")]
pub struct RecordError {
    path: PathBuf,
    reason: String,
}

/// A recording in progress.
pub struct Recorder {
    path: PathBuf,
    writer: WavWriter<BufWriter<File>>,
    frames: u32,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recorder({})", self.path.display())
    }
}

impl Recorder {
    /// Starts a recording at `path` (its folder is created) with `rate` samples per second.
    ///
    /// # Errors
    /// [`RecordError`] when the folder or file cannot be created.
    pub fn create(path: &Path, rate: u32) -> Result<Self, RecordError> {
        let error = |reason: String| RecordError {
            path: path.to_owned(),
            reason,
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| error(e.to_string()))?;
        }
        let spec = WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: SampleFormat::Int,
        };
        let writer = WavWriter::create(path, spec).map_err(|e| error(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            writer,
            frames: 0,
        })
    }

    /// Adds one frame: what we sent and what we heard, mixed.
    ///
    /// # Errors
    /// [`RecordError`] when the disk refuses the write.
    pub fn write(&mut self, sent: &[i16], heard: &[i16]) -> Result<(), RecordError> {
        let error = |e: hound::Error| RecordError {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        let len = sent.len().max(heard.len());
        let mut result = Ok(());
        for i in 0..len {
            let a = i32::from(sent.get(i).copied().unwrap_or(0));
            let b = i32::from(heard.get(i).copied().unwrap_or(0));
            let mixed = (a + b).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
            if let Err(e) = self.writer.write_sample(mixed) {
                result = Err(e);
                break;
            }
        }
        result.map_err(error)?;
        self.frames += 1;
        if self.frames.is_multiple_of(HEADER_EVERY_FRAMES) {
            self.writer.flush().map_err(error)?;
        }
        Ok(())
    }

    /// Ends the recording, writing the final header.
    ///
    /// # Errors
    /// [`RecordError`] when the last write fails.
    pub fn finish(self) -> Result<PathBuf, RecordError> {
        let path = self.path;
        self.writer.finalize().map_err(|e| RecordError {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_are_mixed_and_clipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls/one.wav");
        let mut recorder = Recorder::create(&path, 8000).unwrap();
        recorder.write(&[100, 30_000, -5], &[1, 30_000]).unwrap();
        recorder.finish().unwrap();
        let samples: Vec<i16> = hound::WavReader::open(&path)
            .unwrap()
            .into_samples()
            .map(Result::unwrap)
            .collect();
        assert_eq!(samples, [101, i16::MAX, -5]);
    }
}
