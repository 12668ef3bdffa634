//! One MSRP session (RFC 4975) over one connection, sans-IO: bytes from the connection go
//! in with [`Session::handle_input`], and [`Session::poll_output`] hands out what to write,
//! what happened, and when to wake up next. Messages are sent in chunks, several at a time
//! (a chat line goes between the chunks of a file), and each chunk's response or its
//! absence after [`SessionConfig::transaction_timeout`] says whether it got through.
//!
//! The driving contract, as quinn-proto's and str0m's:
//! ```no_run
//! # use std::time::Instant;
//! # use wink_msrp::session::{Output, Session};
//! # fn write(_: &[u8]) {}
//! # fn drive(session: &mut Session) {
//! loop {
//!     match session.poll_output(Instant::now()) {
//!         Output::Transmit(bytes) => write(&bytes),
//!         Output::Event(event) => println!("{event:?}"),
//!         Output::Timeout(_) | Output::Idle => break, // wait for bytes or the time
//!     }
//! }
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use tracing::{debug, warn};

use crate::decoder::{Decoded, Decoder};
use crate::frame::{Continuation, FailureReport, Frame, Head, Kind, Method};
use crate::ids::Ids;
use crate::uri::MsrpUri;

mod incoming;
mod outgoing;

use incoming::Incoming;
use outgoing::{Outgoing, Pending, SentState};

/// A message's id (the `Message-ID` header).
pub type MessageId = String;

/// How a session behaves.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Our URI: the last of our `From-Path`, the one `To-Path` must name.
    pub local: MsrpUri,
    /// The largest chunk body we send.
    pub chunk_size: usize,
    /// The largest message we take (`a=max-size`); larger ones are refused with 413.
    pub max_message_size: u64,
    /// Messages up to this size come out whole ([`Event::Message`]); larger ones as
    /// [`Event::Data`] pieces, written wherever the receiver wants them.
    pub whole_message_limit: u64,
    /// The content types we take (`a=accept-types`; `*` and `type/*` allowed).
    pub accept_types: Vec<String>,
    /// Bytes the receiver already holds of a message that arrives in pieces: a resumed
    /// file transfer (RFC 5547 `a=file-range`) sends only the rest, and the message is
    /// whole once the rest is in.
    pub already_held: u64,
    /// How long a SEND waits for its response before it counts as failed (408).
    pub transaction_timeout: Duration,
}

impl SessionConfig {
    /// Defaults for `local`: 64 KiB chunks, messages up to 4 GiB, whole up to 1 MiB, any
    /// content type, 30 s transaction timeout (RFC 4975 §7.1.1). A chunk of 64 KiB holds
    /// a chat line back for at most one chunk's time on the wire; 16 KiB chunks made a file
    /// on loopback 40 % slower (`benches/msrp-throughput.sh`).
    #[must_use]
    pub fn new(local: MsrpUri) -> Self {
        Self {
            local,
            chunk_size: 64 * 1024,
            max_message_size: 4 << 30,
            whole_message_limit: 1 << 20,
            accept_types: vec!["*".to_owned()],
            already_held: 0,
            transaction_timeout: Duration::from_secs(30),
        }
    }
}

/// What to ask of the other side about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reports {
    /// `Success-Report: yes`: a REPORT when the whole message arrived.
    pub success: bool,
    /// `Failure-Report`.
    pub failure: FailureReport,
}

/// Something that happened in the session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A whole message arrived.
    Message {
        /// Its id.
        id: MessageId,
        /// Its content type.
        content_type: String,
        /// Its body.
        body: Vec<u8>,
    },
    /// A large message started arriving; [`Event::Data`] pieces follow.
    Started {
        /// Its id.
        id: MessageId,
        /// Its content type.
        content_type: String,
        /// Its size, when the sender said.
        total: Option<u64>,
    },
    /// A piece of a large message, at `offset` (from 0).
    Data {
        /// The message.
        id: MessageId,
        /// Where the piece goes.
        offset: u64,
        /// The bytes.
        data: Vec<u8>,
    },
    /// A large message arrived whole.
    Finished {
        /// Its id.
        id: MessageId,
    },
    /// The sender gave a message up (`#`), or it was refused part way.
    Abandoned {
        /// Its id.
        id: MessageId,
    },
    /// Every chunk of a message we sent was taken by the next hop.
    Sent {
        /// Its id.
        id: MessageId,
    },
    /// How much of a message we send the next hop has taken.
    Progress {
        /// Its id.
        id: MessageId,
        /// Bytes acknowledged.
        acknowledged: u64,
        /// Its size.
        total: u64,
    },
    /// The far end reported the whole message received (a success REPORT).
    Delivered {
        /// Its id.
        id: MessageId,
    },
    /// A message we sent did not get through.
    Failed {
        /// Its id.
        id: MessageId,
        /// The status (408 when no response came, 0 when the connection closed).
        code: u16,
        /// What the status says.
        reason: String,
    },
    /// The bytes from the connection cannot be read as MSRP: close it.
    Broken {
        /// Why.
        reason: String,
    },
}

/// What [`Session::poll_output`] hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Bytes to write to the connection, in order.
    Transmit(Vec<u8>),
    /// Something that happened.
    Event(Event),
    /// Nothing more until bytes arrive or this time comes.
    Timeout(Instant),
    /// Nothing more until bytes arrive or a command is given.
    Idle,
}

/// A piece of a stream the session wants next (see [`Session::send_stream`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataWanted {
    /// The message.
    pub id: MessageId,
    /// Where its next bytes start (from 0).
    pub offset: u64,
    /// How many bytes at most.
    pub len: usize,
}

/// One MSRP session.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    /// Our path: our relays, then [`SessionConfig::local`].
    from_path: Vec<MsrpUri>,
    /// The far end's path: its relays (and ours before them), then its URI.
    to_path: Vec<MsrpUri>,
    ids: Ids,
    decoder: Decoder,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    outgoing: VecDeque<Outgoing>,
    /// SENDs waiting for their response, in the order sent (their deadlines too).
    pending: VecDeque<Pending>,
    /// Transaction id → the message and the chunk's size, while its response is awaited.
    awaiting: HashMap<String, (MessageId, u64)>,
    /// Messages sent whole or in part and not yet settled, by id.
    sent: HashMap<MessageId, SentState>,
    incoming: Incoming,
    broken: bool,
}

impl Session {
    /// A session from `from_path` (ending with our URI) to `to_path`. The side that
    /// opened the connection (`active`, RFC 6135 `a=setup`) binds it with an empty SEND
    /// (RFC 4975 §7.1).
    #[must_use]
    pub fn new(
        config: SessionConfig,
        from_path: Vec<MsrpUri>,
        to_path: Vec<MsrpUri>,
        seed: u64,
        active: bool,
    ) -> Self {
        let mut session = Self {
            incoming: Incoming::new(&config),
            config,
            from_path,
            to_path,
            ids: Ids::seeded(seed),
            decoder: Decoder::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            outgoing: VecDeque::new(),
            pending: VecDeque::new(),
            awaiting: HashMap::new(),
            sent: HashMap::new(),
            broken: false,
        };
        if active {
            session.queue_empty_send();
        }
        session
    }

    /// The session's configuration.
    #[must_use]
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Whether the connection's bytes stopped making sense ([`Event::Broken`] was given).
    #[must_use]
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Bytes read from the connection.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        if self.broken {
            return;
        }
        self.decoder.push(bytes);
        loop {
            match self.decoder.next_item() {
                Ok(None) => break,
                Ok(Some(item)) => self.on_item(now, item),
                Err(error) => {
                    warn!(target: "msrp", %error, "closing the session's connection");
                    self.broken = true;
                    self.events.push_back(Event::Broken {
                        reason: error.to_string(),
                    });
                    break;
                }
            }
        }
    }

    /// The connection is gone: every message not settled yet fails (code 0), so the
    /// sender can keep it and send it again on the next session.
    pub fn close(&mut self) {
        let mut unsettled: Vec<MessageId> = self.sent.keys().cloned().collect();
        unsettled.sort_by_key(|id| (self.outgoing.iter().position(|o| &o.id == id), id.clone()));
        for id in unsettled {
            self.fail(&id, 0, "the connection closed");
        }
        self.outgoing.clear();
        self.pending.clear();
        self.awaiting.clear();
        self.transmit.clear();
        self.broken = true;
    }

    /// Time passed: SENDs without a response by their deadline fail (408).
    pub fn handle_timeout(&mut self, now: Instant) {
        while self.pending.front().is_some_and(|p| p.deadline <= now) {
            let Some(expired) = self.pending.pop_front() else {
                break;
            };
            if self.awaiting.remove(&expired.transaction).is_some() {
                debug!(target: "msrp", transaction = %expired.transaction, "no response");
                self.fail(&expired.message, 408, "no response from the other side");
            }
        }
    }

    /// The next event alone, leaving what there is to write (a driver whose writer is
    /// full still hands the events on, so they cannot pile up).
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next thing to write, event, or time to wake up. Chunks are cut only when asked
    /// for, so a driver that asks once its last write is done sends at the connection's pace.
    pub fn poll_output(&mut self, now: Instant) -> Output {
        if let Some(bytes) = self.transmit.pop_front() {
            return Output::Transmit(bytes);
        }
        if let Some(event) = self.events.pop_front() {
            return Output::Event(event);
        }
        if let Some(bytes) = self.next_chunk(now) {
            return Output::Transmit(bytes);
        }
        if let Some(event) = self.events.pop_front() {
            return Output::Event(event);
        }
        match self
            .pending
            .iter()
            .find(|p| self.awaiting.contains_key(&p.transaction))
        {
            Some(first) => Output::Timeout(first.deadline),
            None => Output::Idle,
        }
    }

    fn on_item(&mut self, now: Instant, item: Decoded) {
        match item {
            Decoded::Head(head) => self.on_head(now, head),
            Decoded::Data(data) => self.on_data(data),
            Decoded::End(continuation) => self.on_end(continuation),
            Decoded::Invalid {
                transaction,
                kind,
                reason,
            } => {
                warn!(target: "msrp", %transaction, %reason, "malformed frame dropped");
                if let Kind::Request(Method::Send | Method::Other(_) | Method::Auth) = kind {
                    let to = self
                        .to_path
                        .first()
                        .cloned()
                        .into_iter()
                        .collect::<Vec<_>>();
                    self.respond_to(&transaction, &to, 400, "Bad Request");
                }
            }
        }
    }

    fn on_head(&mut self, now: Instant, head: Head) {
        match head.kind.clone() {
            Kind::Request(Method::Send) => self.on_send(now, head),
            Kind::Request(Method::Report) => {
                self.incoming.skip();
                self.on_report(&head);
            }
            Kind::Request(_) => {
                self.incoming.skip();
                let to = head.from_path().unwrap_or_default();
                let previous_hop: Vec<_> = to.into_iter().take(1).collect();
                self.respond_to(&head.transaction, &previous_hop, 501, "Not Implemented");
            }
            Kind::Response { code, comment } => {
                self.incoming.skip();
                self.on_response(&head.transaction, code, comment.as_deref());
            }
        }
    }

    /// Queues a response to `transaction` (To-Path: the previous hop).
    fn respond_to(&mut self, transaction: &str, to: &[MsrpUri], code: u16, comment: &str) {
        let head = Head {
            transaction: transaction.to_owned(),
            kind: Kind::Response {
                code,
                comment: Some(comment.to_owned()),
            },
            headers: vec![
                ("To-Path".into(), MsrpUri::format_path(to)),
                ("From-Path".into(), self.config.local.to_string()),
            ],
        };
        self.queue_frame(head, Vec::new(), Continuation::Complete);
    }

    fn queue_frame(&mut self, head: Head, body: Vec<u8>, continuation: Continuation) {
        let mut bytes = Vec::with_capacity(256 + body.len());
        Frame {
            head,
            body,
            continuation,
        }
        .encode(&mut bytes);
        self.transmit.push_back(bytes);
    }

    /// A request's transaction id that does not occur in `body`'s end-lines.
    fn transaction_for(&mut self, body: &[u8]) -> String {
        loop {
            let id = self.ids.transaction();
            if !crate::frame::body_holds_end_line(body, &id) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests;
