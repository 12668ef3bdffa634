//! The non-INVITE server transaction (RFC 3261 §17.2.2): timer J.

use std::time::Instant;

use super::timers::Armed;
use super::{Event, Input, Pending, Reliability, TimerConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// Leave Completed.
    J,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

/// We received a request other than INVITE.
#[derive(Debug)]
pub struct ServerNonInvite {
    reliability: Reliability,
    config: TimerConfig,
    state: State,
    last_response: Option<Vec<u8>>,
    pub(super) timers: Armed<Timer>,
    pub(super) pending: Pending,
}

impl ServerNonInvite {
    /// Starts the transaction for a request just received.
    pub fn new(reliability: Reliability, config: TimerConfig) -> Self {
        Self {
            reliability,
            config,
            state: State::Trying,
            last_response: None,
            timers: Armed::default(),
            pending: Pending::default(),
        }
    }

    pub(super) fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.timers.clear();
        self.pending.event(Event::Terminated);
    }

    pub(super) fn handle(&mut self, now: Instant, input: Input) {
        match input {
            // A retransmitted request: repeat our last response, if any.
            Input::Received(_) => {
                if let (State::Proceeding | State::Completed, Some(last)) =
                    (self.state, &self.last_response)
                {
                    let last = last.clone();
                    self.pending.transmit(&last);
                }
            }
            Input::Respond(response) => {
                let Some(code) = response.status() else {
                    return;
                };
                if !matches!(self.state, State::Trying | State::Proceeding) {
                    return;
                }
                let bytes = response.to_bytes();
                self.pending.transmit(&bytes);
                self.last_response = Some(bytes);
                if code < 200 {
                    self.state = State::Proceeding;
                } else {
                    self.state = State::Completed;
                    match self.reliability {
                        Reliability::Unreliable => {
                            self.timers.set(Timer::J, now + self.config.timeout())
                        }
                        Reliability::Reliable => self.terminate(),
                    }
                }
            }
            // Our responses go back on the request's own path; nothing waits on them.
            Input::TransportError | Input::StopRetransmitting => {}
            Input::Timeout => {
                if self.timers.expired(now).contains(&Timer::J) {
                    self.terminate();
                }
            }
        }
    }
}
