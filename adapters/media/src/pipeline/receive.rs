//! The receiving half of a call's pipeline: datagrams unprotected, checked and handed to
//! the jitter buffer (or the DTMF receiver); every tick the buffer's frame is decoded (or
//! concealed), published to the conference, recorded and played.

use super::*;

impl Pipeline {
    pub(super) fn play(&mut self, now: Instant) -> Result<(), MediaError> {
        let frame_samples = self.chain.codec.frame_samples();
        self.heard_frame.clear();
        let chain = &mut self.chain;
        match chain.jitter.pop(now) {
            Playout::Packet(payload) => {
                if chain
                    .decoder
                    .decode(&payload, &mut self.heard_frame)
                    .is_err()
                {
                    chain
                        .decoder
                        .conceal(None, frame_samples, &mut self.heard_frame);
                }
                let units = self.heard_frame.len() as u64 * u64::from(chain.codec.clock_rate())
                    / u64::from(chain.codec.sample_rate());
                chain.jitter.played_units(units as u32);
            }
            Playout::Lost { next } => {
                chain
                    .decoder
                    .conceal(next.as_deref(), frame_samples, &mut self.heard_frame);
            }
            Playout::Stretch => chain
                .decoder
                .conceal(None, frame_samples, &mut self.heard_frame),
            Playout::Silence => self.heard_frame.resize(frame_samples, 0),
        }
        if !receives(self.params.direction) || self.silenced {
            self.heard_frame.fill(0);
        }
        if let Some(membership) = &mut self.conference {
            membership.publish(&self.heard_frame);
        }
        if let Some(recorder) = &mut self.recorder {
            let said: &[i16] = if self.input_is_microphone {
                &self.sent_frame
            } else {
                &[]
            };
            recorder
                .write(said, &self.heard_frame)
                .map_err(|e| MediaError::Io(e.to_string()))?;
        }
        self.chain.playback.push(&self.heard_frame);
        let mut ready = Vec::with_capacity(self.chain.playback.available());
        self.chain.playback.drain_into(&mut ready);
        if let Some(processing) = &mut self.processing {
            processing.render(&ready);
        }
        self.output
            .write(&ready)
            .map_err(|e| MediaError::Device(e.to_string()))
    }

    /// A datagram arrived on the RTP port; returns a DTMF key when one was pressed.
    pub fn receive_rtp(
        &mut self,
        now: Instant,
        from: SocketAddr,
        data: &[u8],
    ) -> Option<DtmfDigit> {
        if looks_like_rtcp(data) {
            self.receive_rtcp(now, data);
            return None;
        }
        let plain = match &mut self.srtp {
            Some(srtp) => match srtp.unprotect_rtp(data) {
                Ok(plain) => plain,
                Err(error) => {
                    tracing::debug!(target: "rtp", %from, %error, "SRTP packet dropped");
                    return None;
                }
            },
            None => data.to_vec(),
        };
        let packet = rtp::packet::Packet::unmarshal(&mut plain.as_slice()).ok()?;
        let header = &packet.header;
        let is_audio = header.payload_type == self.params.receive_payload_type
            || header.payload_type == self.params.send_payload_type;
        let is_event = self
            .params
            .dtmf
            .is_some_and(|d| header.payload_type == d.receive || header.payload_type == d.send);
        if !is_audio && !is_event {
            return None;
        }
        // Symmetric RTP: answer where the packets come from (NAT), once they prove genuine.
        if !self.latched || from != self.params.remote_rtp {
            if from != self.params.remote_rtp {
                tracing::info!(target: "rtp", from = %from, was = %self.params.remote_rtp, "symmetric RTP: sending to the source of the stream");
                self.params.remote_rtp = from;
            }
            self.latched = true;
        }
        self.last_received = now;
        if is_event {
            return self.dtmf_in.receive(header.timestamp, &packet.payload);
        }
        let arrival = now.saturating_duration_since(self.epoch);
        let units =
            arrival.as_micros() as i64 * i64::from(self.chain.codec.clock_rate()) / 1_000_000;
        self.chain.reception.on_packet(
            header.ssrc,
            header.sequence_number,
            header.timestamp,
            units,
        );
        self.chain
            .jitter
            .push(now, header.ssrc, header.timestamp, packet.payload.to_vec());
        None
    }
}
