//! Receiving: SEND chunks checked (RFC 4975 §7.3), put together by `Byte-Range`, answered,
//! and reported when the sender asked for a success REPORT.

use std::collections::HashMap;
use std::time::Instant;

use tracing::{debug, warn};

use super::{Event, MessageId, Session, SessionConfig};
use crate::frame::{ByteRange, Continuation, FailureReport, Head, Kind, Method};
use crate::uri::MsrpUri;

/// How many messages may be arriving at once (a peer cannot make us hold more).
const MAX_OPEN_MESSAGES: usize = 32;
/// How many times [`SessionConfig::whole_message_limit`] the messages kept in memory may
/// hold together.
const HELD_LIMIT_FACTOR: u64 = 4;

/// What is being received.
#[derive(Debug)]
pub(super) struct Incoming {
    messages: HashMap<MessageId, Receiving>,
    current: Current,
}

/// The frame being read now.
#[derive(Debug)]
enum Current {
    /// Between frames, or in a frame whose body is not ours to keep.
    Skip,
    /// In a SEND chunk we take.
    Chunk(Chunk),
}

#[derive(Debug)]
struct Chunk {
    transaction: String,
    id: MessageId,
    /// Where the next byte of the body goes (from 0).
    offset: u64,
    /// The SEND's `From-Path`: the previous hop gets the response, the sender the REPORT.
    from_path: Vec<MsrpUri>,
    failure_report: FailureReport,
}

/// A message some of whose chunks arrived.
#[derive(Debug)]
struct Receiving {
    content_type: String,
    total: Option<u64>,
    /// Kept in memory and handed out whole, or handed out in pieces.
    body: Option<Vec<u8>>,
    received: u64,
    success_report: bool,
    /// The chunk ending in `$` came (chunks may come out of order through relays).
    last_seen: bool,
}

impl Incoming {
    pub(super) fn new(_config: &SessionConfig) -> Self {
        Self {
            messages: HashMap::new(),
            current: Current::Skip,
        }
    }

    /// The current frame's body is not kept.
    pub(super) fn skip(&mut self) {
        self.current = Current::Skip;
    }
}

/// Why a SEND is refused: status and comment.
type Refusal = (u16, &'static str);

impl Session {
    pub(super) fn on_send(&mut self, _now: Instant, head: Head) {
        self.incoming.skip();
        let Some(from_path) = head.from_path() else {
            let to: Vec<_> = self.to_path.iter().take(1).cloned().collect();
            warn!(target: "msrp", transaction = %head.transaction, "SEND without a valid From-Path");
            return self.respond_to(&head.transaction, &to, 400, "bad From-Path");
        };
        let previous_hop: Vec<_> = from_path.iter().take(1).cloned().collect();
        let failure_report = head.failure_report();
        match self.check_send(&head) {
            Err((code, comment)) => {
                warn!(target: "msrp", transaction = %head.transaction, code, comment, "SEND refused");
                if failure_report != FailureReport::No {
                    self.respond_to(&head.transaction, &previous_hop, code, comment);
                }
            }
            Ok((id, range)) => {
                self.start_chunk(&head, id.clone(), range);
                self.incoming.current = Current::Chunk(Chunk {
                    transaction: head.transaction,
                    id,
                    offset: range.start - 1,
                    from_path,
                    failure_report,
                });
            }
        }
    }

    fn check_send(&self, head: &Head) -> Result<(MessageId, ByteRange), Refusal> {
        let to_path = head.to_path().ok_or((400, "bad To-Path"))?;
        let ours = to_path
            .first()
            .is_some_and(|uri| uri.session_id() == self.config.local.session_id());
        if !ours {
            return Err((481, "no such session"));
        }
        let id = head
            .message_id()
            .filter(|id| !id.is_empty())
            .ok_or((400, "no Message-ID"))?;
        let range = match head.byte_range() {
            None => ByteRange {
                start: 1,
                end: None,
                total: None,
            },
            Some(Ok(range)) => range,
            Some(Err(())) => return Err((400, "bad Byte-Range")),
        };
        if let Some(content_type) = head.content_type()
            && !self.accepts(content_type)
        {
            return Err((415, "content type not accepted"));
        }
        let too_large = |n: Option<u64>| n.is_some_and(|n| n > self.config.max_message_size);
        if too_large(range.total) || too_large(range.end) {
            return Err((413, "message too large"));
        }
        if !self.incoming.messages.contains_key(id)
            && self.incoming.messages.len() >= MAX_OPEN_MESSAGES
        {
            return Err((413, "too many messages at once"));
        }
        Ok((id.to_owned(), range))
    }

    fn accepts(&self, content_type: &str) -> bool {
        let (kind, _) = content_type.split_once('/').unwrap_or((content_type, ""));
        self.config.accept_types.iter().any(|accepted| {
            accepted == "*"
                || accepted.eq_ignore_ascii_case(content_type)
                || accepted
                    .strip_suffix("/*")
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case(kind))
        })
    }

    /// The first chunk of a message makes its record (and says a large one started).
    fn start_chunk(&mut self, head: &Head, id: MessageId, range: ByteRange) {
        if self.incoming.messages.contains_key(&id) {
            return;
        }
        let content_type = head.content_type().unwrap_or_default().to_owned();
        let whole = range
            .total
            .is_none_or(|total| total <= self.config.whole_message_limit);
        if !whole {
            self.events.push_back(Event::Started {
                id: id.clone(),
                content_type: content_type.clone(),
                total: range.total,
            });
        }
        self.incoming.messages.insert(
            id,
            Receiving {
                content_type,
                total: range.total,
                body: whole.then(Vec::new),
                received: if whole { 0 } else { self.config.already_held },
                success_report: head.wants_success_report(),
                last_seen: false,
            },
        );
    }

    pub(super) fn on_data(&mut self, data: Vec<u8>) {
        let Current::Chunk(chunk) = &self.incoming.current else {
            return;
        };
        let (id, offset) = (chunk.id.clone(), chunk.offset);
        let Some(message) = self.incoming.messages.get(&id) else {
            return;
        };
        let end = offset + data.len() as u64;
        if let Some(refusal) = self.overflow(message, end) {
            return self.refuse_current(413, refusal);
        }
        if let Current::Chunk(chunk) = &mut self.incoming.current {
            chunk.offset = end;
        }
        let Some(message) = self.incoming.messages.get_mut(&id) else {
            return;
        };
        message.received += data.len() as u64;
        match &mut message.body {
            Some(body) => {
                let (start, end) = (offset as usize, end as usize);
                if body.len() < end {
                    body.resize(end, 0);
                }
                body[start..end].copy_from_slice(&data);
            }
            None => self.events.push_back(Event::Data { id, offset, data }),
        }
    }

    /// Why bytes up to `end` of `message` cannot be taken: past its size or ours, or more
    /// held in memory than the session allows.
    fn overflow(&self, message: &Receiving, end: u64) -> Option<&'static str> {
        let limit = message
            .total
            .unwrap_or(u64::MAX)
            .min(self.config.max_message_size);
        if end > limit {
            return Some("message too large");
        }
        let body = message.body.as_ref()?;
        if end
            > self
                .config
                .whole_message_limit
                .max(message.total.unwrap_or(0))
        {
            return Some("message too large");
        }
        let growth = end.saturating_sub(body.len() as u64);
        let held: u64 = self
            .incoming
            .messages
            .values()
            .filter_map(|m| m.body.as_ref().map(|b| b.len() as u64))
            .sum();
        (held + growth > HELD_LIMIT_FACTOR * self.config.whole_message_limit)
            .then_some("too much arriving at once")
    }

    /// Refuses the chunk being read, at once (the sender stops sending the message), and
    /// drops the message.
    fn refuse_current(&mut self, code: u16, comment: &'static str) {
        let Current::Chunk(chunk) = std::mem::replace(&mut self.incoming.current, Current::Skip)
        else {
            return;
        };
        warn!(target: "msrp", id = %chunk.id, code, comment, "message refused part way");
        if chunk.failure_report != FailureReport::No {
            let previous_hop: Vec<_> = chunk.from_path.into_iter().take(1).collect();
            self.respond_to(&chunk.transaction, &previous_hop, code, comment);
        }
        if let Some(message) = self.incoming.messages.remove(&chunk.id)
            && message.body.is_none()
        {
            self.events.push_back(Event::Abandoned { id: chunk.id });
        }
    }

    pub(super) fn on_end(&mut self, continuation: Continuation) {
        let Current::Chunk(chunk) = std::mem::replace(&mut self.incoming.current, Current::Skip)
        else {
            return;
        };
        if chunk.failure_report == FailureReport::Yes {
            let previous_hop: Vec<_> = chunk.from_path.iter().take(1).cloned().collect();
            self.respond_to(&chunk.transaction, &previous_hop, 200, "OK");
        }
        match continuation {
            Continuation::More => self.finish_message(chunk),
            Continuation::Aborted => {
                if self.incoming.messages.remove(&chunk.id).is_some() {
                    debug!(target: "msrp", id = %chunk.id, "the sender gave the message up");
                    self.events.push_back(Event::Abandoned { id: chunk.id });
                }
            }
            Continuation::Complete => {
                if let Some(message) = self.incoming.messages.get_mut(&chunk.id) {
                    message.last_seen = true;
                }
                self.finish_message(chunk);
            }
        }
    }

    /// A chunk ended: once the last chunk came and every byte is in, the message is
    /// handed out.
    fn finish_message(&mut self, chunk: Chunk) {
        let complete = self
            .incoming
            .messages
            .get(&chunk.id)
            .is_some_and(|m| m.last_seen && m.total.is_none_or(|total| m.received >= total));
        if !complete {
            return;
        }
        let Some(message) = self.incoming.messages.remove(&chunk.id) else {
            return;
        };
        let size = message.received;
        match message.body {
            // The empty SEND that binds a connection carries no message.
            Some(body) if body.is_empty() && message.content_type.is_empty() => {}
            Some(body) => self.events.push_back(Event::Message {
                id: chunk.id.clone(),
                content_type: message.content_type,
                body,
            }),
            None => self.events.push_back(Event::Finished {
                id: chunk.id.clone(),
            }),
        }
        if message.success_report {
            self.queue_success_report(&chunk, size);
        }
    }

    /// A success REPORT to the sender (RFC 4975 §7.1.2): the whole message arrived.
    fn queue_success_report(&mut self, chunk: &Chunk, size: u64) {
        let transaction = self.ids.transaction();
        let head = Head {
            transaction,
            kind: Kind::Request(Method::Report),
            headers: vec![
                ("To-Path".into(), MsrpUri::format_path(&chunk.from_path)),
                ("From-Path".into(), self.config.local.to_string()),
                ("Message-ID".into(), chunk.id.clone()),
                ("Byte-Range".into(), format!("1-{size}/{size}")),
                ("Status".into(), "000 200 OK".into()),
            ],
        };
        self.queue_frame(head, Vec::new(), Continuation::Complete);
    }
}
