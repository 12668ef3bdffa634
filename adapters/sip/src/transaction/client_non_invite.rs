//! The non-INVITE client transaction (RFC 3261 §17.1.2): timers E, F, K.

use std::time::{Duration, Instant};

use super::timers::Armed;
use super::{Event, Input, Pending, Reliability, TimerConfig, backoff};
use crate::message::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// Retransmit the request (unreliable transports).
    E,
    /// Give up: 408.
    F,
    /// Linger in Completed to absorb response retransmissions.
    K,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

/// We sent a request other than INVITE and wait for its final response.
#[derive(Debug)]
pub struct ClientNonInvite {
    request: Vec<u8>,
    reliability: Reliability,
    config: TimerConfig,
    state: State,
    interval: Duration,
    pub(super) timers: Armed<Timer>,
    pub(super) pending: Pending,
}

impl ClientNonInvite {
    /// Starts the transaction: the request goes out at once.
    pub fn new(
        now: Instant,
        request: &Message,
        reliability: Reliability,
        config: TimerConfig,
    ) -> Self {
        let mut t = Self {
            request: request.to_bytes(),
            reliability,
            config,
            state: State::Trying,
            interval: config.t1,
            timers: Armed::default(),
            pending: Pending::default(),
        };
        t.pending.transmit(&t.request);
        if reliability == Reliability::Unreliable {
            t.timers.set(Timer::E, now + config.t1);
        }
        t.timers.set(Timer::F, now + config.timeout());
        t
    }

    pub(super) fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    /// Whether its final response has not come yet.
    pub(super) fn awaits_final(&self) -> bool {
        matches!(self.state, State::Trying | State::Proceeding)
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.timers.clear();
        self.pending.event(Event::Terminated);
    }

    pub(super) fn handle(&mut self, now: Instant, input: Input) {
        match input {
            Input::Received(response) => self.on_response(now, response),
            Input::Timeout => {
                for timer in self.timers.expired(now) {
                    self.on_timer(now, timer);
                }
            }
            Input::Respond(_) | Input::StopRetransmitting => {}
            Input::TransportError => {
                if matches!(self.state, State::Trying | State::Proceeding) {
                    self.pending.event(Event::Unreachable);
                    self.terminate();
                }
            }
        }
    }

    fn on_response(&mut self, now: Instant, response: Message) {
        let Some(code) = response.status() else {
            return;
        };
        match self.state {
            State::Trying | State::Proceeding if code < 200 => {
                self.state = State::Proceeding;
                self.pending.event(Event::Response(response));
            }
            State::Trying | State::Proceeding => {
                self.state = State::Completed;
                self.timers.clear();
                self.pending.event(Event::Response(response));
                match self.reliability {
                    Reliability::Unreliable => self.timers.set(Timer::K, now + self.config.t4),
                    Reliability::Reliable => self.terminate(),
                }
            }
            // Retransmitted responses are absorbed.
            State::Completed | State::Terminated => {}
        }
    }

    fn on_timer(&mut self, now: Instant, timer: Timer) {
        match (timer, self.state) {
            (Timer::E, State::Trying | State::Proceeding) => {
                self.pending.transmit(&self.request);
                self.interval = if self.state == State::Proceeding {
                    self.config.t2
                } else {
                    backoff(self.interval, Some(self.config.t2))
                };
                self.timers.set(Timer::E, now + self.interval);
            }
            (Timer::F, State::Trying | State::Proceeding) => {
                self.pending.event(Event::Timeout);
                self.terminate();
            }
            (Timer::K, State::Completed) => self.terminate(),
            _ => {}
        }
    }
}
