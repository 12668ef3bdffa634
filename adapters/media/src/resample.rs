//! Sample-rate conversion between a device and a codec (`rubato`'s synchronous FFT
//! resampler: fixed ratios such as 48 kHz ↔ 8/16 kHz are exactly what it is made for).

use std::collections::VecDeque;

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler as _};

use crate::codec::PACKETS_PER_SECOND;

/// Why a resampler could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot resample {from} Hz to {to} Hz: {reason}")]
pub struct ResampleError {
    from: u32,
    to: u32,
    reason: String,
}

/// Converts a stream of mono samples from one rate to another; whole samples in, whole
/// frames out.
pub struct StreamResampler {
    fft: Option<Box<Fft<f32>>>,
    chunk: usize,
    pending: Vec<f32>,
    scratch: Vec<f32>,
    ready: VecDeque<i16>,
}

impl std::fmt::Debug for StreamResampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StreamResampler(chunk {})", self.chunk)
    }
}

impl StreamResampler {
    /// A converter from `from` Hz to `to` Hz (a pass-through when they are equal).
    ///
    /// # Errors
    /// [`ResampleError`] for a rate of zero or one rubato refuses.
    pub fn new(from: u32, to: u32) -> Result<Self, ResampleError> {
        let error = |reason: String| ResampleError { from, to, reason };
        if from == 0 || to == 0 {
            return Err(error("a rate of zero".into()));
        }
        let chunk = (from / PACKETS_PER_SECOND).max(1) as usize;
        let fft = if from == to {
            None
        } else {
            let fft = Fft::<f32>::new(from as usize, to as usize, chunk, 1, FixedSync::Input)
                .map_err(|e| error(e.to_string()))?;
            Some(Box::new(fft))
        };
        Ok(Self {
            fft,
            chunk,
            pending: Vec::with_capacity(chunk),
            scratch: Vec::new(),
            ready: VecDeque::new(),
        })
    }

    /// Feeds samples at the input rate.
    pub fn push(&mut self, samples: &[i16]) {
        let Some(fft) = &mut self.fft else {
            self.ready.extend(samples);
            return;
        };
        for &sample in samples {
            self.pending.push(f32::from(sample) / 32768.0);
            if self.pending.len() < self.chunk {
                continue;
            }
            self.scratch.resize(fft.output_frames_next(), 0.0);
            let frames_out = self.scratch.len();
            let processed = match (
                InterleavedSlice::new(&self.pending, 1, self.chunk),
                InterleavedSlice::new_mut(&mut self.scratch, 1, frames_out),
            ) {
                (Ok(input), Ok(mut output)) => fft.process_into_buffer(&input, &mut output, None),
                _ => Ok((0, 0)),
            };
            if let Ok((_, produced)) = processed {
                self.ready.extend(
                    self.scratch[..produced]
                        .iter()
                        .map(|&v| (v * 32768.0).clamp(-32768.0, 32767.0) as i16),
                );
            }
            self.pending.clear();
        }
    }

    /// Samples ready at the output rate.
    pub fn available(&self) -> usize {
        self.ready.len()
    }

    /// Fills `frame` if enough samples are ready; otherwise leaves them and returns `false`.
    pub fn pop_frame(&mut self, frame: &mut [i16]) -> bool {
        if self.ready.len() < frame.len() {
            return false;
        }
        let wanted = frame.len();
        for (slot, sample) in frame.iter_mut().zip(self.ready.drain(..wanted)) {
            *slot = sample;
        }
        true
    }

    /// Takes every ready sample.
    pub fn drain_into(&mut self, out: &mut Vec<i16>) {
        out.extend(self.ready.drain(..));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{power_at, sine};

    #[test]
    fn down_and_up_keep_the_tone_and_the_rate() {
        for (from, to) in [(48_000, 8_000), (8_000, 48_000), (44_100, 16_000)] {
            let mut resampler = StreamResampler::new(from, to).unwrap();
            // One second, fed in odd-sized pieces.
            let input = sine(from, 1000.0, 10_000.0, from as usize);
            for piece in input.chunks(333) {
                resampler.push(piece);
            }
            let mut out = Vec::new();
            resampler.drain_into(&mut out);
            let expected = to as usize;
            assert!(
                out.len() + to as usize / 10 >= expected && out.len() <= expected,
                "{from}->{to}: {} samples",
                out.len()
            );
            let tail = &out[out.len() / 2..];
            assert!(
                power_at(tail, to, 1000.0) > 100.0 * power_at(tail, to, 1500.0),
                "{from}->{to}: the 1 kHz tone is gone"
            );
        }
    }

    #[test]
    fn frames_come_out_whole() {
        let mut resampler = StreamResampler::new(16_000, 16_000).unwrap();
        resampler.push(&[1; 300]);
        let mut frame = [0i16; 320];
        assert!(!resampler.pop_frame(&mut frame));
        resampler.push(&[1; 20]);
        assert!(resampler.pop_frame(&mut frame));
        assert_eq!(resampler.available(), 0);
        assert!(StreamResampler::new(0, 8000).is_err());
    }
}
