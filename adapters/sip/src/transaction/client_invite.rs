//! The INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's Accepted state):
//! timers A, B, D, M, and the ACK for non-2xx final responses.

use std::time::{Duration, Instant};

use super::timers::Armed;
use super::{Event, Input, Pending, Reliability, TimerConfig, backoff};
use crate::message::{CSeq, HeaderName, Message, Method, StartLine};

/// How long Completed absorbs final-response retransmissions on unreliable transports.
const TIMER_D: Duration = Duration::from_secs(32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// Retransmit the INVITE.
    A,
    /// Give up: 408.
    B,
    /// Leave Completed.
    D,
    /// Leave Accepted.
    M,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Calling,
    Proceeding,
    Completed,
    Accepted,
    Terminated,
}

/// We sent an INVITE.
#[derive(Debug)]
pub struct ClientInvite {
    request: Message,
    bytes: Vec<u8>,
    ack: Option<Vec<u8>>,
    reliability: Reliability,
    config: TimerConfig,
    state: State,
    interval: Duration,
    pub(super) timers: Armed<Timer>,
    pub(super) pending: Pending,
}

impl ClientInvite {
    /// Starts the transaction: the INVITE goes out at once.
    pub fn new(
        now: Instant,
        request: &Message,
        reliability: Reliability,
        config: TimerConfig,
    ) -> Self {
        let mut t = Self {
            request: request.clone(),
            bytes: request.to_bytes(),
            ack: None,
            reliability,
            config,
            state: State::Calling,
            interval: config.t1,
            timers: Armed::default(),
            pending: Pending::default(),
        };
        t.pending.transmit(&t.bytes);
        if reliability == Reliability::Unreliable {
            t.timers.set(Timer::A, now + config.t1);
        }
        t.timers.set(Timer::B, now + config.timeout());
        t
    }

    pub(super) fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    /// Whether its final response has not come yet.
    pub(super) fn awaits_final(&self) -> bool {
        matches!(self.state, State::Calling | State::Proceeding)
    }

    /// The request this transaction sent (for CANCEL, which copies its Via and Route).
    pub fn request(&self) -> &Message {
        &self.request
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
                if matches!(self.state, State::Calling | State::Proceeding) {
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
        match (self.state, code) {
            (State::Calling | State::Proceeding, 100..=199) => {
                self.state = State::Proceeding;
                self.timers.cancel(Timer::A);
                self.timers.cancel(Timer::B);
                self.pending.event(Event::Response(response));
            }
            (State::Calling | State::Proceeding, 200..=299) => {
                self.state = State::Accepted;
                self.timers.clear();
                self.timers.set(Timer::M, now + self.config.timeout());
                self.pending.event(Event::Response(response));
            }
            (State::Calling | State::Proceeding, _) => {
                self.state = State::Completed;
                self.timers.clear();
                let ack = build_ack(&self.request, &response).to_bytes();
                self.pending.transmit(&ack);
                self.ack = Some(ack);
                self.pending.event(Event::Response(response));
                match self.reliability {
                    Reliability::Unreliable => self.timers.set(Timer::D, now + TIMER_D),
                    Reliability::Reliable => self.terminate(),
                }
            }
            // 2xx retransmissions go up: the dialog answers each with its ACK.
            (State::Accepted, 200..=299) => self.pending.event(Event::Response(response)),
            (State::Completed, 300..) => {
                if let Some(ack) = &self.ack {
                    self.pending.transmit(&ack.clone());
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, now: Instant, timer: Timer) {
        match (timer, self.state) {
            (Timer::A, State::Calling) => {
                self.pending.transmit(&self.bytes.clone());
                self.interval = backoff(self.interval, None);
                self.timers.set(Timer::A, now + self.interval);
            }
            (Timer::B, State::Calling) => {
                self.pending.event(Event::Timeout);
                self.terminate();
            }
            (Timer::D, State::Completed) | (Timer::M, State::Accepted) => self.terminate(),
            _ => {}
        }
    }
}

/// The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI, Call-ID,
/// From, CSeq number and top Via as the INVITE; the To of the response; its Route headers.
pub(super) fn build_ack(invite: &Message, response: &Message) -> Message {
    let uri = match &invite.start {
        StartLine::Request { uri, .. } => uri.clone(),
        StartLine::Response { .. } => String::new(),
    };
    let mut ack = Message::request(Method::Ack, uri);
    if let Some(via) = invite.headers.list(&HeaderName::Via).first() {
        ack.headers.push(HeaderName::Via, *via);
    }
    ack.headers.copy_from(&invite.headers, &HeaderName::Route);
    ack.headers.push(HeaderName::MaxForwards, "70");
    ack.headers.copy_from(&invite.headers, &HeaderName::From);
    ack.headers.copy_from(&response.headers, &HeaderName::To);
    ack.headers.copy_from(&invite.headers, &HeaderName::CallId);
    let seq = invite.cseq().map(|c| c.seq).unwrap_or(1);
    ack.headers.push(
        HeaderName::CSeq,
        CSeq {
            seq,
            method: Method::Ack,
        }
        .to_string(),
    );
    ack
}
