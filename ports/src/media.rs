//! [`MediaPort`]: SDP offer/answer and the audio streams of calls.

use std::fmt;
use std::path::PathBuf;

use crate::{EventStream, SessionId};

/// An SDP body, as text. The SDP model (parse, print, matching) arrives with the media
/// adapter; across ports SDP travels as the text that goes on the wire.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sdp(String);

impl Sdp {
    /// Wraps an SDP body.
    pub fn new(body: impl Into<String>) -> Self {
        Self(body.into())
    }

    /// The body text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sdp {
    // SDES keys (`a=crypto`) must never reach a log: print only the size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sdp({} bytes)", self.0.len())
    }
}

/// One DTMF key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtmfDigit {
    /// `0`–`9`.
    Digit(u8),
    /// `*`
    Star,
    /// `#`
    Pound,
}

impl DtmfDigit {
    /// The key for a character of `0-9*#`, or `None`.
    pub fn from_char(c: char) -> Option<Self> {
        match c {
            '0'..='9' => c.to_digit(10).map(|d| DtmfDigit::Digit(d as u8)),
            '*' => Some(DtmfDigit::Star),
            '#' => Some(DtmfDigit::Pound),
            _ => None,
        }
    }

    /// The character of this key.
    pub fn to_char(self) -> char {
        match self {
            DtmfDigit::Digit(d) => char::from(b'0' + d.min(9)),
            DtmfDigit::Star => '*',
            DtmfDigit::Pound => '#',
        }
    }
}

/// Why a media command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The remote SDP cannot be parsed (the SIP adapter answers 488).
    #[error("the remote SDP is malformed: {0}")]
    MalformedSdp(String),
    /// No codec or stream in common (488 Not Acceptable Here).
    #[error("no media in common with the remote party: {0}")]
    NotAcceptable(String),
    /// No such media session.
    #[error("unknown media session {0}")]
    UnknownSession(SessionId),
    /// An audio device failed.
    #[error("audio device error: {0}")]
    Device(String),
    /// Sockets or files failed.
    #[error("media I/O error: {0}")]
    Io(String),
}

/// How a call's audio is doing, for the stats view (`wink-cli stats`, the call window).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallStats {
    /// The codec in use (`opus`, `G722`, `PCMA`, `PCMU`).
    pub codec: String,
    /// Whether the media is encrypted (SRTP).
    pub encrypted: bool,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// RTP packets received.
    pub packets_received: u64,
    /// Packets the other side sent that never arrived (from sequence numbers).
    pub packets_lost: u64,
    /// Of the packets expected, the share lost, in percent.
    pub loss_percent: f32,
    /// Interarrival jitter (RFC 3550), in ms.
    pub jitter_ms: f32,
    /// The jitter buffer's current delay, in ms (it moves in 20 ms steps around the target).
    pub buffer_delay_ms: u32,
    /// The delay the jitter buffer aims at, from the jitter it saw, in ms.
    pub buffer_target_ms: u32,
    /// Round-trip time from RTCP, once the other side reported.
    pub round_trip_ms: Option<u32>,
    /// The loss the other side reports for our packets, in percent.
    pub remote_loss_percent: Option<f32>,
}

/// What the media adapter reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaEvent {
    /// A chosen audio device is not there (unplugged, or a name that matches no card): the
    /// system default is used instead.
    DeviceMissing {
        /// The chosen device's id.
        device: String,
    },
    /// The remote party sent a DTMF key.
    DtmfReceived {
        /// The session.
        session: SessionId,
        /// The key.
        digit: DtmfDigit,
    },
    /// Media stopped flowing (no RTP for a while).
    MediaTimeout {
        /// The session.
        session: SessionId,
    },
}

/// The audio of calls: SDP, RTP/SRTP, codecs, devices, recording, conferencing.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait MediaPort: Send + Sync {
    /// Creates an SDP offer for a new session.
    ///
    /// # Errors
    /// [`MediaError::Io`] if no socket can be bound.
    async fn create_offer(&self, session: &SessionId) -> Result<Sdp, MediaError>;

    /// Answers a remote offer.
    ///
    /// # Errors
    /// [`MediaError::MalformedSdp`], [`MediaError::NotAcceptable`], [`MediaError::Io`].
    async fn answer_offer(&self, session: &SessionId, offer: &Sdp) -> Result<Sdp, MediaError>;

    /// Applies the remote answer to our offer.
    ///
    /// # Errors
    /// [`MediaError::MalformedSdp`], [`MediaError::NotAcceptable`],
    /// [`MediaError::UnknownSession`].
    async fn apply_answer(&self, session: &SessionId, answer: &Sdp) -> Result<(), MediaError>;

    /// Starts sending and receiving media.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`], [`MediaError::Device`], [`MediaError::Io`].
    async fn start(&self, session: &SessionId) -> Result<(), MediaError>;

    /// Stops media and frees the session's resources. Idempotent.
    ///
    /// # Errors
    /// [`MediaError::Io`].
    async fn stop(&self, session: &SessionId) -> Result<(), MediaError>;

    /// Puts the session on hold or takes it off; returns the re-offer to send.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`].
    async fn hold(&self, session: &SessionId, on_hold: bool) -> Result<Sdp, MediaError>;

    /// Mutes or unmutes our microphone in this session.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`].
    async fn mute(&self, session: &SessionId, muted: bool) -> Result<(), MediaError>;

    /// Sends one DTMF key.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`].
    async fn send_dtmf(&self, session: &SessionId, digit: DtmfDigit) -> Result<(), MediaError>;

    /// Plays a WAV file to the other side instead of our microphone (then silence), or
    /// gives the microphone back with `None`. The answering machine's greeting.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`], [`MediaError::Device`] for a file that cannot be read.
    async fn play(&self, session: &SessionId, path: Option<PathBuf>) -> Result<(), MediaError>;

    /// Starts recording both directions to `path`, or stops recording with `None`.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`], [`MediaError::Io`].
    async fn record(&self, session: &SessionId, path: Option<PathBuf>) -> Result<(), MediaError>;

    /// Silences what the other side of this session says (`true`) or lets it be heard
    /// again: nobody hears them, neither we nor the other members of a local conference.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`].
    async fn silence(&self, session: &SessionId, silenced: bool) -> Result<(), MediaError>;

    /// Mixes these sessions into one local conference (an empty list ends it).
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`].
    async fn conference(&self, sessions: Vec<SessionId>) -> Result<(), MediaError>;

    /// Uses these devices from now on (`None`: the system default): calls that start
    /// later open them, and running calls switch to them at once. A call whose greeting
    /// is playing keeps it; the new microphone comes with the microphone.
    ///
    /// # Errors
    /// [`MediaError::Device`] when a device cannot be opened; running calls then keep the
    /// device they had, and later calls still try the new one.
    async fn use_devices(
        &self,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<(), MediaError>;

    /// How the session's audio is doing.
    ///
    /// # Errors
    /// [`MediaError::UnknownSession`].
    async fn stats(&self, session: &SessionId) -> Result<CallStats, MediaError>;

    /// The stream of media events. Called once, by the domain.
    fn events(&self) -> EventStream<MediaEvent>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtmf_chars_round_trip() {
        for c in "0123456789*#".chars() {
            assert_eq!(DtmfDigit::from_char(c).unwrap().to_char(), c);
        }
        assert_eq!(DtmfDigit::from_char('A'), None);
    }

    #[test]
    fn sdp_debug_hides_keys() {
        let sdp = Sdp::new("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:SECRET");
        assert!(!format!("{sdp:?}").contains("SECRET"));
    }
}
