//! The RFC 3261 §17 transaction layer, sans-IO.
//!
//! Each transaction is a state machine driven by [`Transaction::handle`] with `(now, input)`;
//! what it wants done is drained with [`Transaction::poll_output`] (bytes to send, events for
//! the transaction user), and [`Transaction::poll_timeout`] says when to call it again with
//! [`Input::Timeout`]. Nothing here reads a clock: tests drive it in virtual time.
//!
//! Deviations, on purpose: the INVITE transactions follow RFC 6026 (an *Accepted* state
//! absorbs 2xx retransmissions for 64·T1), and the server INVITE transaction also
//! retransmits its 2xx until the ACK arrives or the dialog ends (the job RFC 3261 gives the
//! dialog core; [`Input::StopRetransmitting`]), so all retransmission lives in one tested
//! place.

mod client_invite;
mod client_non_invite;
mod key;
mod server_invite;
mod server_non_invite;
mod timers;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub use client_invite::ClientInvite;
pub use client_non_invite::ClientNonInvite;
pub use key::TransactionKey;
pub use server_invite::{ServerInvite, response_to};
pub use server_non_invite::ServerNonInvite;
pub use timers::TimerConfig;

use crate::message::Message;

/// What a transaction is fed.
#[derive(Debug, Clone)]
pub enum Input {
    /// A message from the network matched to this transaction (a response for clients, a
    /// retransmitted request or an ACK for servers).
    Received(Message),
    /// The transaction user sends this response (server transactions only).
    Respond(Message),
    /// The deadline from [`Transaction::poll_timeout`] passed.
    Timeout,
    /// The transport could not deliver to the peer (a connection refused or failed, RFC
    /// 3261 §17.1.4): a client transaction still waiting ends as if timed out.
    TransportError,
    /// The transaction user waits no more for the ACK of our 2xx (the dialog ended, RFC
    /// 3261 §13.3.1.4): a server INVITE transaction stops retransmitting the 2xx and reports
    /// neither the ACK nor its absence, but still absorbs a late ACK and retransmissions of
    /// the INVITE until timer L (which a transaction dropped at once would not: the INVITE
    /// again would ring as a new call). Other transactions ignore it.
    StopRetransmitting,
}

/// What a transaction asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send these bytes to the transaction's peer.
    Transmit(Vec<u8>),
    /// Tell the transaction user.
    Event(Event),
}

/// What the transaction user hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A response to our request (each provisional and the final once; 2xx retransmissions
    /// of an INVITE too, so the dialog can repeat its ACK).
    Response(Message),
    /// No final response in time (timer B or F): report 408.
    Timeout,
    /// The request could not be sent: the connection was refused or its TLS handshake
    /// failed (RFC 3261 §17.1.4).
    Unreachable,
    /// Our final response to an INVITE was never acknowledged (timer H, or L for 2xx).
    AckTimeout,
    /// An ACK for our 2xx arrived (server INVITE): the call is confirmed.
    Acked(Message),
    /// The transaction is over and can be forgotten.
    Terminated,
}

/// Whether the transport retransmits for us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reliability {
    /// UDP: we retransmit.
    Unreliable,
    /// TCP, TLS: the transport does.
    Reliable,
}

/// Outputs and the next deadline: the common plumbing of every transaction.
#[derive(Debug, Default)]
struct Pending {
    outputs: VecDeque<Output>,
}

impl Pending {
    fn transmit(&mut self, bytes: &[u8]) {
        self.outputs.push_back(Output::Transmit(bytes.to_vec()));
    }

    fn event(&mut self, event: Event) {
        self.outputs.push_back(Output::Event(event));
    }
}

/// Any of the four transaction kinds.
#[derive(Debug)]
pub enum Transaction {
    /// We sent an INVITE.
    ClientInvite(ClientInvite),
    /// We sent another request.
    ClientNonInvite(ClientNonInvite),
    /// We received an INVITE.
    ServerInvite(ServerInvite),
    /// We received another request.
    ServerNonInvite(ServerNonInvite),
}

impl Transaction {
    /// Feeds an input at `now`.
    pub fn handle(&mut self, now: Instant, input: Input) {
        match self {
            Transaction::ClientInvite(t) => t.handle(now, input),
            Transaction::ClientNonInvite(t) => t.handle(now, input),
            Transaction::ServerInvite(t) => t.handle(now, input),
            Transaction::ServerNonInvite(t) => t.handle(now, input),
        }
    }

    /// The next output, until `None`.
    pub fn poll_output(&mut self) -> Option<Output> {
        match self {
            Transaction::ClientInvite(t) => t.pending.outputs.pop_front(),
            Transaction::ClientNonInvite(t) => t.pending.outputs.pop_front(),
            Transaction::ServerInvite(t) => t.pending.outputs.pop_front(),
            Transaction::ServerNonInvite(t) => t.pending.outputs.pop_front(),
        }
    }

    /// When to feed [`Input::Timeout`] next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Transaction::ClientInvite(t) => t.timers.next(),
            Transaction::ClientNonInvite(t) => t.timers.next(),
            Transaction::ServerInvite(t) => t.timers.next(),
            Transaction::ServerNonInvite(t) => t.timers.next(),
        }
    }

    /// Whether we sent a request and its final response has not come yet (a client
    /// transaction lingering to absorb retransmissions has had its answer).
    pub fn awaits_final(&self) -> bool {
        match self {
            Transaction::ClientInvite(t) => t.awaits_final(),
            Transaction::ClientNonInvite(t) => t.awaits_final(),
            Transaction::ServerInvite(_) | Transaction::ServerNonInvite(_) => false,
        }
    }

    /// Whether it is over.
    pub fn is_terminated(&self) -> bool {
        match self {
            Transaction::ClientInvite(t) => t.is_terminated(),
            Transaction::ClientNonInvite(t) => t.is_terminated(),
            Transaction::ServerInvite(t) => t.is_terminated(),
            Transaction::ServerNonInvite(t) => t.is_terminated(),
        }
    }
}

/// `min(2 * interval, cap)`: the retransmission back-off of timers A, E and G.
fn backoff(interval: Duration, cap: Option<Duration>) -> Duration {
    let doubled = interval * 2;
    cap.map_or(doubled, |cap| doubled.min(cap))
}

#[cfg(test)]
mod tests;
