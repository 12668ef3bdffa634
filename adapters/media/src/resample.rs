//! Sample-rate conversion between a device and a codec (`rubato`'s synchronous FFT
//! resampler: fixed ratios such as 48 kHz ↔ 8/16 kHz are exactly what it is made for).
//!
//! Block size is a trade between delay (half an output FFT block) and the top of the band
//! (a small block widens the filter's transition). Blocks are [`MIN_BLOCK`] frames on the
//! codec's side: G.711 keeps 3.4 kHz and G.722 7 kHz at full level both ways, with 10 ms of
//! delay at 8 kHz and 5 ms at 16 kHz per direction. rubato's default (~256-frame blocks)
//! took a 3 kHz tone from the microphone to 8 kHz at half its level (-6 dB), and 80-frame
//! blocks kept 32 % of 3.4 kHz.

use std::collections::VecDeque;

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler as _, WindowFunction};

use crate::codec::PACKETS_PER_SECOND;

/// The smallest FFT block, in input frames, that keeps the top of the voice band.
const MIN_BLOCK: usize = 160;

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
            // Blocks of MIN_BLOCK frames on the narrow side (the codec's).
            let narrow_chunk = chunk.min(chunk * to as usize / from as usize);
            let fft = Fft::<f32>::new_custom(
                from as usize,
                to as usize,
                chunk,
                (narrow_chunk / MIN_BLOCK).max(1),
                1,
                WindowFunction::BlackmanHarris2,
                FixedSync::Input,
            )
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

    /// The RMS level of `samples`.
    fn level(samples: &[i16]) -> f64 {
        (samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
    }

    /// The level of a `tone` at `from` Hz after conversion to `to` Hz, against its level
    /// before (the second half, past the start-up).
    fn kept_level(from: u32, to: u32, tone: f32) -> f64 {
        let input = sine(from, tone, 10_000.0, from as usize);
        let mut resampler = StreamResampler::new(from, to).unwrap();
        let mut out = Vec::new();
        for frame in input.chunks(from as usize / 50) {
            resampler.push(frame);
            resampler.drain_into(&mut out);
        }
        level(&out[out.len() / 2..]) / level(&input[input.len() / 2..])
    }

    #[test]
    fn the_top_of_the_voice_band_keeps_its_level_both_ways() {
        // The top of each codec's band: G.711 to 3.4 kHz, G.722 to 7 kHz.
        for (rate, tone) in [(8_000, 3_400.0), (16_000, 7_000.0)] {
            let up = kept_level(rate, 48_000, tone);
            let down = kept_level(48_000, rate, tone);
            assert!(up > 0.9, "{tone} Hz from {rate} Hz to the speaker: {up:.2}");
            assert!(
                down > 0.9,
                "{tone} Hz from the microphone to {rate} Hz: {down:.2}"
            );
        }
    }

    #[test]
    fn the_delay_is_half_a_block_of_the_codec_side() {
        // 160-frame blocks on the codec side: 10 ms at 8 kHz, 5 ms at 16 kHz (rubato's
        // default blocks delayed 10 ms from 16 kHz too).
        for (from, to, delay) in [
            (8_000, 48_000, 480),
            (16_000, 48_000, 240),
            (48_000, 8_000, 80),
            (48_000, 16_000, 80),
        ] {
            let resampler = StreamResampler::new(from, to).unwrap();
            let fft = resampler.fft.as_ref().unwrap();
            assert_eq!(fft.output_delay(), delay, "{from} -> {to}");
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
