//! Driving the phone: command dispatch, port events, timers, and the task loop behind a
//! [`PhoneHandle`].

use futures_util::StreamExt;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::{Instant, sleep_until};
use tracing::{debug, warn};
use wink_ports::{MediaEvent, RegistrationState, SignalingEvent, StatusCode};

use super::incoming::IncomingInvite;
use super::timers::Timer;
use super::{Command, CommandOutcome, Phone, PhoneError, PhoneEvent, PhoneSettings, Ports};

struct Request {
    command: Command,
    reply: oneshot::Sender<Result<CommandOutcome, PhoneError>>,
}

/// A cheap, cloneable handle on a running phone: send commands, subscribe to events.
#[derive(Clone)]
pub struct PhoneHandle {
    commands: mpsc::Sender<Request>,
    events: broadcast::Sender<PhoneEvent>,
}

impl PhoneHandle {
    /// Runs a command and waits for its outcome.
    ///
    /// # Errors
    /// The command's [`PhoneError`], or [`PhoneError::Stopped`] if the phone is gone.
    pub async fn execute(&self, command: Command) -> Result<CommandOutcome, PhoneError> {
        let (reply, outcome) = oneshot::channel();
        self.commands
            .send(Request { command, reply })
            .await
            .map_err(|_| PhoneError::Stopped)?;
        outcome.await.map_err(|_| PhoneError::Stopped)?
    }

    /// Subscribes to the phone's events.
    pub fn subscribe(&self) -> broadcast::Receiver<PhoneEvent> {
        self.events.subscribe()
    }
}

impl Phone {
    /// Starts the phone as a task on the current tokio runtime; it stops when every
    /// handle is dropped.
    pub fn spawn(ports: Ports, settings: PhoneSettings) -> PhoneHandle {
        let phone = Phone::new(ports, settings);
        let (commands, receiver) = mpsc::channel(64);
        let handle = PhoneHandle {
            commands,
            events: phone.events.clone(),
        };
        tokio::spawn(phone.run(receiver));
        handle
    }

    async fn run(mut self, mut commands: mpsc::Receiver<Request>) {
        self.restore_missed_calls().await;
        let mut signaling = self.ports.signaling.events();
        let mut media = self.ports.media.events();
        let mut streams = self.ports.streams.events();
        let (mut signaling_open, mut media_open, mut streams_open) = (true, true, true);
        loop {
            let deadline = self.timers.next_deadline();
            tokio::select! {
                request = commands.recv() => {
                    let Some(Request { command, reply }) = request else { break };
                    let outcome = self.execute(command).await;
                    let _ = reply.send(outcome);
                }
                event = signaling.next(), if signaling_open => match event {
                    Some(event) => self.on_signaling(event).await,
                    None => signaling_open = false,
                },
                event = media.next(), if media_open => match event {
                    Some(event) => self.on_media(event).await,
                    None => media_open = false,
                },
                event = streams.next(), if streams_open => match event {
                    Some(event) => self.on_stream(event).await,
                    None => streams_open = false,
                },
                () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.on_timers(Instant::now()).await;
                }
            }
        }
        debug!("phone stopped: every handle was dropped");
    }

    /// Runs one command.
    ///
    /// # Errors
    /// A [`PhoneError`] that says what went wrong; nothing changes when a command fails.
    pub async fn execute(&mut self, command: Command) -> Result<CommandOutcome, PhoneError> {
        match command {
            Command::SetAccount(account) => Ok(self.set_account(*account)),
            Command::RemoveAccount(account) => self.remove_account(&account).await,
            Command::SetDefaultAccount(account) => self.set_default_account(account),
            Command::Register(account) => self.register(&account).await,
            Command::Unregister(account) => self.unregister(&account).await,
            Command::Call { target, account } => self.call(&target, account.as_ref()).await,
            Command::Redial => self.redial().await,
            Command::Answer(session) => self.answer(&session).await,
            Command::Reject(session) => self.refuse(&session, StatusCode::DECLINE).await,
            Command::Busy(session) => self.refuse(&session, StatusCode::BUSY_HERE).await,
            Command::HangUp(session) => self.hang_up(&session).await,
            Command::Hold(session, on) => self.hold(&session, on).await,
            Command::Mute(session, on) => self.mute(&session, on).await,
            Command::SendDtmf(session, keys) => self.send_dtmf(&session, &keys).await,
            Command::Record(session, on) => self.record(&session, on).await,
            Command::Conference(sessions) => self.conference(sessions).await,
            Command::SilenceParticipant(session, on) => {
                self.silence_participant(&session, on).await
            }
            Command::Stats(session) => {
                self.session_mut(&session)?;
                Ok(CommandOutcome::Stats(
                    self.ports.media.stats(&session).await?,
                ))
            }
            Command::SendMessage {
                target,
                text,
                account,
            } => self.send_message(&target, &text, account.as_ref()).await,
            Command::Chat { target, account } => self.start_chat(&target, account.as_ref()).await,
            Command::SendChat(session, text) => self.send_chat(&session, &text).await,
            Command::Composing(session, active) => self.say_composing(&session, active).await,
            Command::Resend(message) => self.resend(&message).await,
            Command::SendFile {
                target,
                path,
                account,
            } => self.send_file(&target, path, account.as_ref()).await,
            Command::Transfer(session, target) => self.transfer(&session, &target).await,
            Command::TransferToCall(session, other) => {
                self.transfer_to_call(&session, &other).await
            }
            Command::SetAnsweringMachine(on) => Ok(self.set_answering_machine(on)),
            Command::UseAudioDevices { input, output } => {
                self.ports.media.use_devices(input, output).await?;
                Ok(CommandOutcome::Done)
            }
            Command::ClearMissedCalls => {
                self.missed.reset();
                let now = self.ports.clock.now();
                if let Err(error) = self.ports.storage.set_missed_viewed_at(now).await {
                    self.emit(PhoneEvent::Problem(format!(
                        "when the missed calls were seen could not be saved: {error}"
                    )));
                }
                self.emit(PhoneEvent::MissedCalls(0));
                Ok(CommandOutcome::Done)
            }
        }
    }

    /// The missed calls since the user last looked, from the store (on start).
    pub(super) async fn restore_missed_calls(&mut self) {
        let since = match self.ports.storage.missed_viewed_at().await {
            Ok(viewed) => viewed.unwrap_or(wink_ports::UnixMillis(0)),
            Err(error) => {
                debug!(%error, "no missed-call count from storage");
                return;
            }
        };
        match self.ports.storage.missed_count(since).await {
            Ok(count) => {
                self.missed = crate::history::MissedCalls::starting_at(count);
                if count > 0 {
                    self.emit(PhoneEvent::MissedCalls(count));
                }
            }
            Err(error) => debug!(%error, "no missed-call count from storage"),
        }
    }

    /// Handles one event from the signaling adapter. Events that do not fit a call's state
    /// (late retransmissions, races) are logged and dropped; they never panic.
    pub async fn on_signaling(&mut self, event: SignalingEvent) {
        let outcome = match event {
            SignalingEvent::Registration { account, state } => {
                let registered = matches!(state, RegistrationState::Registered { .. });
                self.on_registration(account.clone(), state);
                if registered {
                    self.resend_unsent(&account).await;
                }
                Ok(())
            }
            SignalingEvent::IncomingCall {
                session,
                account,
                from,
                from_display,
                to,
                offer,
                replaces,
            } => {
                let invite = IncomingInvite {
                    session,
                    account,
                    from,
                    from_display,
                    to,
                    offer,
                    replaces,
                };
                self.on_incoming_call(invite).await
            }
            SignalingEvent::Progress { session, sdp, .. } => self.on_progress(&session, sdp).await,
            SignalingEvent::Answered { session, sdp } => self.on_answered(&session, sdp).await,
            SignalingEvent::Confirmed { session, sdp } => self.on_confirmed(&session, sdp).await,
            SignalingEvent::Failed { session, code, .. } => self.on_failed(&session, code).await,
            SignalingEvent::Cancelled { session, reason } => {
                self.on_cancelled(&session, reason).await
            }
            SignalingEvent::HungUp { session } => self.on_hung_up(&session).await,
            SignalingEvent::ReInvite { session, offer } => self.on_reinvite(&session, offer).await,
            SignalingEvent::TransferRequested {
                session,
                target,
                replaces,
            } => self.on_transfer_requested(&session, target, replaces).await,
            SignalingEvent::TransferProgress { session, code, .. } => {
                self.on_transfer_progress(&session, code).await
            }
            SignalingEvent::MessageReceived {
                account,
                from,
                content_type,
                body,
            } => {
                self.on_message_received(account, from, content_type, body)
                    .await;
                Ok(())
            }
            SignalingEvent::DtmfReceived { session, digit } => {
                let known = self.session_mut(&session).map(|_| ());
                if known.is_ok() {
                    self.emit(PhoneEvent::DtmfReceived { session, digit });
                }
                known
            }
            SignalingEvent::MessageOutcome { id, outcome } => {
                self.on_message_outcome(&id, outcome).await;
                Ok(())
            }
            other => {
                debug!(?other, "signaling event not handled yet");
                Ok(())
            }
        };
        if let Err(error) = outcome {
            warn!(%error, "signaling event dropped");
        }
    }

    /// Handles one event from the media adapter.
    pub async fn on_media(&mut self, event: MediaEvent) {
        match event {
            MediaEvent::DtmfReceived { session, digit } => {
                self.emit(PhoneEvent::DtmfReceived { session, digit });
            }
            MediaEvent::DeviceMissing { device } => {
                self.emit(PhoneEvent::Problem(format!(
                    "the audio device {device} is not there: calls use the system default \
                     until it is back"
                )));
            }
            MediaEvent::MediaTimeout { session } => {
                self.emit(PhoneEvent::Problem(format!(
                    "no audio arrives in call {session}; hanging up"
                )));
                if let Err(error) = self.hang_up(&session).await {
                    warn!(%error, "hang-up after media timeout failed");
                }
            }
            other => debug!(?other, "media event not handled yet"),
        }
    }

    /// The earliest timer deadline, for a driver that runs the phone by hand.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// Fires every timer due at `now`.
    pub async fn on_timers(&mut self, now: Instant) {
        for timer in self.timers.take_due(now) {
            match timer {
                Timer::AnsweringMachine(session) => self.answering_machine_fires(&session).await,
                Timer::MessageLimit(session) | Timer::FileReceived(session) => {
                    if let Err(error) = self.hang_up(&session).await {
                        debug!(%error, "the session had already ended");
                    }
                }
                Timer::DtmfTail(session) => self.play_dtmf_tail(&session).await,
            }
        }
    }
}
