//! The media port until the media adapter lands (issue 4): every call is refused with a
//! sentence that says why, so signaling-only use (registration, short messages) works.

use std::path::PathBuf;

use wink_ports::{
    CallStats, DtmfDigit, EventStream, MediaError, MediaEvent, MediaPort, Sdp, SessionId,
};

/// A [`MediaPort`] that has no audio.
#[derive(Debug, Default)]
pub struct NoMedia;

fn unavailable() -> MediaError {
    MediaError::Device(
        "audio devices are not available in this version yet: use --audio none".into(),
    )
}

#[async_trait::async_trait]
impl MediaPort for NoMedia {
    async fn create_offer(&self, _session: &SessionId) -> Result<Sdp, MediaError> {
        Err(unavailable())
    }

    async fn answer_offer(&self, _session: &SessionId, _offer: &Sdp) -> Result<Sdp, MediaError> {
        Err(MediaError::NotAcceptable(
            "this version has no audio".into(),
        ))
    }

    async fn apply_answer(&self, session: &SessionId, _answer: &Sdp) -> Result<(), MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    async fn start(&self, session: &SessionId) -> Result<(), MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    async fn stop(&self, _session: &SessionId) -> Result<(), MediaError> {
        Ok(())
    }

    async fn hold(&self, session: &SessionId, _on_hold: bool) -> Result<Sdp, MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    async fn mute(&self, session: &SessionId, _muted: bool) -> Result<(), MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    async fn send_dtmf(&self, session: &SessionId, _digit: DtmfDigit) -> Result<(), MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    async fn record(&self, session: &SessionId, _path: Option<PathBuf>) -> Result<(), MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    async fn conference(&self, _sessions: Vec<SessionId>) -> Result<(), MediaError> {
        Err(unavailable())
    }

    async fn stats(&self, session: &SessionId) -> Result<CallStats, MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    fn events(&self) -> EventStream<MediaEvent> {
        Box::pin(futures_util::stream::pending())
    }
}
