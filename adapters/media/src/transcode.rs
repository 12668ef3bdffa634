//! Encoders and decoders behind one interface: Opus through libopus (the `opus` crate:
//! FEC and packet-loss concealment), G.722 and G.711 through `audio-codec`.

use crate::codec::CodecKind;

/// The largest Opus packet we produce (RFC 7587 suggests well under the MTU).
const MAX_OPUS_PACKET: usize = 1275;
/// The longest Opus packet we decode: 120 ms at 48 kHz.
const MAX_OPUS_SAMPLES: usize = 5760;
/// The Opus bitrate for speech, bits per second.
const OPUS_BITRATE: i32 = 32_000;
/// Each concealed G.7xx frame is this much quieter than the one before.
const CONCEALMENT_FADE: f32 = 0.5;

/// Why a codec could not start or a packet could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{codec:?}: {reason}")]
pub struct CodecError {
    codec: CodecKind,
    reason: String,
}

impl CodecError {
    fn new(codec: CodecKind, reason: impl ToString) -> Self {
        Self {
            codec,
            reason: reason.to_string(),
        }
    }
}

/// Turns 20 ms frames of samples into payloads.
pub enum AudioEncoder {
    /// libopus.
    Opus(Box<opus::Encoder>),
    /// G.722 or G.711.
    G7xx(CodecKind, Box<dyn audio_codec::Encoder>),
}

impl AudioEncoder {
    /// An encoder for `codec`.
    ///
    /// # Errors
    /// [`CodecError`] when libopus refuses its settings.
    pub fn new(codec: CodecKind) -> Result<Self, CodecError> {
        let g7xx = |kind| audio_codec::create_encoder(kind);
        Ok(match codec {
            CodecKind::Opus => {
                let fail = |e: opus::Error| CodecError::new(codec, e);
                let mut encoder =
                    opus::Encoder::new(48_000, opus::Channels::Mono, opus::Application::Voip)
                        .map_err(fail)?;
                encoder.set_inband_fec(true).map_err(fail)?;
                encoder.set_packet_loss_perc(10).map_err(fail)?;
                encoder
                    .set_bitrate(opus::Bitrate::Bits(OPUS_BITRATE))
                    .map_err(fail)?;
                AudioEncoder::Opus(Box::new(encoder))
            }
            CodecKind::G722 => AudioEncoder::G7xx(codec, g7xx(audio_codec::CodecType::G722)),
            CodecKind::Pcma => AudioEncoder::G7xx(codec, g7xx(audio_codec::CodecType::PCMA)),
            CodecKind::Pcmu => AudioEncoder::G7xx(codec, g7xx(audio_codec::CodecType::PCMU)),
        })
    }

    /// Encodes one frame ([`CodecKind::frame_samples`] samples) into `out`.
    ///
    /// # Errors
    /// [`CodecError`] when the codec fails on this frame.
    pub fn encode(&mut self, frame: &[i16], out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self {
            AudioEncoder::Opus(encoder) => {
                out.resize(MAX_OPUS_PACKET, 0);
                let n = encoder
                    .encode(frame, out)
                    .map_err(|e| CodecError::new(CodecKind::Opus, e))?;
                out.truncate(n);
            }
            AudioEncoder::G7xx(codec, encoder) => {
                out.resize(encoder.max_encode_bytes(frame.len()), 0);
                let n = encoder
                    .encode_into(frame, out)
                    .map_err(|e| CodecError::new(*codec, format!("{e:?}")))?;
                out.truncate(n);
            }
        }
        Ok(())
    }
}

/// Turns payloads into samples, and hides lost packets.
pub enum AudioDecoder {
    /// libopus.
    Opus(Box<opus::Decoder>),
    /// G.722 or G.711, with the last frame kept for concealment.
    G7xx {
        /// Which codec.
        codec: CodecKind,
        /// The decoder.
        decoder: Box<dyn audio_codec::Decoder>,
        /// The last frame played (faded on each concealment).
        last: Vec<i16>,
    },
}

impl AudioDecoder {
    /// A decoder for `codec`.
    ///
    /// # Errors
    /// [`CodecError`] when libopus cannot start.
    pub fn new(codec: CodecKind) -> Result<Self, CodecError> {
        let g7xx = |kind| AudioDecoder::G7xx {
            codec,
            decoder: audio_codec::create_decoder(kind),
            last: Vec::new(),
        };
        Ok(match codec {
            CodecKind::Opus => AudioDecoder::Opus(Box::new(
                opus::Decoder::new(48_000, opus::Channels::Mono)
                    .map_err(|e| CodecError::new(codec, e))?,
            )),
            CodecKind::G722 => g7xx(audio_codec::CodecType::G722),
            CodecKind::Pcma => g7xx(audio_codec::CodecType::PCMA),
            CodecKind::Pcmu => g7xx(audio_codec::CodecType::PCMU),
        })
    }

    /// Decodes one payload, appending the samples to `out`.
    ///
    /// # Errors
    /// [`CodecError`] for a payload the codec cannot read (the caller conceals instead).
    pub fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<(), CodecError> {
        match self {
            AudioDecoder::Opus(decoder) => {
                let start = out.len();
                out.resize(start + MAX_OPUS_SAMPLES, 0);
                let decoded = decoder.decode(payload, &mut out[start..], false);
                let n = decoded.map_err(|e| {
                    out.truncate(start);
                    CodecError::new(CodecKind::Opus, e)
                })?;
                out.truncate(start + n);
            }
            AudioDecoder::G7xx {
                codec,
                decoder,
                last,
            } => {
                let start = out.len();
                out.resize(start + decoder.max_decode_samples(payload.len()), 0);
                let decoded = decoder.decode_into(payload, &mut out[start..]);
                let n = decoded.map_err(|e| {
                    out.truncate(start);
                    CodecError::new(*codec, format!("{e:?}"))
                })?;
                out.truncate(start + n);
                last.clear();
                last.extend_from_slice(&out[start..]);
            }
        }
        Ok(())
    }

    /// Makes up one lost 20 ms frame of `frame_samples`: Opus recovers it from the next
    /// packet's FEC data when that packet is already here, or runs its concealment; G.7xx
    /// repeats the last frame, fading.
    pub fn conceal(&mut self, next: Option<&[u8]>, frame_samples: usize, out: &mut Vec<i16>) {
        let start = out.len();
        out.resize(start + frame_samples, 0);
        match self {
            AudioDecoder::Opus(decoder) => {
                // libopus fills exactly the buffer it gets: one frame (STACK.md).
                let slot = &mut out[start..];
                let recovered = match next {
                    Some(next) => decoder.decode(next, slot, true),
                    None => decoder.decode(&[], slot, false),
                };
                if recovered.is_err() {
                    slot.fill(0);
                }
            }
            AudioDecoder::G7xx { last, .. } => {
                for sample in last.iter_mut() {
                    *sample = (f32::from(*sample) * CONCEALMENT_FADE) as i16;
                }
                for (slot, sample) in out[start..].iter_mut().zip(last.iter()) {
                    *slot = *sample;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(codec: CodecKind, frames: usize) -> Vec<i16> {
        crate::analysis::sine(
            codec.sample_rate(),
            440.0,
            8000.0,
            codec.frame_samples() * frames,
        )
    }

    #[test]
    fn every_codec_round_trips_a_tone_with_its_energy() {
        for codec in [
            CodecKind::Opus,
            CodecKind::G722,
            CodecKind::Pcma,
            CodecKind::Pcmu,
        ] {
            let input = tone(codec, 10);
            let mut encoder = AudioEncoder::new(codec).unwrap();
            let mut decoder = AudioDecoder::new(codec).unwrap();
            let (mut payload, mut output) = (Vec::new(), Vec::new());
            for frame in input.chunks(codec.frame_samples()) {
                encoder.encode(frame, &mut payload).unwrap();
                decoder.decode(&payload, &mut output).unwrap();
            }
            assert_eq!(output.len(), input.len(), "{codec:?}");
            let energy = |s: &[i16]| s.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
            // The last half (past codec start-up) keeps most of the tone's energy.
            let half = input.len() / 2;
            let ratio = energy(&output[half..]) / energy(&input[half..]);
            assert!(
                (0.5..1.5).contains(&ratio),
                "{codec:?}: energy ratio {ratio}"
            );
        }
    }

    #[test]
    fn concealment_makes_exactly_one_frame() {
        for codec in [CodecKind::Opus, CodecKind::Pcmu] {
            let mut decoder = AudioDecoder::new(codec).unwrap();
            let mut out = Vec::new();
            decoder.conceal(None, codec.frame_samples(), &mut out);
            assert_eq!(out.len(), codec.frame_samples());
        }
    }

    #[test]
    fn garbage_opus_is_an_error_not_a_panic() {
        let mut decoder = AudioDecoder::new(CodecKind::Opus).unwrap();
        let mut out = vec![1, 2];
        // A TOC byte announcing a code-3 packet with an impossible frame count.
        assert!(decoder.decode(&[0xff, 0xff], &mut out).is_err());
        assert_eq!(out, [1, 2]);
    }
}
