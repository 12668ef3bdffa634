//! The codec-dependent half of a call's pipeline: encoder, decoder, the resamplers between
//! the devices and the codec, the jitter buffer and the reception statistics.

use wink_ports::MediaError;

use crate::codec::CodecKind;
use crate::jitter::JitterBuffer;
use crate::reception::ReceptionStats;
use crate::resample::StreamResampler;
use crate::transcode::{AudioDecoder, AudioEncoder};

/// The codec-dependent half of the pipeline, rebuilt when a re-INVITE changes the codec.
pub(super) struct CodecChain {
    pub(super) codec: CodecKind,
    pub(super) encoder: AudioEncoder,
    pub(super) decoder: AudioDecoder,
    pub(super) capture: StreamResampler,
    pub(super) playback: StreamResampler,
    pub(super) jitter: JitterBuffer,
    pub(super) reception: ReceptionStats,
}

impl CodecChain {
    pub(super) fn new(
        codec: CodecKind,
        input_rate: u32,
        output_rate: u32,
    ) -> Result<Self, MediaError> {
        let device = |e: crate::resample::ResampleError| MediaError::Device(e.to_string());
        let codec_error = |e: crate::transcode::CodecError| MediaError::Device(e.to_string());
        Ok(Self {
            codec,
            encoder: AudioEncoder::new(codec).map_err(codec_error)?,
            decoder: AudioDecoder::new(codec).map_err(codec_error)?,
            capture: StreamResampler::new(input_rate, codec.sample_rate()).map_err(device)?,
            playback: StreamResampler::new(codec.sample_rate(), output_rate).map_err(device)?,
            jitter: JitterBuffer::new(codec.clock_rate(), codec.frame_timestamp_units()),
            reception: ReceptionStats::new(codec.clock_rate()),
        })
    }
}
