//! A bound on what a flood can make us hold: past [`MAX_TRANSACTIONS`] live transactions,
//! a new request from outside our dialogs gets 503 Service Unavailable with `Retry-After`,
//! answered statelessly (the answer adds nothing to hold). Retransmissions, ACKs, CANCELs
//! and requests inside our calls are still served, so the calls in progress go on.
//!
//! A completed transaction lives on for up to 32 s over UDP (timer J) to absorb
//! retransmissions, and a call leaves two (its INVITE's, timer L, and its BYE's): the bound
//! is what a phone answering 500 calls a second holds, about 2 KB each with everything
//! around it (a first bound of 10,000 capped `benches/sip-cps.sh` at 156 calls/s
//! sustained, and failed it at 500 once the steps before had filled it).

use super::{Endpoint, EndpointOutput, Peer};
use crate::message::{HeaderName, Message};
use crate::transaction::response_to;

/// The most transactions we keep at once (wink-cli went from 25 to 92 MB at this bound,
/// and gives it back as they end).
pub(super) const MAX_TRANSACTIONS: usize = 32_768;

/// What a refused sender is told to wait, in seconds.
const RETRY_AFTER: u32 = 10;

impl Endpoint {
    /// Refuses `request` (new, from outside our dialogs) with 503 when we hold too many
    /// transactions; `true` when it did.
    pub(super) fn refused_for_load(&mut self, from: Peer, request: &Message) -> bool {
        if self.transactions.len() < MAX_TRANSACTIONS {
            return false;
        }
        let mut response = response_to(request, 503, "Service Unavailable");
        response
            .headers
            .push(HeaderName::RetryAfter, RETRY_AFTER.to_string());
        super::incoming::tag_to(&mut self.ids, &mut response);
        self.outputs.push_back(EndpointOutput::Transmit {
            peer: from,
            bytes: response.to_bytes(),
        });
        true
    }
}
