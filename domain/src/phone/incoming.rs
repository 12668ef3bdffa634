//! Incoming calls: alerting, the web alert, the answering-machine countdown, answering
//! (also INVITEs without SDP: our offer goes in the 200 OK), 603 vs 486, and CANCEL.

use tokio::time::Instant;
use tracing::warn;
use wink_ports::{Reason, Sdp, SessionId, SipUri, StatusCode};

use super::call::Call;
use super::timers::Timer;
use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::{CallState, Session, WebAlertMoment};

/// An INVITE the adapter matched to one of our accounts.
pub(super) struct IncomingInvite {
    pub(super) session: SessionId,
    pub(super) account: wink_ports::AccountId,
    pub(super) from: SipUri,
    pub(super) from_display: Option<String>,
    pub(super) to: SipUri,
    pub(super) offer: Option<Sdp>,
    /// Our call this one replaces (attended transfer by the other party).
    pub(super) replaces: Option<SessionId>,
}

impl Phone {
    pub(super) async fn on_incoming_call(
        &mut self,
        invite: IncomingInvite,
    ) -> Result<(), PhoneError> {
        let IncomingInvite {
            session: id,
            account,
            from,
            from_display,
            to,
            offer,
            replaces,
        } = invite;
        let web_alert = match self.account(&account) {
            Ok(found) if found.enabled => found
                .web_alert
                .as_ref()
                .map(|template| (template.render(&from, &to), found.web_alert_when)),
            found => {
                let code = if found.is_ok() {
                    StatusCode::TEMPORARILY_UNAVAILABLE
                } else {
                    StatusCode(404)
                };
                self.ports.signaling.reject(&id, code).await?;
                return Ok(());
            }
        };
        let mut session = Session::incoming(
            id.clone(),
            account.clone(),
            from.clone(),
            from_display.clone(),
            self.ports.clock.now(),
        );
        let stream = offer
            .as_ref()
            .and_then(super::chats::message_stream_offered);
        let chat = stream.is_some();
        if let Some((kind, _)) = &stream {
            session.media = vec![*kind];
        }
        let web_alert_url = match web_alert {
            Some((url, WebAlertMoment::Answered)) => {
                session.web_page_on_answer = Some(url);
                None
            }
            Some((url, WebAlertMoment::Ringing)) => Some(url),
            None => None,
        };
        self.calls
            .insert(id.clone(), Call::incoming(session, offer));
        if let Err(error) = self.ports.signaling.ring(&id).await {
            warn!(target: "sip", session = %id, %error, "could not send 180 Ringing");
        }
        // The answering machine takes calls, not chats.
        let countdown = self
            .settings
            .answering_machine
            .countdown()
            .filter(|_| !chat);
        if let Some(delay) = countdown {
            self.timers
                .schedule(Instant::now() + delay, Timer::AnsweringMachine(id.clone()));
        }
        self.emit(PhoneEvent::IncomingCall {
            session: id.clone(),
            account,
            web_alert_url,
            from,
            display_name: from_display,
            answering_machine_in: countdown,
            media: stream
                .as_ref()
                .map_or(wink_ports::MediaKind::Audio, |(kind, _)| *kind),
        });
        if let Some((_, Some(file))) = stream {
            self.emit(PhoneEvent::IncomingFile {
                session: id.clone(),
                name: file.selector.name.unwrap_or_default(),
                size: file.selector.size,
            });
        }
        self.emit_state(&id, CallState::Alerting).await;
        // Attended transfer: the party we talk to hands us to this caller. The user already
        // accepted talking to them, so the new call is answered and the old one ended.
        if let Some(old) =
            replaces.filter(|old| self.session(old).is_some_and(Session::is_connected))
        {
            self.answer(&id).await?;
            self.hang_up(&old).await?;
        }
        Ok(())
    }

    /// Answers: our SDP answer, or our offer when the INVITE had none (late offer).
    pub(super) async fn answer(&mut self, id: &SessionId) -> Result<CommandOutcome, PhoneError> {
        if self.on_message_stream(id) {
            return self.answer_chat(id).await;
        }
        let now = self.ports.clock.now();
        self.session_mut(id)?.clone().accept(now)?;
        let offer = self
            .calls
            .get(id)
            .and_then(|call| call.pending_offer.clone());
        let sdp = match &offer {
            Some(offer) => self.ports.media.answer_offer(id, offer).await,
            None => self.ports.media.create_offer(id).await,
        };
        let sdp = match sdp {
            Ok(sdp) => sdp,
            Err(error) => {
                // No codec in common or an SDP we cannot read: 488, and the call is over.
                let _ = self.ports.signaling.reject(id, StatusCode(488)).await;
                let result = self.session_mut(id)?.fail();
                self.end_session(id, result).await;
                return Err(error.into());
            }
        };
        self.ports.signaling.answer(id, Some(sdp)).await?;
        let call = self.call_mut(id)?;
        if offer.is_none() {
            call.late_offer = true;
        }
        call.pending_offer = None;
        self.timers.cancel_session(id);
        self.session_mut(id)?.accept(now)?;
        self.emit_state(id, CallState::Accepted).await;
        if let Some(url) = self.session_mut(id)?.web_page_on_answer.take() {
            self.emit(PhoneEvent::WebAlert {
                session: id.clone(),
                url,
            });
        }
        Ok(CommandOutcome::Done)
    }

    /// Refuses a ringing call: 603 Decline (all devices stop) or 486 Busy Here (others ring on).
    pub(super) async fn refuse(
        &mut self,
        id: &SessionId,
        status: StatusCode,
    ) -> Result<CommandOutcome, PhoneError> {
        let mut next = self.session_mut(id)?.clone();
        let result = if status == StatusCode::BUSY_HERE {
            next.busy()?
        } else {
            next.reject()?
        };
        self.ports.signaling.reject(id, status).await?;
        *self.session_mut(id)? = next;
        self.end_session(id, result).await;
        Ok(CommandOutcome::Done)
    }

    /// The ACK arrived: media starts (with the answer to our late offer, if it carried one).
    /// For a re-INVITE we answered, an ACK with SDP updates the media.
    pub(super) async fn on_confirmed(
        &mut self,
        id: &SessionId,
        sdp: Option<Sdp>,
    ) -> Result<(), PhoneError> {
        let state = self.session_mut(id)?.state();
        // A chat or a file has no audio: its stream started with our answer.
        let audio = !self.on_message_stream(id);
        if let Some(answer) = &sdp
            && audio
            && (self.take_late_offer(id) || state != CallState::Accepted)
        {
            self.ports.media.apply_answer(id, answer).await?;
        }
        if state != CallState::Accepted {
            return Ok(());
        }
        if audio && let Err(error) = self.ports.media.start(id).await {
            return self.media_failed(id, error).await;
        }
        self.session_mut(id)?.on_confirmed()?;
        self.emit_state(id, CallState::Established).await;
        if self.calls.get(id).is_some_and(|call| call.by_machine) {
            self.start_machine_recording(id).await;
        }
        Ok(())
    }

    /// Whether we sent the offer in our 200 OK, so the ACK carries the answer; only the
    /// first ACK with SDP is that answer.
    fn take_late_offer(&mut self, id: &SessionId) -> bool {
        self.calls
            .get_mut(id)
            .is_some_and(|call| std::mem::take(&mut call.late_offer))
    }

    /// The caller gave up: missed, or answered elsewhere when the CANCEL says why.
    pub(super) async fn on_cancelled(
        &mut self,
        id: &SessionId,
        reason: Option<Reason>,
    ) -> Result<(), PhoneError> {
        let result = self.session_mut(id)?.on_cancelled(reason.as_ref())?;
        self.end_session(id, result).await;
        Ok(())
    }

    /// A re-INVITE from the remote party (hold, resume, media change).
    pub(super) async fn on_reinvite(
        &mut self,
        id: &SessionId,
        offer: Option<Sdp>,
    ) -> Result<(), PhoneError> {
        self.session_mut(id)?;
        let sdp = match &offer {
            Some(offer) => self.ports.media.answer_offer(id, offer).await?,
            None => self.ports.media.create_offer(id).await?,
        };
        self.ports.signaling.answer(id, Some(sdp)).await?;
        Ok(())
    }

    /// The countdown ran out: the answering machine takes the call if it still rings.
    pub(super) async fn answering_machine_fires(&mut self, id: &SessionId) {
        let ringing = self
            .session(id)
            .is_some_and(|s| s.state() == CallState::Alerting);
        if !ringing || !self.settings.answering_machine.enabled {
            return;
        }
        match self.answer(id).await {
            Ok(_) => {
                if let Some(call) = self.calls.get_mut(id) {
                    call.by_machine = true;
                }
                self.emit(PhoneEvent::AnsweringMachineAnswered {
                    session: id.clone(),
                });
            }
            Err(error) => self.emit(PhoneEvent::Problem(format!(
                "the answering machine could not answer: {error}"
            ))),
        }
    }

    async fn start_machine_recording(&mut self, id: &SessionId) {
        // The caller hears the greeting (or silence), never our microphone.
        let greeting = self.settings.answering_machine.greeting.clone();
        let muted = match &greeting {
            Some(path) => match self.ports.media.play(id, Some(path.clone())).await {
                Ok(()) => Ok(()),
                Err(error) => {
                    self.emit(PhoneEvent::Problem(format!(
                        "the answering machine could not play its greeting: {error}"
                    )));
                    self.ports.media.mute(id, true).await
                }
            },
            None => self.ports.media.mute(id, true).await,
        };
        if muted.is_ok()
            && let Some(call) = self.calls.get_mut(id)
        {
            let _ = call.session.set_muted(true);
        }
        let limit = self.settings.answering_machine.message_limit();
        self.timers
            .schedule(Instant::now() + limit, Timer::MessageLimit(id.clone()));
        if let Some(dir) = &self.settings.recordings_dir {
            let path = dir.join(format!("{id}.wav"));
            if let Some(call) = self.calls.get_mut(id) {
                call.session.recording = Some(path.clone());
            }
            if let Err(error) = self.ports.media.record(id, Some(path)).await {
                self.emit(PhoneEvent::Problem(format!(
                    "the answering machine could not record: {error}"
                )));
            }
        }
    }

    /// Switches the answering machine; off also stops running countdowns.
    pub(super) fn set_answering_machine(&mut self, enabled: bool) -> CommandOutcome {
        self.settings.answering_machine.enabled = enabled;
        if !enabled {
            self.timers.cancel_answering_machine();
        }
        CommandOutcome::Done
    }
}
