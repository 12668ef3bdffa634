//! The call console of `listen` and `call`: prints phone events, applies the incoming-call
//! policy, and takes call commands from standard input.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::broadcast;
use tokio::time::{Instant, sleep_until};

use super::schedule::{Schedule, Step};
use wink_domain::{CallState, Command, PhoneEvent, PhoneHandle};
use wink_ports::{CallResult, SessionId};

use crate::cli::Refusal;

/// What happens to incoming calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IncomingPolicy {
    /// Print them; the user answers on stdin.
    Ask,
    /// Answer at once.
    Answer,
    /// Refuse with 603 or 486.
    Refuse(Refusal),
}

pub(crate) struct Console<'a> {
    pub(crate) phone: &'a PhoneHandle,
    pub(crate) policy: IncomingPolicy,
    /// The call commands apply to.
    pub(crate) current: Option<SessionId>,
    /// Stop when our calls have ended (`call`), not only on Ctrl-C (`listen`).
    pub(crate) end_with_call: bool,
    /// The call on hold while we consult another party (attended transfer).
    pub(crate) held: Option<SessionId>,
    /// Our calls still going.
    pub(crate) active: Vec<SessionId>,
    /// How the first call ended (what `call` reports).
    pub(crate) first_result: Option<CallResult>,
    /// Answer every file offered (`accept-files`), whatever the policy for calls.
    pub(crate) take_files: bool,
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(365 * 24 * 3600)
}

impl<'a> Console<'a> {
    /// A console for `call` (ends with its calls) or `listen` (`first` is `None`).
    pub(crate) fn new(
        phone: &'a PhoneHandle,
        policy: IncomingPolicy,
        first: Option<SessionId>,
    ) -> Self {
        Self {
            phone,
            policy,
            end_with_call: first.is_some(),
            active: first.iter().cloned().collect(),
            current: first,
            held: None,
            first_result: None,
            take_files: false,
        }
    }

    /// Calls a second party while the first call goes on: on hold (`hold`, the consultation
    /// of an attended transfer) or not (a conference to be).
    async fn call_second(&mut self, target: &str, hold: bool) {
        let Some(current) = self.current.clone() else {
            return eprintln!("error: there is no call");
        };
        if hold {
            self.run_command(Command::Hold(current.clone(), true)).await;
        }
        match self
            .phone
            .execute(Command::Call {
                target: target.to_owned(),
                account: None,
            })
            .await
        {
            Ok(wink_domain::CommandOutcome::Session(consulted)) => {
                if hold {
                    println!(
                        "consulting {target} ({consulted}); 'complete' connects the two calls"
                    );
                } else {
                    println!("calling {target} too ({consulted})");
                }
                self.active.push(consulted.clone());
                self.held = Some(current);
                self.current = Some(consulted);
            }
            Ok(_) => {}
            Err(error) => eprintln!("error: {error}"),
        }
    }

    /// Connects the held call's party with the consulted party (REFER with Replaces).
    async fn complete(&mut self) {
        match (self.held.clone(), self.current.clone()) {
            (Some(held), Some(current)) => {
                self.run_command(Command::TransferToCall(held, current))
                    .await
            }
            _ => eprintln!(
                "error: 'complete' needs a held call and a consulted one (see 'consult TARGET')"
            ),
        }
    }

    /// Joins every call we have in one local conference.
    async fn join_conference(&mut self) {
        let calls = self.active.clone();
        self.held = None;
        match self.phone.execute(Command::Conference(calls.clone())).await {
            Ok(_) => println!("conference of {} calls", calls.len()),
            Err(error) => eprintln!("error: {error}"),
        }
    }

    async fn run_command(&mut self, command: Command) {
        if let Err(error) = self.phone.execute(command).await {
            eprintln!("error: {error}");
        }
    }

    async fn on_line(&mut self, line: &str) -> bool {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else {
            return true;
        };
        match *first {
            "quit" => return false,
            "consult" => {
                self.call_second(&words[1..].join(" "), true).await;
                return true;
            }
            "complete" => {
                self.complete().await;
                return true;
            }
            "conference" if words.get(1) == Some(&"off") => {
                self.run_command(Command::Conference(Vec::new())).await;
                return true;
            }
            "conference" => {
                self.join_conference().await;
                return true;
            }
            _ => {}
        }
        let Some(session) = self.current.clone() else {
            eprintln!("error: there is no call");
            return true;
        };
        match (*first, words.get(1).copied()) {
            ("stats", _) => {
                super::media_commands::print_stats(self.phone, &session).await;
                return true;
            }
            ("record", on) => {
                super::media_commands::record(self.phone, &session, on != Some("off")).await;
                return true;
            }
            _ => {}
        }
        let command = match *first {
            "answer" => Command::Answer(session),
            "reject" => Command::Reject(session),
            "busy" => Command::Busy(session),
            "hangup" => Command::HangUp(session),
            "hold" => Command::Hold(session, true),
            "unhold" => Command::Hold(session, false),
            "mute" => Command::Mute(session, true),
            "unmute" => Command::Mute(session, false),
            "dtmf" => Command::SendDtmf(session, words[1..].concat()),
            "transfer" => Command::Transfer(session, words[1..].join(" ")),
            "say" => Command::SendChat(session, words[1..].join(" ")),
            other => {
                eprintln!(
                    "error: unknown command {other:?} (answer, reject, busy, hangup, hold, unhold, mute, unmute, dtmf KEYS, record [off], stats, transfer TARGET, consult TARGET, complete, conference [off], say TEXT, quit)"
                );
                return true;
            }
        };
        self.run_command(command).await;
        true
    }

    /// Runs until Ctrl-C, `quit`, `duration`, or (for `call`) the end of the call; returns
    /// how the current call ended, if it did.
    pub(crate) async fn run(
        mut self,
        events: &mut broadcast::Receiver<PhoneEvent>,
        duration: Option<Duration>,
        timing: &super::CallTiming,
    ) -> Option<CallResult> {
        let stop_at = duration.map_or_else(far_future, |d| Instant::now() + d);
        let mut schedule = Schedule::default();
        let mut stdin = BufReader::new(tokio::io::stdin()).lines();
        let mut stdin_open = true;
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(event) => {
                        print_event(&event);
                        match event {
                            PhoneEvent::IncomingCall { session, .. } => {
                                self.current = Some(session.clone());
                                match self.policy {
                                    IncomingPolicy::Ask => {}
                                    IncomingPolicy::Answer => self.run_command(Command::Answer(session)).await,
                                    IncomingPolicy::Refuse(Refusal::Decline) => self.run_command(Command::Reject(session)).await,
                                    IncomingPolicy::Refuse(Refusal::Busy) => self.run_command(Command::Busy(session)).await,
                                }
                            }
                            PhoneEvent::IncomingFile { session, .. } if self.take_files => {
                                self.run_command(Command::Answer(session)).await;
                            }
                            PhoneEvent::CallState { session, state: CallState::Established }
                                if self.held.is_some() && Some(&session) == self.current.as_ref() && timing.consult.is_some() =>
                            {
                                // The consulted party answered: connect the two a second later.
                                schedule.after(Duration::from_secs(1), Step::CompleteTransfer);
                            }
                            PhoneEvent::CallState { session, state: CallState::Established }
                                if self.held.is_some() && Some(&session) == self.current.as_ref() && timing.conference.is_some() =>
                            {
                                // The second party answered: all of us in one conference.
                                self.join_conference().await;
                            }
                            PhoneEvent::CallState { session, state: CallState::Established } if Some(&session) == self.current.as_ref() => {
                                let secs = Duration::from_secs;
                                if let Some((_, after)) = &timing.consult {
                                    schedule.after(secs(*after), Step::CallSecond);
                                }
                                if timing.conference.is_some() {
                                    schedule.after(secs(1), Step::CallSecond);
                                }
                                if let Some(after) = timing.hangup_after {
                                    schedule.after(secs(after), Step::HangUp);
                                }
                                if let Some(after) = timing.hold_after {
                                    schedule.after(secs(after), Step::Hold);
                                }
                                if timing.dtmf.is_some() {
                                    schedule.after(secs(1), Step::SendDtmf);
                                }
                                if timing.record {
                                    super::media_commands::record(self.phone, &session, true).await;
                                }
                                if let Some((_, after)) = &timing.transfer {
                                    schedule.after(secs(*after), Step::Transfer);
                                }
                            }
                            PhoneEvent::CallEnded { session, result, .. } => {
                                if self.active.first() == Some(&session) && self.first_result.is_none() {
                                    self.first_result = Some(result);
                                }
                                self.active.retain(|s| s != &session);
                                if self.held.as_ref() == Some(&session) {
                                    self.held = None;
                                }
                                if self.current.as_ref() == Some(&session) {
                                    self.current = self.held.take();
                                }
                                if self.end_with_call && self.active.is_empty() {
                                    return self.first_result.or(Some(result));
                                }
                            }
                            _ => {}
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => eprintln!("warning: {n} events were missed"),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                line = stdin.next_line(), if stdin_open => match line {
                    Ok(Some(line)) => {
                        if !self.on_line(&line).await {
                            return None;
                        }
                    }
                    _ => stdin_open = false,
                },
                () = sleep_until(schedule.next_due()) => {
                    if let Some(step) = schedule.take_due(Instant::now()) {
                        self.take_step(step, timing).await;
                    }
                }
                () = sleep_until(stop_at) => return None,
                _ = tokio::signal::ctrl_c() => return None,
            }
        }
    }
}

/// One line per event, in a form scripts can grep.
pub(crate) fn print_event(event: &PhoneEvent) {
    match event {
        PhoneEvent::MessageReceived { from, body, .. } => {
            println!("message from {}: {body}", from.address())
        }
        PhoneEvent::MessageState { id, state, reason } => match reason {
            Some(reason) => println!("message {id}: {state:?} ({reason})"),
            None => println!("message {id}: {state:?}"),
        },
        PhoneEvent::Registration { account, state } => {
            println!("registration of {account}: {state:?}")
        }
        PhoneEvent::IncomingCall {
            session,
            from,
            display_name,
            web_alert_url,
            ..
        } => {
            let name = display_name
                .as_deref()
                .map(|n| format!("{n} "))
                .unwrap_or_default();
            println!("incoming call {session} from {name}<{}>", from.address());
            if let Some(url) = web_alert_url {
                println!("web page for call {session}: {url}");
            }
        }
        PhoneEvent::WebAlert { session, url } => println!("web page for call {session}: {url}"),
        PhoneEvent::CallState { session, state } => println!("call {session}: {state}"),
        PhoneEvent::CallEnded {
            session,
            result,
            duration_secs,
        } => {
            println!("call {session} ended: {result:?} after {duration_secs} s");
        }
        PhoneEvent::TransferProgress { session, code } => {
            println!("transfer of call {session}: {code}")
        }
        PhoneEvent::TransferRequested { session, target } => {
            println!("call {session} transferred us to <{}>", target.address());
        }
        PhoneEvent::AnsweringMachineAnswered { session } => {
            println!("call {session}: the answering machine answered")
        }
        PhoneEvent::DtmfReceived { session, digit } => {
            println!("call {session}: DTMF received {}", digit.to_char())
        }
        PhoneEvent::DtmfSent { session, digit } => {
            println!("call {session}: DTMF sent {}", digit.to_char())
        }
        PhoneEvent::IncomingFile {
            session,
            name,
            size,
        } => {
            let size = size.map_or_else(|| "size not given".to_owned(), super::progress::size);
            println!("incoming file {session}: {name:?} ({size})");
        }
        PhoneEvent::FileProgress { session, progress } => {
            println!("file {session}: {}", super::progress::line(progress));
        }
        PhoneEvent::FileTransferEnded { session, outcome } => match outcome {
            wink_domain::FileOutcome::Sent => println!("file {session} sent"),
            wink_domain::FileOutcome::Saved(path) => {
                println!("file {session} saved to {}", path.display());
            }
            wink_domain::FileOutcome::Failed(reason) => {
                println!("file {session} failed: {reason}");
            }
        },
        PhoneEvent::Composing { session, active } => {
            let state = if *active {
                "is typing"
            } else {
                "stopped typing"
            };
            println!("chat {session}: the other side {state}");
        }
        PhoneEvent::Problem(text) => eprintln!("problem: {text}"),
        _ => {}
    }
}

impl Console<'_> {
    /// Takes a scripted step of `call`.
    async fn take_step(&mut self, step: Step, timing: &super::CallTiming) {
        match step {
            Step::HangUp => {
                // In a conference every call ends; otherwise the current one.
                let calls = if timing.conference.is_some() {
                    self.active.clone()
                } else {
                    self.current.iter().cloned().collect()
                };
                for session in calls {
                    super::media_commands::print_stats(self.phone, &session).await;
                    self.run_command(Command::HangUp(session)).await;
                }
            }
            Step::SendDtmf => {
                if let (Some(session), Some(keys)) = (self.current.clone(), &timing.dtmf) {
                    self.run_command(Command::SendDtmf(session, keys.clone()))
                        .await;
                }
            }
            Step::Transfer => {
                if let (Some(session), Some((target, _))) = (self.current.clone(), &timing.transfer)
                {
                    self.run_command(Command::Transfer(session, target.clone()))
                        .await;
                }
            }
            Step::CallSecond => {
                if let Some((target, _)) = &timing.consult {
                    self.call_second(target, true).await;
                } else if let Some(target) = &timing.conference {
                    self.call_second(target, false).await;
                }
            }
            Step::CompleteTransfer => self.complete().await,
            Step::Hold => {
                if let Some(session) = self.current.clone() {
                    self.run_command(Command::Hold(session, true)).await;
                }
            }
        }
    }
}
