//! What a call asks of the endpoint that holds it.

use wink_ports::SignalingEvent;

use crate::endpoint::{Owner, Peer};
use crate::message::Message;
use crate::transaction::TransactionKey;

/// One thing a [`Call`](super::Call) wants done, drained with
/// [`Call::poll_output`](super::Call::poll_output) in the order the call asked. The call
/// never holds a transaction: it names the ones the endpoint keeps for it by their keys.
// Outputs live in a short queue drained at once; boxing the messages would cost an
// allocation each for no memory saved.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(in crate::endpoint) enum CallOutput {
    /// Start a client transaction with this request (its Via is on it already), whose
    /// events go to `owner`.
    Request {
        /// The request, as it goes out.
        message: Message,
        /// Where it goes.
        peer: Peer,
        /// Who hears its responses.
        owner: Owner,
    },
    /// Send this response on the server transaction `key` (one the call was given, or one
    /// it asked for with [`CallOutput::Serve`]).
    Respond {
        /// The server transaction.
        key: TransactionKey,
        /// Our response.
        response: Message,
    },
    /// Start a server transaction for a request the call answers later (with
    /// [`CallOutput::Respond`] on the request's key); its events (the ACK of our 2xx, or
    /// none in time) go back to the call.
    Serve {
        /// Where the request came from.
        peer: Peer,
        /// The request.
        request: Message,
    },
    /// Answer a request at once, on a server transaction of its own.
    Reply {
        /// Where the request came from.
        peer: Peer,
        /// The request.
        request: Message,
        /// Our response.
        response: Message,
    },
    /// Hand an ACK of our 2xx to the server transaction `key` (it stops the 2xx's
    /// retransmissions).
    Ack {
        /// The INVITE's server transaction.
        key: TransactionKey,
        /// The ACK.
        ack: Message,
    },
    /// Send bytes outside any transaction: the ACK of a 2xx to our INVITE.
    Transmit {
        /// Where they go.
        peer: Peer,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Stop the 2xx of the server INVITE transaction `key` (the call ended: its 200 is not
    /// repeated any more); the transaction lives on until timer L, absorbing a late ACK and
    /// retransmissions of the INVITE.
    StopRetransmitting(TransactionKey),
    /// Tell the domain.
    Event(SignalingEvent),
    /// The call is over: the endpoint drops it, and keeps its INVITE for a late 2xx when
    /// `keep_invite` is set (a call we placed and left, RFC 3261 §13.2.2.4).
    Ended {
        /// Whether a late 2xx to our INVITE is still to be acknowledged and ended.
        keep_invite: bool,
    },
}
