//! One call's audio pipeline, without sockets or timers: every 20 ms `tick` captures a
//! frame, encodes and protects it, and plays what the jitter buffer releases; received
//! datagrams go in through `receive_rtp` / `receive_rtcp`. The tokio driver (`driver.rs`)
//! only moves bytes and calls these at the right times, so the whole pipeline is tested
//! in-process (see `pipeline/tests.rs`).
//!
//! This file holds the state and its set-up; the halves live beside it: `send.rs`
//! (microphone to network), `receive.rs` (network to speaker), `reports.rs` (RTCP and
//! statistics), `codec_chain.rs` (what a codec change rebuilds), `membership.rs` (the
//! conference seat).

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
mod receive;
mod reports;
mod send;

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
    /// What the remote party says is dropped (silenced for everyone).
    silenced: bool,
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
            silenced: false,
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

    /// Another microphone (the user chose one, or plugged one in): used at once, unless a
    /// file plays in its place (the greeting goes on; the microphone that comes back after
    /// it is the one chosen by then).
    ///
    /// # Errors
    /// As [`Pipeline::set_input`].
    pub fn replace_microphone(&mut self, input: Box<dyn AudioInput>) -> Result<(), MediaError> {
        if !self.input_is_microphone {
            return Ok(());
        }
        self.set_input(input, true)?;
        self.keep_processing_if_rates_fit();
        Ok(())
    }

    /// Another speaker.
    ///
    /// # Errors
    /// [`MediaError::Device`] when no resampler fits the new output's rate.
    pub fn set_output(&mut self, output: Box<dyn AudioOutput>) -> Result<(), MediaError> {
        let rate = output.sample_rate();
        if rate != self.output.sample_rate() {
            self.chain.playback = StreamResampler::new(self.chain.codec.sample_rate(), rate)
                .map_err(|e| MediaError::Device(e.to_string()))?;
        }
        self.output = output;
        self.keep_processing_if_rates_fit();
        Ok(())
    }

    /// Echo cancellation runs at 48 kHz only: a device at another rate switches it off.
    fn keep_processing_if_rates_fit(&mut self) {
        let processing = self.processing.take();
        self.set_processing(processing);
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

    /// Silences the remote party (`true`): nobody hears them, neither our speaker nor the
    /// conference's other members (a noisy participant).
    pub fn set_silenced(&mut self, silenced: bool) {
        self.silenced = silenced;
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
