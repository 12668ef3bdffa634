//! Outgoing calls and what both directions share: hang-up, hold, mute, DTMF, the end of a
//! call (history, missed count).

use tokio::time::Instant;
use tracing::{debug, warn};
use wink_ports::{CallResult, DtmfDigit, InviteRequest, Sdp, SessionId, StatusCode};

use super::call::Call;
use super::files::{Offering, is_message_stream};
use super::timers::Timer;
use super::{CommandOutcome, Phone, PhoneError, PhoneEvent};
use crate::number_rules::PAUSE;
use crate::{CallState, DtmfMethod, DtmfStep, Session, Target, history};

impl Phone {
    pub(super) async fn call(
        &mut self,
        typed: &str,
        requested: Option<&wink_ports::AccountId>,
    ) -> Result<CommandOutcome, PhoneError> {
        self.place_call(typed, requested, None).await
    }

    /// Places a call; `replaces` makes it replace one of the target's calls (RFC 3891).
    pub(super) async fn place_call(
        &mut self,
        typed: &str,
        requested: Option<&wink_ports::AccountId>,
        replaces: Option<String>,
    ) -> Result<CommandOutcome, PhoneError> {
        self.place_session(typed, requested, replaces, Offering::Audio)
            .await
    }

    /// Places a session carrying what is offered (an audio call, a chat, a file).
    pub(super) async fn place_session(
        &mut self,
        typed: &str,
        requested: Option<&wink_ports::AccountId>,
        replaces: Option<String>,
        offering: Offering,
    ) -> Result<CommandOutcome, PhoneError> {
        let media = offering.media();
        let account = self.pick_account(requested)?;
        let account_id = account.id.clone();
        let resolved = Target::parse(typed)?.resolve(account)?;
        let id = self.new_session_id();
        let mut session = Session::outgoing(
            id.clone(),
            account_id.clone(),
            resolved.uri.clone(),
            self.ports.clock.now(),
        );
        session.dtmf_tail = resolved.dtmf_tail;
        session.media = vec![media];

        let offer = match &offering {
            Offering::Chat => self.chat_offer(&id).await?,
            Offering::File(path) => self.file_offer(&id, path).await?,
            Offering::Audio => self.ports.media.create_offer(&id).await?,
        };
        let request = InviteRequest {
            session: id.clone(),
            account: account_id.clone(),
            target: resolved.uri,
            offer: Some(offer),
            replaces,
        };
        if let Err(error) = self.ports.signaling.invite(request).await {
            self.stop_streams(&id, offering.on_message_stream()).await;
            return Err(error.into());
        }
        let remote = session.remote.clone();
        self.calls.insert(id.clone(), Call::outgoing(session));
        self.last_dialed = Some((typed.to_owned(), requested.cloned()));
        self.emit(PhoneEvent::OutgoingCall {
            session: id.clone(),
            account: account_id,
            to: remote,
            media,
        });
        self.emit_state(&id, CallState::Calling).await;
        Ok(CommandOutcome::Session(id))
    }

    pub(super) async fn redial(&mut self) -> Result<CommandOutcome, PhoneError> {
        let (target, account) = self
            .last_dialed
            .clone()
            .ok_or(PhoneError::NothingToRedial)?;
        self.call(&target, account.as_ref()).await
    }

    /// A 1xx to our INVITE; with SDP it starts early media.
    pub(super) async fn on_progress(
        &mut self,
        id: &SessionId,
        sdp: Option<Sdp>,
    ) -> Result<(), PhoneError> {
        self.session_mut(id)?.clone().on_progress(sdp.is_some())?;
        if let Some(sdp) = &sdp
            && !self.answer_applied(id)
            && !self.on_message_stream(id)
        {
            self.ports.media.apply_answer(id, sdp).await?;
            self.ports.media.start(id).await?;
            self.call_mut(id)?.answer_applied = true;
        }
        let session = self.session_mut(id)?;
        session.on_progress(sdp.is_some())?;
        let state = session.state();
        self.emit_state(id, state).await;
        Ok(())
    }

    /// The dialog exists but we cannot talk: say why and end the call cleanly rather than
    /// leave it silent.
    pub(super) async fn media_failed(
        &mut self,
        id: &SessionId,
        error: wink_ports::MediaError,
    ) -> Result<(), PhoneError> {
        warn!(target: "media", session = %id, %error, "media failed; hanging up");
        self.emit(PhoneEvent::Problem(format!(
            "the call's audio could not start: {error}"
        )));
        let _ = self.ports.signaling.hang_up(id).await;
        let result = self.session_mut(id)?.fail();
        self.end_session(id, result).await;
        Err(error.into())
    }

    /// The 2xx to our INVITE.
    pub(super) async fn on_answered(
        &mut self,
        id: &SessionId,
        sdp: Option<Sdp>,
    ) -> Result<(), PhoneError> {
        if self.on_message_stream(id) {
            return self.on_chat_answered(id, sdp).await;
        }
        let now = self.ports.clock.now();
        self.session_mut(id)?.clone().on_answered(now)?;
        let media = async {
            if let Some(sdp) = &sdp
                && !self.answer_applied(id)
            {
                self.ports.media.apply_answer(id, sdp).await?;
            }
            self.ports.media.start(id).await
        };
        if let Err(error) = media.await {
            return self.media_failed(id, error).await;
        }
        let call = self.call_mut(id)?;
        call.session.on_answered(now)?;
        call.dtmf_queue = std::mem::take(&mut call.session.dtmf_tail).into();
        let dtmf_to_play = !call.dtmf_queue.is_empty();
        self.emit_state(id, CallState::Established).await;
        if dtmf_to_play {
            self.timers
                .schedule(Instant::now(), Timer::DtmfTail(id.clone()));
        }
        Ok(())
    }

    /// Whether the answer SDP of our call was applied already (from a 183).
    fn answer_applied(&self, id: &SessionId) -> bool {
        self.calls.get(id).is_some_and(|call| call.answer_applied)
    }

    /// A final error to our INVITE.
    pub(super) async fn on_failed(&mut self, id: &SessionId, code: u16) -> Result<(), PhoneError> {
        let result = self.session_mut(id)?.on_failed(code)?;
        self.end_session(id, result).await;
        Ok(())
    }

    /// The remote party sent BYE.
    pub(super) async fn on_hung_up(&mut self, id: &SessionId) -> Result<(), PhoneError> {
        let result = self.session_mut(id)?.hang_up()?;
        self.end_session(id, result).await;
        Ok(())
    }

    /// Ends a call in whatever way fits its state.
    pub(super) async fn hang_up(&mut self, id: &SessionId) -> Result<CommandOutcome, PhoneError> {
        let state = self.session_mut(id)?.state();
        let result = match state {
            CallState::Calling | CallState::Ringing | CallState::EarlyMedia => {
                let result = self.session_mut(id)?.clone().cancel()?;
                self.ports.signaling.cancel(id).await?;
                result
            }
            CallState::Alerting => return self.refuse(id, StatusCode::DECLINE).await,
            _ => {
                let result = self.session_mut(id)?.clone().hang_up()?;
                self.ports.signaling.hang_up(id).await?;
                result
            }
        };
        self.end_session(id, result).await;
        Ok(CommandOutcome::Done)
    }

    pub(super) async fn hold(
        &mut self,
        id: &SessionId,
        on_hold: bool,
    ) -> Result<CommandOutcome, PhoneError> {
        let mut next = self.session_mut(id)?.clone();
        next.set_hold(on_hold)?;
        let offer = self.ports.media.hold(id, on_hold).await?;
        self.ports.signaling.reinvite(id, offer).await?;
        let state = next.state();
        *self.session_mut(id)? = next;
        self.emit_state(id, state).await;
        Ok(CommandOutcome::Done)
    }

    pub(super) async fn mute(
        &mut self,
        id: &SessionId,
        muted: bool,
    ) -> Result<CommandOutcome, PhoneError> {
        self.session_mut(id)?.clone().set_muted(muted)?;
        self.ports.media.mute(id, muted).await?;
        self.session_mut(id)?.set_muted(muted)?;
        self.emit(PhoneEvent::Muted {
            session: id.clone(),
            muted,
        });
        Ok(CommandOutcome::Done)
    }

    pub(super) async fn send_dtmf(
        &mut self,
        id: &SessionId,
        keys: &str,
    ) -> Result<CommandOutcome, PhoneError> {
        let digits = keys
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| DtmfDigit::from_char(c).ok_or(PhoneError::BadDtmf(c)))
            .collect::<Result<Vec<_>, _>>()?;
        let session = self.session_mut(id)?;
        if !session.is_connected() && session.state() != CallState::EarlyMedia {
            return Err(crate::SessionError::InvalidTransition {
                state: session.state(),
                action: "send DTMF in",
            }
            .into());
        }
        for digit in digits {
            self.send_key(id, digit).await?;
            self.emit(PhoneEvent::DtmfSent {
                session: id.clone(),
                digit,
            });
        }
        Ok(CommandOutcome::Done)
    }

    /// Starts recording a connected call to `<recordings>/<session>.wav`, or stops.
    pub(super) async fn record(
        &mut self,
        id: &SessionId,
        on: bool,
    ) -> Result<CommandOutcome, PhoneError> {
        let session = self.session_mut(id)?;
        if !session.is_connected() {
            return Err(crate::SessionError::InvalidTransition {
                state: session.state(),
                action: "record",
            }
            .into());
        }
        if !on {
            self.ports.media.record(id, None).await?;
            return Ok(CommandOutcome::Done);
        }
        let dir = self
            .settings
            .recordings_dir
            .clone()
            .ok_or(PhoneError::NoRecordingsFolder)?;
        let path = dir.join(format!("{id}.wav"));
        self.ports.media.record(id, Some(path.clone())).await?;
        if let Some(call) = self.calls.get_mut(id) {
            call.session.recording = Some(path.clone());
        }
        Ok(CommandOutcome::Recording(path))
    }

    /// Sends one key the account's way: RFC 4733 in the media stream, or SIP INFO for
    /// accounts set so, and also when the other side agreed to no telephone-event.
    async fn send_key(&mut self, id: &SessionId, digit: DtmfDigit) -> Result<(), PhoneError> {
        let account = self.session_mut(id)?.account.clone();
        let method = self
            .account(&account)
            .map_or(DtmfMethod::default(), |a| a.dtmf_method);
        if method == DtmfMethod::Rfc4733 {
            match self.ports.media.send_dtmf(id, digit).await {
                Err(wink_ports::MediaError::NotAcceptable(reason)) => {
                    debug!(target: "media", session = %id, %reason, "no telephone-event: DTMF goes as SIP INFO");
                }
                other => return Ok(other?),
            }
        }
        Ok(self.ports.signaling.send_dtmf_info(id, digit).await?)
    }

    /// Plays the DTMF tail up to the next pause.
    pub(super) async fn play_dtmf_tail(&mut self, id: &SessionId) {
        while let Some(step) = self
            .calls
            .get_mut(id)
            .and_then(|call| call.dtmf_queue.pop_front())
        {
            match step {
                DtmfStep::Pause => {
                    self.timers
                        .schedule(Instant::now() + PAUSE, Timer::DtmfTail(id.clone()));
                    return;
                }
                DtmfStep::Key(digit) => {
                    if let Err(error) = self.send_key(id, digit).await {
                        self.emit(PhoneEvent::Problem(format!("could not send DTMF: {error}")));
                        if let Some(call) = self.calls.get_mut(id) {
                            call.dtmf_queue.clear();
                        }
                        return;
                    }
                    self.emit(PhoneEvent::DtmfSent {
                        session: id.clone(),
                        digit,
                    });
                }
            }
        }
    }

    /// Stops what a session carried: its chat stream, or its audio.
    /// Stops a session's media: its message stream, or its audio.
    pub(super) async fn stop_streams(&self, id: &SessionId, message_stream: bool) {
        if message_stream {
            self.ports.streams.close(id).await;
        } else {
            self.stop_media(id).await;
        }
    }

    pub(super) async fn stop_media(&self, id: &SessionId) {
        if let Err(error) = self.ports.media.stop(id).await {
            warn!(target: "media", session = %id, %error, "stopping media failed");
        }
    }

    /// A call is over: stop media, write history, count a missed call, tell the UI.
    pub(super) async fn end_session(&mut self, id: &SessionId, result: CallResult) {
        let Some(Call {
            session,
            transferred_from,
            ..
        }) = self.calls.remove(id)
        else {
            return;
        };
        if session.in_conference {
            self.leave_conference().await;
        }
        let message_stream = session.media.iter().any(|m| is_message_stream(*m));
        self.stop_streams(id, message_stream).await;
        if session.media.contains(&wink_ports::MediaKind::Chat) {
            self.remember_ended_chat(id, &session);
        }
        self.timers.cancel_session(id);
        let record = history::record_for(&session, result, self.ports.clock.now());
        let duration_secs = record.duration_secs();
        if let Err(error) = self.ports.storage.add_history(record).await {
            self.emit(PhoneEvent::Problem(format!(
                "the call could not be written to history: {error}"
            )));
        }
        // The record is gone: a transferor waiting on this call is told from what it held.
        self.announce_state(id, CallState::Terminated(result), transferred_from.as_ref())
            .await;
        self.emit(PhoneEvent::CallEnded {
            session: id.clone(),
            result,
            duration_secs,
        });
        if self.missed.observe(result) {
            self.emit(PhoneEvent::MissedCalls(self.missed.count()));
        }
    }
}
