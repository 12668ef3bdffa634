//! Echo cancellation and noise suppression for sound cards: WebRTC's audio processing
//! module (`webrtc-audio-processing` over Debian's libwebrtc-audio-processing), at 48 kHz in
//! 10 ms blocks. What the speaker plays is the echo reference; what the microphone hears is
//! cleaned before it is encoded.

use webrtc_audio_processing::{
    Config, EchoCancellation, EchoCancellationSuppressionLevel, InitializationConfig,
    NUM_SAMPLES_PER_FRAME, NoiseSuppression, NoiseSuppressionLevel, Processor,
};

/// The only rate the processing runs at.
pub const PROCESSING_RATE: u32 = 48_000;
const BLOCK: usize = NUM_SAMPLES_PER_FRAME as usize;

/// Why the processing could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("echo cancellation / noise suppression: {0}")]
pub struct ProcessingError(String);

/// The voice processing of one call's microphone and speaker.
pub struct VoiceProcessing {
    processor: Processor,
    block: Vec<f32>,
    render_pending: Vec<i16>,
}

impl std::fmt::Debug for VoiceProcessing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VoiceProcessing")
    }
}

fn to_float(samples: &[i16], block: &mut Vec<f32>) {
    block.clear();
    block.extend(samples.iter().map(|&s| f32::from(s) / 32768.0));
}

impl VoiceProcessing {
    /// Processing with echo cancellation and/or noise suppression; `None` when both are off.
    ///
    /// # Errors
    /// [`ProcessingError`] when the library cannot start.
    pub fn new(echo: bool, noise: bool) -> Result<Option<Self>, ProcessingError> {
        if !echo && !noise {
            return Ok(None);
        }
        let mut processor = Processor::new(&InitializationConfig {
            num_capture_channels: 1,
            num_render_channels: 1,
            ..InitializationConfig::default()
        })
        .map_err(|e| ProcessingError(format!("{e:?}")))?;
        processor.set_config(Config {
            echo_cancellation: echo.then_some(EchoCancellation {
                suppression_level: EchoCancellationSuppressionLevel::High,
                // The sound card's delay is unknown: let the library find it.
                enable_delay_agnostic: true,
                enable_extended_filter: true,
                stream_delay_ms: None,
            }),
            noise_suppression: noise.then_some(NoiseSuppression {
                suppression_level: NoiseSuppressionLevel::High,
            }),
            enable_high_pass_filter: true,
            ..Config::default()
        });
        Ok(Some(Self {
            processor,
            block: Vec::with_capacity(BLOCK),
            render_pending: Vec::with_capacity(BLOCK * 4),
        }))
    }

    /// What the speaker is about to play (48 kHz, any length): the echo to expect.
    pub fn render(&mut self, samples: &[i16]) {
        self.render_pending.extend_from_slice(samples);
        let mut start = 0;
        while self.render_pending.len() - start >= BLOCK {
            to_float(&self.render_pending[start..start + BLOCK], &mut self.block);
            if let Err(error) = self.processor.process_render_frame(&mut self.block) {
                tracing::debug!(target: "audio", ?error, "echo reference block skipped");
            }
            start += BLOCK;
        }
        self.render_pending.drain(..start);
    }

    /// Cleans what the microphone heard (48 kHz, whole 10 ms blocks) in place; a partial
    /// block at the end is left as it is.
    pub fn capture(&mut self, frame: &mut [i16]) {
        for chunk in frame.chunks_exact_mut(BLOCK) {
            to_float(chunk, &mut self.block);
            if self
                .processor
                .process_capture_frame(&mut self.block)
                .is_ok()
            {
                for (slot, value) in chunk.iter_mut().zip(&self.block) {
                    *slot = (value * 32768.0).clamp(-32768.0, 32767.0) as i16;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::analysis::{power_at, sine};

    const FRAME: usize = 960;

    #[test]
    fn the_far_end_echo_is_cancelled_from_the_microphone() {
        let mut processing = VoiceProcessing::new(true, false).unwrap().unwrap();
        let seconds = 6;
        // The far end talks (a 1 kHz tone); the microphone picks up the speaker, 30 ms late
        // and a bit quieter, and nothing else.
        let far = sine(48_000, 1000.0, 8000.0, 48_000 * seconds);
        let delay = 48 * 30;
        let mut cleaned = Vec::new();
        for (i, speaker) in far.chunks(FRAME).enumerate() {
            processing.render(speaker);
            let mut mic: Vec<i16> = (0..FRAME)
                .map(|j| {
                    let t = i * FRAME + j;
                    if t >= delay { far[t - delay] / 2 } else { 0 }
                })
                .collect();
            processing.capture(&mut mic);
            cleaned.extend(mic);
        }
        let before = power_at(&far[far.len() - 48_000..], 48_000, 1000.0) / 4.0;
        let after = power_at(&cleaned[cleaned.len() - 48_000..], 48_000, 1000.0);
        let reduction_db = 10.0 * (before / after.max(1e-9)).log10();
        assert!(
            reduction_db > 20.0,
            "echo reduced by only {reduction_db:.1} dB"
        );
    }

    #[test]
    fn noise_is_suppressed_and_the_voice_kept() {
        let mut processing = VoiceProcessing::new(false, true).unwrap().unwrap();
        let mut rng = StdRng::seed_from_u64(11);
        let seconds = 8;
        // Speech-like: a tone that comes and goes (1 s each), over steady hiss.
        let voice = sine(48_000, 440.0, 6000.0, 48_000 * seconds);
        let noisy: Vec<i16> = voice
            .iter()
            .enumerate()
            .map(|(t, &v)| {
                let talking = (t / 48_000) % 2 == 1;
                let hiss: i16 = rng.random_range(-1500..=1500);
                if talking { v + hiss } else { hiss }
            })
            .collect();
        let mut cleaned = noisy.clone();
        for frame in cleaned.chunks_mut(FRAME) {
            processing.capture(frame);
        }
        // The end of the last pause (6.5–7.0 s): hiss only; the last word (7–8 s): tone.
        let pause = 48_000 * 6 + 24_000..48_000 * 7;
        let word = 48_000 * 7..48_000 * 8;
        let energy = |s: &[i16]| s.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
        let hiss_db =
            10.0 * (energy(&noisy[pause.clone()]) / energy(&cleaned[pause]).max(1.0)).log10();
        let voice_kept =
            power_at(&cleaned[word.clone()], 48_000, 440.0) / power_at(&noisy[word], 48_000, 440.0);
        assert!(hiss_db > 10.0, "hiss reduced by only {hiss_db:.1} dB");
        assert!(
            voice_kept > 0.5,
            "only {:.0} % of the voice kept",
            voice_kept * 100.0
        );
    }
}
