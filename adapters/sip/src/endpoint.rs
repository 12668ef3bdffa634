//! The user-agent core, sans-IO: accounts, registrations, transactions, incoming requests.
//!
//! Fed with received bytes ([`Endpoint::handle_received`]), timeouts and commands; drained
//! with [`Endpoint::poll_output`] (bytes for a peer, or a [`SignalingEvent`]) until it returns
//! `None`, then [`Endpoint::poll_timeout`] says when to call back. Every input is checked
//! before it is routed: a malformed request is answered with the error code and a reason
//! phrase that says what is wrong, a malformed response is dropped, nothing panics.
//!
//! Each call is a sans-IO machine of its own (`call`, with its own output queue); the
//! endpoint holds the calls and the transactions, and only routes between them
//! (`calls`).

mod call;
mod calls;
mod ended_calls;
mod incoming;
mod invite_checks;
mod outbound_route;
mod outgoing;
mod overload;
mod session_timer;
mod timer_queue;
mod transfer;
mod transport_events;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use tracing::debug;
use wink_ports::{AccountId, MessageId, SessionId, SignalingEvent};

use crate::digest::Credentials;
pub use crate::ids::Ids;
use crate::message::{HeaderName, Message};
use crate::registration::{Registration, RegistrationOutput};
use crate::transaction::{Event, Output, Reliability, TimerConfig, Transaction, TransactionKey};

/// A transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
}

impl TransportKind {
    /// The name in Via headers.
    pub fn via_name(self) -> &'static str {
        match self {
            TransportKind::Udp => "UDP",
            TransportKind::Tcp => "TCP",
            TransportKind::Tls => "TLS",
        }
    }

    /// The name in URI `transport=` parameters.
    pub fn param(self) -> &'static str {
        match self {
            TransportKind::Udp => "udp",
            TransportKind::Tcp => "tcp",
            TransportKind::Tls => "tls",
        }
    }

    fn reliability(self) -> Reliability {
        match self {
            TransportKind::Udp => Reliability::Unreliable,
            TransportKind::Tcp | TransportKind::Tls => Reliability::Reliable,
        }
    }
}

/// Where a message goes or came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Peer {
    /// The address.
    pub addr: SocketAddr,
    /// The transport.
    pub transport: TransportKind,
}

/// What the endpoint asks the driver to do.
// Outputs live in a short queue drained at once; boxing every event would cost an
// allocation each for no memory saved.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointOutput {
    /// Send bytes to a peer.
    Transmit {
        /// The peer.
        peer: Peer,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Tell the domain.
    Event(SignalingEvent),
}

/// One account as the endpoint serves it.
#[derive(Debug, Clone)]
pub struct AccountBinding {
    /// The account.
    pub account: AccountId,
    /// The address of record, `sip:user@domain`.
    pub aor: String,
    /// The display name.
    pub display_name: Option<String>,
    /// Digest credentials.
    pub credentials: Credentials,
    /// Where requests go first (the outbound proxy or the registrar).
    pub next_hop: Peer,
    /// Further servers from DNS, tried in order when the current one times out or answers
    /// 503 (RFC 3263 §4.3).
    pub alternates: Vec<Peer>,
    /// A Route to pre-load (the outbound proxy URI with `;lr`).
    pub route: Option<String>,
    /// The user part of our Contact: a random token by default.
    pub contact_user: String,
    /// Registration lifetime to ask for.
    pub expires: u32,
    /// Whether the Contact carries the public address the registrar saw.
    pub public_contact: bool,
}

impl AccountBinding {
    /// Where a new request to `target` goes: the outbound proxy when there is one;
    /// otherwise straight to an IP address in the target, else the account's server.
    pub(crate) fn first_hop(&self, target: &str) -> Peer {
        match &self.route {
            Some(_) => self.next_hop,
            None => call::peer_for_uri(target).unwrap_or(self.next_hop),
        }
    }

    fn domain(&self) -> &str {
        let after_at = self
            .aor
            .split_once('@')
            .map_or(self.aor.as_str(), |(_, d)| d);
        after_at.split([';', ':', '>']).next().unwrap_or(after_at)
    }

    fn aor_user(&self) -> &str {
        self.aor
            .trim_start_matches("sips:")
            .trim_start_matches("sip:")
            .split('@')
            .next()
            .unwrap_or("")
    }
}

/// Who a client transaction belongs to.
#[derive(Debug, Clone)]
enum Owner {
    Registration(AccountId),
    /// A registration's keep-alive OPTIONS.
    KeepAlive(AccountId),
    Message {
        id: MessageId,
        account: AccountId,
        request: Message,
        authenticated: bool,
    },
    /// Our INVITE for a session.
    Invite(SessionId),
    /// Our re-INVITE within a session.
    ReInvite(SessionId),
    /// The server transaction of an INVITE we received.
    Incoming(SessionId),
    /// The server transaction of their re-INVITE (or UPDATE) within a session: the call
    /// hears of the ACK of our 2xx (or of its absence), whichever way the ACK arrives.
    IncomingReInvite {
        session: SessionId,
        key: TransactionKey,
    },
    /// Our REFER within a session.
    Refer(SessionId),
    /// Our INFO with a DTMF key: the next key waits for its final response.
    Info(SessionId),
    Server,
}

#[derive(Debug)]
struct Entry {
    /// Boxed: the table's slots stay small (a table keeps up to twice the slots it uses,
    /// and a transaction is 272 bytes).
    transaction: Box<Transaction>,
    peer: Peer,
    owner: Owner,
    /// The deadline of this transaction held in the endpoint's timer queue (the others
    /// there for it are stale).
    scheduled: Option<Instant>,
}

impl Entry {
    fn new(transaction: Transaction, peer: Peer, owner: Owner) -> Self {
        Self {
            transaction: Box::new(transaction),
            peer,
            owner,
            scheduled: None,
        }
    }
}

/// The status and words a request that got no answer is reported with: 408 when nothing
/// came back in time, 503 when it could not even be sent (connection refused, TLS failed).
pub(crate) fn no_answer(failure: &Event) -> (u16, String) {
    if *failure == Event::Unreachable {
        (503, "could not connect to the server".into())
    } else {
        (408, "no response".into())
    }
}

/// The transaction table is never shrunk below this many slots (a phone's usual load).
const SMALLEST_TRANSACTION_TABLE: usize = 64;

/// The sans-IO SIP user agent.
#[derive(Debug)]
pub struct Endpoint {
    /// Where we are reachable, per transport (UDP always).
    locals: HashMap<TransportKind, SocketAddr>,
    timers: TimerConfig,
    user_agent: String,
    accounts: HashMap<AccountId, AccountBinding>,
    registrations: HashMap<AccountId, Registration>,
    /// Where every tag, branch and Call-ID comes from.
    ids: Ids,
    transactions: HashMap<TransactionKey, Entry>,
    /// The transactions' deadlines, earliest first.
    transaction_timers: timer_queue::TimerQueue<TransactionKey>,
    calls: HashMap<SessionId, call::Call>,
    /// Calls we placed and ended whose INVITE may still be answered (a crossing 200 OK).
    ended_invites: HashMap<SessionId, ended_calls::EndedInvite>,
    failovers: HashMap<AccountId, usize>,
    /// Public addresses learned from `received`/`rport` (accounts that ask for them).
    public_contacts: HashMap<AccountId, SocketAddr>,
    outputs: VecDeque<EndpointOutput>,
}

impl Endpoint {
    /// An endpoint reachable at `local` over `transport`, drawing its tags, branches and Call-IDs from `ids`.
    pub fn new(
        local: SocketAddr,
        transport: TransportKind,
        user_agent: impl Into<String>,
        ids: Ids,
    ) -> Self {
        Self {
            ids,
            locals: HashMap::from([(transport, local)]),
            timers: TimerConfig::default(),
            user_agent: user_agent.into(),
            accounts: HashMap::new(),
            registrations: HashMap::new(),
            transactions: HashMap::new(),
            transaction_timers: timer_queue::TimerQueue::default(),
            calls: HashMap::new(),
            ended_invites: HashMap::new(),
            failovers: HashMap::new(),
            public_contacts: HashMap::new(),
            outputs: VecDeque::new(),
        }
    }

    /// Uses other timer values (tests; high-latency links).
    pub fn set_timers(&mut self, timers: TimerConfig) {
        self.timers = timers;
    }

    /// Adds or replaces an account.
    pub fn add_account(&mut self, binding: AccountBinding) {
        self.accounts.insert(binding.account.clone(), binding);
    }

    /// Declares where we are reachable over another transport (the TCP listener).
    pub fn set_local(&mut self, transport: TransportKind, local: SocketAddr) {
        self.locals.insert(transport, local);
    }

    /// Our address for `transport` (TLS shares the TCP listener's address; any transport
    /// falls back to the first one declared).
    fn local_for(&self, transport: TransportKind) -> SocketAddr {
        call::local_address(&self.locals, transport)
    }

    /// A new top Via for a request we send over `transport`: fresh branch, `rport`.
    pub(crate) fn via_for(&mut self, transport: TransportKind) -> String {
        call::via(&self.locals, &mut self.ids, transport)
    }

    /// Our Contact URI for an account (on the transport of its next hop; at the public
    /// address the registrar saw, for accounts that ask for it).
    pub fn contact_for(&self, binding: &AccountBinding) -> String {
        let public = self.public_contacts.get(&binding.account).copied();
        call::contact_uri(binding, public, &self.locals)
    }

    /// Learns the public address from the top Via of a 2xx to REGISTER; `true` when it is
    /// new for an account that puts it in its Contact (which must then be registered again).
    fn learn_public_address(&mut self, account: &AccountId, response: &Message) -> bool {
        let Some(binding) = self.accounts.get(account).filter(|b| b.public_contact) else {
            return false;
        };
        let Ok(via) = response.top_via() else {
            return false;
        };
        let local = self.local_for(binding.next_hop.transport);
        let ip = via
            .param("received")
            .flatten()
            .and_then(|r| r.trim_matches(['[', ']']).parse().ok())
            .unwrap_or(local.ip());
        let port = via
            .param("rport")
            .flatten()
            .and_then(|p| p.parse().ok())
            .unwrap_or(local.port());
        let public = SocketAddr::new(ip, port);
        let known = self.public_contacts.get(account).copied().unwrap_or(local);
        if public == known {
            return false;
        }
        self.public_contacts.insert(account.clone(), public);
        true
    }

    /// The next output, until `None`.
    pub fn poll_output(&mut self) -> Option<EndpointOutput> {
        self.outputs.pop_front()
    }

    /// The earliest deadline of any transaction or registration.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let transactions = self.transaction_timers.next();
        let registrations = self
            .registrations
            .values()
            .filter_map(Registration::poll_timeout);
        registrations
            .chain(transactions)
            .chain(self.next_call_timeout())
            .min()
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.handle_call_timeouts(now);
        // Taken out first, so a timer that rearms itself at `now` waits for the next call.
        let due: Vec<(Instant, TransactionKey)> =
            std::iter::from_fn(|| self.transaction_timers.pop_due(now)).collect();
        for (at, key) in due {
            let Some(entry) = self.transactions.get_mut(&key) else {
                continue;
            };
            if entry.scheduled != Some(at) {
                continue;
            }
            entry.scheduled = None;
            entry
                .transaction
                .handle(now, crate::transaction::Input::Timeout);
            self.drain_transaction(now, &key);
        }
        let accounts: Vec<AccountId> = self.registrations.keys().cloned().collect();
        for account in accounts {
            if let Some(registration) = self.registrations.get_mut(&account) {
                registration.handle_timeout(now);
            }
            self.drain_registration(now, &account);
        }
    }

    /// Moves a transaction's outputs out, and routes its events to their owner.
    fn drain_transaction(&mut self, now: Instant, key: &TransactionKey) {
        let mut events = Vec::new();
        let Some(entry) = self.transactions.get_mut(key) else {
            return;
        };
        while let Some(output) = entry.transaction.poll_output() {
            match output {
                Output::Transmit(bytes) => self.outputs.push_back(EndpointOutput::Transmit {
                    peer: entry.peer,
                    bytes,
                }),
                Output::Event(event) => events.push(event),
            }
        }
        let owner = entry.owner.clone();
        if entry.transaction.is_terminated() {
            self.forget_transaction(key);
        } else {
            let next = entry.transaction.poll_timeout();
            if next != entry.scheduled {
                entry.scheduled = next;
                if let Some(at) = next {
                    self.transaction_timers.schedule(at, key.clone());
                }
            }
        }
        for event in events {
            self.on_transaction_event(now, &owner, event);
        }
    }

    /// Drops an ended transaction, and gives back the table's memory once a flood is over:
    /// a map keeps the room of its largest size (2,000 transactions held 3.4 MB), so it is
    /// halved whenever it is less than a quarter full (amortised constant cost).
    fn forget_transaction(&mut self, key: &TransactionKey) {
        self.transactions.remove(key);
        let room = self.transactions.capacity();
        if room > SMALLEST_TRANSACTION_TABLE && self.transactions.len() * 4 < room {
            self.transactions.shrink_to(self.transactions.len() * 2);
        }
    }

    fn on_transaction_event(&mut self, now: Instant, owner: &Owner, event: Event) {
        match (owner, event) {
            (Owner::Registration(account), Event::Response(response))
                if response.status() == Some(503) && self.fail_over(now, account) => {}
            (Owner::Registration(account), Event::Response(response))
                if response.status().is_some_and(|c| (200..300).contains(&c))
                    && self.learn_public_address(account, &response) =>
            {
                tracing::info!(target: "sip", %account, "registering again with the public address the registrar saw");
                let _ = self.register(now, account);
            }
            (Owner::Registration(account), Event::Response(response)) => {
                if let Some(registration) = self.registrations.get_mut(account) {
                    registration.on_response(now, &response);
                }
                self.drain_registration(now, account);
            }
            (Owner::KeepAlive(account), Event::Response(response))
                if response.status().is_some_and(|code| code >= 200) =>
            {
                if let Some(registration) = self.registrations.get_mut(account) {
                    registration.on_probe_answered(now);
                }
                self.drain_registration(now, account);
            }
            (Owner::KeepAlive(account), Event::Timeout | Event::Unreachable) => {
                if let Some(registration) = self.registrations.get_mut(account) {
                    registration.on_probe_failed(now);
                }
                self.drain_registration(now, account);
            }
            (Owner::Registration(account), Event::Timeout | Event::Unreachable)
                if self.fail_over(now, account) => {}
            (Owner::Registration(account), failure @ (Event::Timeout | Event::Unreachable)) => {
                let reason = if failure == Event::Unreachable {
                    "could not connect to the registrar (connection refused, or its TLS \
                     certificate not trusted)"
                } else {
                    "no response from the registrar"
                };
                if let Some(registration) = self.registrations.get_mut(account) {
                    registration.on_transaction_failed(now, reason);
                }
                self.drain_registration(now, account);
            }
            (
                Owner::Message {
                    id,
                    account,
                    request,
                    authenticated,
                },
                Event::Response(response),
            ) => {
                self.on_message_response(now, id, account, request, *authenticated, &response);
            }
            (
                Owner::Message {
                    id,
                    account,
                    request,
                    authenticated,
                },
                failure @ (Event::Timeout | Event::Unreachable),
            ) => {
                if !self.retry_message_elsewhere(now, id, account, request, *authenticated) {
                    self.message_outcome(id, Err(no_answer(&failure)));
                }
            }
            (Owner::Invite(session), event) if event != Event::Terminated => {
                self.on_invite_event(now, session, event)
            }
            (Owner::ReInvite(session), event) if event != Event::Terminated => {
                self.with_call(now, session, |call, ctx| {
                    call.handle_reinvite_event(now, ctx, event)
                });
            }
            (Owner::Refer(session), event) if event != Event::Terminated => {
                self.on_refer_event(session, event)
            }
            (Owner::Info(session), Event::Response(response)) if matches!(response.start, crate::message::StartLine::Response { code, .. } if code >= 200) =>
            {
                self.with_call(now, session, |call, ctx| call.info_finished(ctx));
            }
            (Owner::Info(session), Event::Timeout | Event::Unreachable) => {
                self.with_call(now, session, |call, ctx| call.info_finished(ctx));
            }
            (Owner::Incoming(session), event) if event != Event::Terminated => {
                self.on_incoming_event(now, session, event)
            }
            (Owner::IncomingReInvite { session, key }, event) if event != Event::Terminated => {
                self.with_call(now, session, |call, _| {
                    call.handle_reinvite_server_event(key, event)
                });
            }
            (_, Event::Terminated) => {}
            (owner, event) => {
                debug!(target: "sip", ?owner, ?event, "transaction event without a handler")
            }
        }
    }

    /// The network came back or changed: every registration is renewed at once (a failed
    /// one no longer waits for its back-off), from our address as it is now (declare a new
    /// one with [`Endpoint::set_local`] first): a Contact that changed replaces the old one
    /// at the registrar. A public address learned before is forgotten (learned again).
    pub fn network_changed(&mut self, now: Instant) {
        self.public_contacts.clear();
        let accounts: Vec<AccountId> = self.registrations.keys().cloned().collect();
        for account in accounts {
            let contact = self.accounts.get(&account).map(|b| self.contact_for(b));
            if let Some(registration) = self.registrations.get_mut(&account) {
                match contact {
                    Some(contact) => registration.move_contact(now, contact),
                    None => registration.retry_now(now),
                }
            }
            self.drain_registration(now, &account);
        }
    }

    /// Each account's next hop (sorted, once each), for the driver's look at the routes.
    pub fn servers(&self) -> Vec<std::net::SocketAddr> {
        let mut servers: Vec<std::net::SocketAddr> =
            self.accounts.values().map(|a| a.next_hop.addr).collect();
        servers.sort();
        servers.dedup();
        servers
    }

    /// Moves an account to its next server after a timeout or 503 and registers there;
    /// `false` when every server has been tried in this round.
    pub(super) fn fail_over(&mut self, now: Instant, account: &AccountId) -> bool {
        let Some(binding) = self.accounts.get_mut(account) else {
            return false;
        };
        if binding.alternates.is_empty()
            || self.failovers.get(account).copied().unwrap_or(0) >= binding.alternates.len()
        {
            self.failovers.remove(account);
            return false;
        }
        let next = binding.alternates.remove(0);
        let failed = std::mem::replace(&mut binding.next_hop, next);
        binding.alternates.push(failed);
        *self.failovers.entry(account.clone()).or_default() += 1;
        tracing::info!(target: "sip", %account, from = %failed.addr, to = %next.addr, "registrar unreachable; trying the next server");
        let _ = self.register(now, account);
        true
    }

    /// A MESSAGE to a domain target that timed out goes to the next DNS server (RFC 3263).
    fn retry_message_elsewhere(
        &mut self,
        now: Instant,
        id: &MessageId,
        account: &AccountId,
        request: &Message,
        authenticated: bool,
    ) -> bool {
        let target = match &request.start {
            crate::message::StartLine::Request { uri, .. } => uri.clone(),
            crate::message::StartLine::Response { .. } => return false,
        };
        let went_to_server = self
            .accounts
            .get(account)
            .is_some_and(|a| a.first_hop(&target) == a.next_hop);
        if !went_to_server || !self.fail_over(now, account) {
            return false;
        }
        let Some(peer) = self.accounts.get(account).map(|a| a.next_hop) else {
            return false;
        };
        let mut retry = request.clone();
        retry.headers.remove(&HeaderName::Via);
        let owner = Owner::Message {
            id: id.clone(),
            account: account.clone(),
            request: retry.clone(),
            authenticated,
        };
        self.start_client(now, retry, peer, owner);
        true
    }

    fn drain_registration(&mut self, now: Instant, account: &AccountId) {
        let mut sends = Vec::new();
        if let Some(registration) = self.registrations.get_mut(account) {
            while let Some(output) = registration.poll_output() {
                match output {
                    RegistrationOutput::Send(request) => {
                        sends.push((request, Owner::Registration(account.clone())))
                    }
                    RegistrationOutput::Probe(request) => {
                        sends.push((request, Owner::KeepAlive(account.clone())))
                    }
                    RegistrationOutput::State(state) => self.outputs.push_back(
                        EndpointOutput::Event(SignalingEvent::Registration {
                            account: account.clone(),
                            state,
                        }),
                    ),
                }
            }
        }
        let Some(peer) = self.accounts.get(account).map(|a| a.next_hop) else {
            return;
        };
        for (request, owner) in sends {
            self.start_client(now, request, peer, owner);
        }
    }
}

#[cfg(test)]
mod tests;
