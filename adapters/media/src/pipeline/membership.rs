//! A call's seat in a local conference: what the other members said is mixed into what we
//! send, and what our remote party said is handed to the others, through resamplers between
//! the call's codec rate and the bus's.

use wink_ports::{MediaError, SessionId};

use crate::codec::PACKETS_PER_SECOND;
use crate::conference::{BUS_RATE, ConferenceBus};
use crate::resample::StreamResampler;

/// This call's seat in a local conference, with the resamplers between its codec's rate
/// and the bus's.
pub(super) struct Membership {
    pub(super) bus: ConferenceBus,
    pub(super) me: SessionId,
    to_bus: StreamResampler,
    from_bus: StreamResampler,
    scratch: Vec<i16>,
}

impl Membership {
    pub(super) fn new(
        bus: ConferenceBus,
        me: SessionId,
        codec_rate: u32,
    ) -> Result<Self, MediaError> {
        let device = |e: crate::resample::ResampleError| MediaError::Device(e.to_string());
        Ok(Self {
            bus,
            me,
            to_bus: StreamResampler::new(codec_rate, BUS_RATE).map_err(device)?,
            from_bus: StreamResampler::new(BUS_RATE, codec_rate).map_err(device)?,
            scratch: Vec::new(),
        })
    }

    /// Adds what the other members said to the frame we send.
    pub(super) fn mix_into(&mut self, sent: &mut [i16]) {
        self.scratch.clear();
        self.scratch
            .resize((BUS_RATE / PACKETS_PER_SECOND) as usize, 0);
        self.bus.mix_into(&self.me, &mut self.scratch);
        self.from_bus.push(&self.scratch);
        self.scratch.resize(sent.len(), 0);
        if self.from_bus.pop_frame(&mut self.scratch) {
            for (slot, other) in sent.iter_mut().zip(&self.scratch) {
                *slot = slot.saturating_add(*other);
            }
        }
    }

    /// Hands what our remote party said to the others.
    pub(super) fn publish(&mut self, heard: &[i16]) {
        self.to_bus.push(heard);
        self.scratch.clear();
        self.to_bus.drain_into(&mut self.scratch);
        self.bus.publish(&self.me, &self.scratch);
    }
}
