//! `--audio none`: calls without audio, for signaling tests and for peers that only need a
//! session (until the media adapter lands). The SDP offers and answers one audio stream
//! marked `inactive` on the discard port, which every SIP peer accepts and none sends to.

use std::path::PathBuf;

use wink_ports::{
    CallStats, DtmfDigit, EventStream, MediaError, MediaEvent, MediaPort, Sdp, SessionId,
};

/// A [`MediaPort`] that negotiates an inactive audio stream and moves no audio.
#[derive(Debug, Default)]
pub struct SignalingOnlyMedia;

fn inactive_sdp(session: &SessionId, payloads: &str, rtpmaps: &str) -> Sdp {
    // A stable numeric session id from the session handle (RFC 4566 only asks for a number).
    let id: u64 = session
        .as_str()
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 1_000_000_000;
    Sdp::new(format!(
        "v=0\r\no=wink {id} 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 9 RTP/AVP {payloads}\r\n{rtpmaps}a=inactive\r\n"
    ))
}

const OFFER_MAPS: &str =
    "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

/// The first static G.711 payload type of the offer's audio line, if any.
fn common_payload(offer: &str) -> Option<&'static str> {
    let line = offer.lines().find(|l| l.starts_with("m=audio "))?;
    line.split_whitespace().skip(3).find_map(|pt| match pt {
        "0" => Some("0"),
        "8" => Some("8"),
        _ => None,
    })
}

#[async_trait::async_trait]
impl MediaPort for SignalingOnlyMedia {
    async fn create_offer(&self, session: &SessionId) -> Result<Sdp, MediaError> {
        Ok(inactive_sdp(session, "0 8 101", OFFER_MAPS))
    }

    async fn answer_offer(&self, session: &SessionId, offer: &Sdp) -> Result<Sdp, MediaError> {
        if !offer.as_str().starts_with("v=0") {
            return Err(MediaError::MalformedSdp(
                "the offer does not start with v=0".into(),
            ));
        }
        let payload = common_payload(offer.as_str()).ok_or_else(|| {
            MediaError::NotAcceptable("no PCMU or PCMA audio in the offer".into())
        })?;
        let map = if payload == "0" {
            "a=rtpmap:0 PCMU/8000\r\n"
        } else {
            "a=rtpmap:8 PCMA/8000\r\n"
        };
        Ok(inactive_sdp(session, payload, map))
    }

    async fn apply_answer(&self, _session: &SessionId, answer: &Sdp) -> Result<(), MediaError> {
        if answer.as_str().starts_with("v=0") {
            Ok(())
        } else {
            Err(MediaError::MalformedSdp(
                "the answer does not start with v=0".into(),
            ))
        }
    }

    async fn start(&self, _session: &SessionId) -> Result<(), MediaError> {
        Ok(())
    }

    async fn stop(&self, _session: &SessionId) -> Result<(), MediaError> {
        Ok(())
    }

    async fn hold(&self, session: &SessionId, _on_hold: bool) -> Result<Sdp, MediaError> {
        // No audio flows either way; the re-offer stays inactive.
        self.create_offer(session).await
    }

    async fn mute(&self, _session: &SessionId, _muted: bool) -> Result<(), MediaError> {
        Ok(())
    }

    async fn send_dtmf(&self, _session: &SessionId, _digit: DtmfDigit) -> Result<(), MediaError> {
        Err(MediaError::Device(
            "DTMF needs audio; this call runs with --audio none".into(),
        ))
    }

    async fn play(&self, _session: &SessionId, _path: Option<PathBuf>) -> Result<(), MediaError> {
        Err(MediaError::Device(
            "nothing can be played: this call runs with --audio none".into(),
        ))
    }

    async fn record(&self, _session: &SessionId, _path: Option<PathBuf>) -> Result<(), MediaError> {
        Err(MediaError::Device(
            "nothing to record: this call runs with --audio none".into(),
        ))
    }

    async fn silence(&self, _session: &SessionId, _silenced: bool) -> Result<(), MediaError> {
        Ok(()) // nothing is heard anyway
    }

    async fn conference(&self, _sessions: Vec<SessionId>) -> Result<(), MediaError> {
        Err(MediaError::Device("a conference needs audio".into()))
    }

    async fn use_devices(
        &self,
        _input: Option<String>,
        _output: Option<String>,
    ) -> Result<(), MediaError> {
        Ok(()) // no audio flows, whichever devices are chosen
    }

    async fn stats(&self, session: &SessionId) -> Result<CallStats, MediaError> {
        Err(MediaError::UnknownSession(session.clone()))
    }

    fn events(&self) -> EventStream<MediaEvent> {
        Box::pin(futures_util::stream::pending())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_g711_offers_inactive_and_refuses_others() {
        let media = SignalingOnlyMedia;
        let session = SessionId::new("s").unwrap();
        let offer = media.create_offer(&session).await.unwrap();
        assert!(
            offer.as_str().contains("m=audio 9 RTP/AVP 0 8 101\r\n")
                && offer.as_str().contains("a=inactive")
        );
        let answer = media
            .answer_offer(
                &session,
                &Sdp::new("v=0\r\nm=audio 4000 RTP/AVP 96 8 0\r\n"),
            )
            .await
            .unwrap();
        assert!(
            answer.as_str().contains("m=audio 9 RTP/AVP 8\r\n"),
            "{}",
            answer.as_str()
        );
        assert!(matches!(
            media
                .answer_offer(&session, &Sdp::new("v=0\r\nm=audio 4000 RTP/AVP 96\r\n"))
                .await,
            Err(MediaError::NotAcceptable(_))
        ));
        assert!(matches!(
            media.answer_offer(&session, &Sdp::new("garbage")).await,
            Err(MediaError::MalformedSdp(_))
        ));
    }
}
