//! What the TCP/TLS connections tell the endpoint: a connection that could not be opened
//! fails the client transactions waiting on it at once (RFC 3261 §17.1.4), instead of at
//! Timer F 32 s later; a connection to a registrar that closed ends the registration's flow,
//! so the account registers again at once on a new one (RFC 5626 §4.4).

use std::time::Instant;

use wink_ports::AccountId;

use super::{Endpoint, Peer};
use crate::transaction::{Input, TransactionKey};

impl Endpoint {
    /// A connection to `peer` could not be opened: what waited on it has failed.
    pub fn transport_failed(&mut self, now: Instant, peer: Peer) {
        let waiting: Vec<TransactionKey> = self
            .transactions
            .iter()
            .filter(|(_, entry)| entry.peer == peer)
            .map(|(key, _)| key.clone())
            .collect();
        for key in waiting {
            if let Some(entry) = self.transactions.get_mut(&key) {
                entry.transaction.handle(now, Input::TransportError);
            }
            self.drain_transaction(now, &key);
        }
    }

    /// A connection we opened to `peer` has closed: accounts registered through it
    /// register again (which opens a new one).
    pub fn connection_closed(&mut self, now: Instant, peer: Peer) {
        let through: Vec<AccountId> = self
            .accounts
            .iter()
            .filter(|(_, binding)| binding.next_hop == peer)
            .map(|(account, _)| account.clone())
            .collect();
        for account in through {
            if let Some(registration) = self.registrations.get_mut(&account) {
                registration.on_flow_closed(now);
            }
            self.drain_registration(now, &account);
        }
    }
}
