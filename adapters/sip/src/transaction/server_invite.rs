//! The INVITE server transaction (RFC 3261 §17.2.1 with RFC 6026): 100 Trying at once,
//! timers G, H, I, L, and retransmission of our final response until the ACK.

use std::time::{Duration, Instant};

use super::timers::Armed;
use super::{Event, Input, Pending, Reliability, TimerConfig, backoff};
use crate::message::{HeaderName, Message, Method};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// Retransmit our final response.
    G,
    /// Give up waiting for the ACK of a non-2xx.
    H,
    /// Leave Confirmed.
    I,
    /// Leave Accepted (and give up on the ACK of a 2xx).
    L,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

/// We received an INVITE.
#[derive(Debug)]
pub struct ServerInvite {
    reliability: Reliability,
    config: TimerConfig,
    state: State,
    interval: Duration,
    last_response: Vec<u8>,
    /// The ACK of our 2xx came, or the transaction user waits for it no more.
    acked: bool,
    pub(super) timers: Armed<Timer>,
    pub(super) pending: Pending,
}

/// A response to `request` with its Via, From, To, Call-ID and CSeq copied (RFC 3261 §8.2.6).
pub fn response_to(request: &Message, code: u16, reason: &str) -> Message {
    let mut response = Message::response(code, reason);
    for name in [
        HeaderName::Via,
        HeaderName::From,
        HeaderName::To,
        HeaderName::CallId,
        HeaderName::CSeq,
    ] {
        response.headers.copy_from(&request.headers, &name);
    }
    response
}

impl ServerInvite {
    /// Starts the transaction for an INVITE just received; 100 Trying goes out at once.
    pub fn new(invite: &Message, reliability: Reliability, config: TimerConfig) -> Self {
        let trying = response_to(invite, 100, "Trying").to_bytes();
        let mut t = Self {
            reliability,
            config,
            state: State::Proceeding,
            interval: config.t1,
            last_response: trying,
            acked: false,
            timers: Armed::default(),
            pending: Pending::default(),
        };
        t.pending.transmit(&t.last_response.clone());
        t
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
            Input::Received(request) => self.on_request(now, request),
            Input::Respond(response) => self.on_respond(now, response),
            // Our responses go back on the request's own path; nothing waits on them.
            Input::TransportError => {}
            Input::StopRetransmitting => self.stop_retransmitting(),
            Input::Timeout => {
                for timer in self.timers.expired(now) {
                    self.on_timer(now, timer);
                }
            }
        }
    }

    fn on_request(&mut self, now: Instant, request: Message) {
        let is_ack = request.method() == Some(Method::Ack);
        match (self.state, is_ack) {
            // A retransmitted INVITE: repeat what we said last.
            (State::Proceeding | State::Completed, false) => {
                self.pending.transmit(&self.last_response.clone())
            }
            (State::Completed, true) => {
                self.state = State::Confirmed;
                self.timers.cancel(Timer::G);
                self.timers.cancel(Timer::H);
                match self.reliability {
                    Reliability::Unreliable => self.timers.set(Timer::I, now + self.config.t4),
                    Reliability::Reliable => self.terminate(),
                }
            }
            (State::Accepted, true) if !self.acked => {
                self.acked = true;
                self.timers.cancel(Timer::G);
                self.pending.event(Event::Acked(request));
            }
            _ => {}
        }
    }

    /// The transaction user waits no more for the ACK of our 2xx: it is not sent again,
    /// and neither an ACK nor timer L is reported; the Accepted state goes on absorbing.
    fn stop_retransmitting(&mut self) {
        if self.state == State::Accepted {
            self.acked = true;
            self.timers.cancel(Timer::G);
        }
    }

    fn on_respond(&mut self, now: Instant, response: Message) {
        let Some(code) = response.status() else {
            return;
        };
        if self.state != State::Proceeding {
            return;
        }
        self.last_response = response.to_bytes();
        self.pending.transmit(&self.last_response.clone());
        if code < 200 {
            return;
        }
        self.state = if code < 300 {
            State::Accepted
        } else {
            State::Completed
        };
        if self.reliability == Reliability::Unreliable {
            self.interval = self.config.t1;
            self.timers.set(Timer::G, now + self.interval);
        }
        let deadline = now + self.config.timeout();
        self.timers
            .set(if code < 300 { Timer::L } else { Timer::H }, deadline);
    }

    fn on_timer(&mut self, now: Instant, timer: Timer) {
        match (timer, self.state) {
            (Timer::G, State::Completed) | (Timer::G, State::Accepted) if !self.acked => {
                self.pending.transmit(&self.last_response.clone());
                self.interval = backoff(self.interval, Some(self.config.t2));
                self.timers.set(Timer::G, now + self.interval);
            }
            (Timer::H, State::Completed) => {
                self.pending.event(Event::AckTimeout);
                self.terminate();
            }
            (Timer::I, State::Confirmed) => self.terminate(),
            (Timer::L, State::Accepted) => {
                if !self.acked {
                    self.pending.event(Event::AckTimeout);
                }
                self.terminate();
            }
            _ => {}
        }
    }
}
