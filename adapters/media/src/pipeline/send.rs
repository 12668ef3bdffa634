//! The sending half of a call's pipeline: a frame from the input (echo cancelled), resampled
//! to the codec, muted, mixed with the conference, recorded, encoded, protected and sent;
//! RFC 4733 keys take the place of voice while they last.

use super::*;

impl Pipeline {
    pub(super) fn capture_and_send(&mut self) -> Option<Datagram> {
        let frame_samples = self.chain.codec.frame_samples();
        self.input.read(&mut self.device_frame);
        if self.input_is_microphone
            && let Some(processing) = &mut self.processing
        {
            processing.capture(&mut self.device_frame);
        }
        self.chain.capture.push(&self.device_frame);
        self.sent_frame.resize(frame_samples, 0);
        if !self.chain.capture.pop_frame(&mut self.sent_frame) {
            // The resampler is still filling its first chunk.
            self.sent_frame.fill(0);
        }
        if self.muted {
            self.sent_frame.fill(0);
        }
        if let Some(membership) = &mut self.conference {
            membership.mix_into(&mut self.sent_frame);
        }
        let timestamp = self.timestamp;
        self.timestamp = self
            .timestamp
            .wrapping_add(self.chain.codec.frame_timestamp_units());
        if !sends(self.params.direction) {
            return None;
        }
        let (payload_type, marker, timestamp) = match self.dtmf_out.next_slot() {
            DtmfSlot::Event(event) => {
                if event.new_event {
                    self.event_timestamp = timestamp;
                }
                self.payload.clear();
                self.payload.extend_from_slice(&event.payload);
                let pt = self.params.dtmf.map_or(0, |d| d.send);
                (pt, event.marker, self.event_timestamp)
            }
            DtmfSlot::Audio => {
                if let Err(error) = self
                    .chain
                    .encoder
                    .encode(&self.sent_frame, &mut self.payload)
                {
                    tracing::warn!(target: "rtp", %error, "encoding failed; frame skipped");
                    return None;
                }
                (self.params.send_payload_type, self.first_packet, timestamp)
            }
        };
        self.first_packet = false;
        self.packet(payload_type, marker, timestamp)
    }

    pub(super) fn packet(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
    ) -> Option<Datagram> {
        let packet = rtp::packet::Packet {
            header: rtp::header::Header {
                version: 2,
                marker,
                payload_type,
                sequence_number: self.sequence,
                timestamp,
                ssrc: self.ssrc,
                ..Default::default()
            },
            payload: Bytes::copy_from_slice(&self.payload),
        };
        self.sequence = self.sequence.wrapping_add(1);
        let plain = packet.marshal().ok()?.to_vec();
        let data = match &mut self.srtp {
            Some(srtp) => srtp.protect_rtp(&plain).ok()?,
            None => plain,
        };
        self.packets_sent = self.packets_sent.wrapping_add(1);
        self.octets_sent = self.octets_sent.wrapping_add(self.payload.len() as u32);
        Some(Datagram {
            to: self.params.remote_rtp,
            data,
        })
    }
}
