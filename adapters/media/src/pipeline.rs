//! One call's audio pipeline, without sockets or timers: every 20 ms `tick` captures a
//! frame, encodes and protects it, and plays what the jitter buffer releases; received
//! datagrams go in through `receive_rtp` / `receive_rtcp`. The tokio driver (`driver.rs`)
//! only moves bytes and calls these at the right times, so the whole pipeline is tested
//! in-process (see `pipeline/tests.rs`).

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use rand::Rng as _;
use webrtc_util::{Marshal as _, Unmarshal as _};
use wink_ports::sdp::Direction;
use wink_ports::{AudioInput, AudioOutput, CallStats, DtmfDigit, MediaError, SessionId};

use crate::codec::PACKETS_PER_SECOND;
use crate::conference::ConferenceBus;
use crate::control::{self, RemoteReport, SenderInfo};
use crate::dtmf::{DtmfReceiver, DtmfSender, DtmfSlot};
use crate::jitter::Playout;
use crate::negotiate::Negotiated;
use crate::processing::{PROCESSING_RATE, VoiceProcessing};
use crate::recorder::{RecordError, Recorder};
use crate::resample::StreamResampler;
use crate::srtp::SrtpSession;

mod codec_chain;
mod membership;

use codec_chain::CodecChain;
use membership::Membership;

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Where to.
    pub to: SocketAddr,
    /// The bytes.
    pub data: Vec<u8>,
}

/// The audio of one call.
pub struct Pipeline {
    params: Negotiated,
    chain: CodecChain,
    srtp: Option<SrtpSession>,
    input: Box<dyn AudioInput>,
    output: Box<dyn AudioOutput>,
    ssrc: u32,
    cname: String,
    sequence: u16,
    timestamp: u32,
    first_packet: bool,
    dtmf_out: DtmfSender,
    dtmf_in: DtmfReceiver,
    event_timestamp: u32,
    latched: bool,
    muted: bool,
    /// Whether the input is the microphone (a played file, e.g. a greeting, is not
    /// recorded: the recording holds what the people said).
    input_is_microphone: bool,
    recorder: Option<Recorder>,
    conference: Option<Membership>,
    processing: Option<VoiceProcessing>,
    packets_sent: u32,
    octets_sent: u32,
    last_sender_report: Option<(u32, Instant)>,
    remote: RemoteReport,
    epoch: Instant,
    wall_epoch: SystemTime,
    last_received: Instant,
    device_frame: Vec<i16>,
    sent_frame: Vec<i16>,
    heard_frame: Vec<i16>,
    payload: Vec<u8>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pipeline({:?}, ssrc {:08x})",
            self.chain.codec, self.ssrc
        )
    }
}

fn sends(direction: Direction) -> bool {
    matches!(direction, Direction::SendRecv | Direction::SendOnly)
}

fn receives(direction: Direction) -> bool {
    matches!(direction, Direction::SendRecv | Direction::RecvOnly)
}

/// RTCP packet types are 200–204: with RTP on the same port (RFC 5761) the second byte tells.
pub fn looks_like_rtcp(data: &[u8]) -> bool {
    data.len() >= 2 && (192..=223).contains(&data[1])
}

fn srtp_for(params: &Negotiated) -> Result<Option<SrtpSession>, MediaError> {
    params
        .srtp
        .as_ref()
        .map(|keys| {
            SrtpSession::new(keys.suite, &keys.local, &keys.remote)
                .map_err(|e| MediaError::Io(e.to_string()))
        })
        .transpose()
}

impl Pipeline {
    /// A pipeline for the agreed stream, between these devices.
    ///
    /// # Errors
    /// [`MediaError::Device`] when a codec or resampler cannot start; [`MediaError::Io`]
    /// when the SRTP keys are refused.
    pub fn new(
        params: Negotiated,
        input: Box<dyn AudioInput>,
        output: Box<dyn AudioOutput>,
        cname: String,
        now: Instant,
    ) -> Result<Self, MediaError> {
        let chain = CodecChain::new(params.codec, input.sample_rate(), output.sample_rate())?;
        let srtp = srtp_for(&params)?;
        let mut rng = rand::rng();
        let device_frame = vec![0; (input.sample_rate() / PACKETS_PER_SECOND) as usize];
        Ok(Self {
            dtmf_out: DtmfSender::new(dtmf_units(&params)),
            params,
            chain,
            srtp,
            input,
            output,
            ssrc: rng.random(),
            cname,
            sequence: rng.random(),
            timestamp: rng.random(),
            first_packet: true,
            dtmf_in: DtmfReceiver::new(),
            event_timestamp: 0,
            latched: false,
            muted: false,
            input_is_microphone: true,
            recorder: None,
            conference: None,
            processing: None,
            packets_sent: 0,
            octets_sent: 0,
            last_sender_report: None,
            remote: RemoteReport::default(),
            epoch: now,
            wall_epoch: SystemTime::now(),
            last_received: now,
            device_frame,
            sent_frame: Vec::new(),
            heard_frame: Vec::new(),
            payload: Vec::new(),
        })
    }

    /// Applies a new offer/answer outcome (hold, resume, another codec, new keys).
    ///
    /// # Errors
    /// As [`Pipeline::new`].
    pub fn update(&mut self, params: Negotiated) -> Result<(), MediaError> {
        if params.codec != self.chain.codec {
            self.chain = CodecChain::new(
                params.codec,
                self.input.sample_rate(),
                self.output.sample_rate(),
            )?;
            if let Some(membership) = self.conference.take() {
                self.conference = Some(Membership::new(
                    membership.bus,
                    membership.me,
                    params.codec.sample_rate(),
                )?);
            }
        }
        if params.srtp != self.params.srtp {
            self.srtp = srtp_for(&params)?;
        }
        if params.remote_rtp != self.params.remote_rtp {
            self.latched = false;
        }
        self.dtmf_out = DtmfSender::new(dtmf_units(&params));
        self.params = params;
        Ok(())
    }

    /// Replaces the input: a file played to the other side (`is_microphone` false: the
    /// answering machine's greeting, left out of recordings), or the microphone back.
    ///
    /// # Errors
    /// [`MediaError::Device`] when no resampler fits the new input's rate.
    pub fn set_input(
        &mut self,
        input: Box<dyn AudioInput>,
        is_microphone: bool,
    ) -> Result<(), MediaError> {
        let rate = input.sample_rate();
        if rate != self.input.sample_rate() {
            self.chain.capture = StreamResampler::new(rate, self.chain.codec.sample_rate())
                .map_err(|e| MediaError::Device(e.to_string()))?;
            self.device_frame = vec![0; (rate / PACKETS_PER_SECOND) as usize];
        }
        self.input = input;
        self.input_is_microphone = is_microphone;
        Ok(())
    }

    /// Uses echo cancellation / noise suppression between the microphone and the speaker;
    /// they run at 48 kHz, so devices at other rates go without (returns whether it is on).
    pub fn set_processing(&mut self, processing: Option<VoiceProcessing>) -> bool {
        let rates_fit = self.input.sample_rate() == PROCESSING_RATE
            && self.output.sample_rate() == PROCESSING_RATE;
        self.processing = processing.filter(|_| rates_fit);
        self.processing.is_some()
    }

    /// Joins a local conference as `me` (the other members hear our remote party and we
    /// send them theirs), or leaves it with `None`.
    ///
    /// # Errors
    /// [`MediaError::Device`] when no resampler fits the codec's rate.
    pub fn set_conference(
        &mut self,
        seat: Option<(ConferenceBus, SessionId)>,
    ) -> Result<(), MediaError> {
        self.conference = seat
            .map(|(bus, me)| Membership::new(bus, me, self.chain.codec.sample_rate()))
            .transpose()?;
        Ok(())
    }

    /// Mutes or unmutes the microphone (silence is sent instead).
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    /// Queues a key for RFC 4733.
    ///
    /// # Errors
    /// [`MediaError::NotAcceptable`] when the other side did not agree to telephone-event.
    pub fn send_dtmf(&mut self, digit: DtmfDigit) -> Result<(), MediaError> {
        if self.params.dtmf.is_none() {
            return Err(MediaError::NotAcceptable(
                "the other side has no telephone-event; use SIP INFO for DTMF".into(),
            ));
        }
        self.dtmf_out.press(digit);
        Ok(())
    }

    /// Starts recording to `path`, or stops with `None` (returning the finished file).
    ///
    /// # Errors
    /// [`RecordError`] when the file cannot be written.
    pub fn record(
        &mut self,
        path: Option<&std::path::Path>,
    ) -> Result<Option<std::path::PathBuf>, RecordError> {
        let finished = self.recorder.take().map(Recorder::finish).transpose()?;
        if let Some(path) = path {
            self.recorder = Some(Recorder::create(path, self.chain.codec.sample_rate())?);
        }
        Ok(finished)
    }

    /// When the last RTP packet from the other side arrived.
    pub fn last_received(&self) -> Instant {
        self.last_received
    }

    /// Whether the agreed direction has the other side sending to us.
    pub fn expects_media(&self) -> bool {
        receives(self.params.direction)
    }

    /// One 20 ms step: returns the RTP packet to send, if any.
    ///
    /// # Errors
    /// [`MediaError::Device`] when the speaker or the recording fails.
    pub fn tick(&mut self, now: Instant) -> Result<Option<Datagram>, MediaError> {
        let outgoing = self.capture_and_send();
        self.play(now)?;
        Ok(outgoing)
    }

    fn capture_and_send(&mut self) -> Option<Datagram> {
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

    fn packet(&mut self, payload_type: u8, marker: bool, timestamp: u32) -> Option<Datagram> {
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

    fn play(&mut self, now: Instant) -> Result<(), MediaError> {
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
        if !receives(self.params.direction) {
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

    /// A datagram arrived on the RTCP port.
    pub fn receive_rtcp(&mut self, now: Instant, data: &[u8]) {
        let plain = match &mut self.srtp {
            Some(srtp) => match srtp.unprotect_rtcp(data) {
                Ok(plain) => plain,
                Err(_) => return,
            },
            None => data.to_vec(),
        };
        let Some(report) = control::read_report(&plain, self.ssrc, self.wall_clock(now)) else {
            return;
        };
        if let Some(lsr) = report.sender_report {
            self.last_sender_report = Some((lsr, now));
        }
        if report.round_trip.is_some() {
            self.remote.round_trip = report.round_trip;
        }
        if report.loss_percent.is_some() {
            self.remote.loss_percent = report.loss_percent;
        }
    }

    /// Our RTCP report, to send every few seconds.
    pub fn rtcp_report(&mut self, now: Instant) -> Option<Datagram> {
        let sender = (self.packets_sent > 0).then_some(SenderInfo {
            rtp_time: self.timestamp,
            packets: self.packets_sent,
            octets: self.octets_sent,
        });
        let last_sr = self
            .last_sender_report
            .map(|(lsr, at)| (lsr, now.saturating_duration_since(at)));
        let plain = control::build_report(
            self.ssrc,
            &self.cname,
            self.wall_clock(now),
            sender,
            self.chain.reception.report(),
            last_sr,
        )?;
        let data = match &mut self.srtp {
            Some(srtp) => srtp.protect_rtcp(&plain).ok()?,
            None => plain,
        };
        Some(Datagram {
            to: self.params.remote_rtcp,
            data,
        })
    }

    /// The wall-clock time RTCP needs, derived from the pipeline's own clock so the
    /// pipeline stays deterministic under a virtual clock.
    fn wall_clock(&self, now: Instant) -> SystemTime {
        self.wall_epoch + now.saturating_duration_since(self.epoch)
    }

    /// How the call is doing.
    pub fn stats(&self) -> CallStats {
        let reception = &self.chain.reception;
        CallStats {
            codec: self.chain.codec.encoding().to_owned(),
            encrypted: self.srtp.is_some(),
            packets_sent: u64::from(self.packets_sent),
            packets_received: reception.received(),
            packets_lost: reception.lost(),
            loss_percent: reception.loss_percent(),
            jitter_ms: reception.jitter_ms(),
            buffer_delay_ms: self.chain.jitter.stats().delay_ms,
            buffer_target_ms: self.chain.jitter.stats().target_ms,
            round_trip_ms: self.remote.round_trip.map(|d| d.as_millis() as u32),
            remote_loss_percent: self.remote.loss_percent,
        }
    }

    /// Ends the call's audio: the recording gets its final header.
    pub fn finish(&mut self) -> Option<std::path::PathBuf> {
        self.recorder.take().and_then(|r| r.finish().ok())
    }
}

/// telephone-event duration units per 20 ms frame.
fn dtmf_units(params: &Negotiated) -> u32 {
    params
        .dtmf
        .map_or(160, |d| d.clock_rate / PACKETS_PER_SECOND)
}

/// The pace of the pipeline.
pub const TICK: Duration = Duration::from_millis(20);

#[cfg(test)]
mod tests;
