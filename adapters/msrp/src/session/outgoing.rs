//! Sending: messages cut into chunks, taken in turns so a short message is not stuck behind
//! a file; each chunk's response; REPORTs about what we sent.

use std::time::Instant;

use tracing::debug;

use super::{DataWanted, Event, MessageId, Reports, Session};
use crate::frame::{
    ByteRange, Continuation, FailureReport, Head, Kind, Method, encode_end, encode_head,
};
use crate::uri::MsrpUri;

/// A message being cut into chunks.
#[derive(Debug)]
pub(super) struct Outgoing {
    pub(super) id: MessageId,
    content_type: String,
    total: u64,
    /// The next byte to send (from 0).
    next: u64,
    /// Bytes not sent yet, the first of them at offset `next`.
    unsent: Vec<u8>,
    /// Whether the bytes come through [`Session::supply`].
    stream: bool,
    reports: Reports,
}

/// A SEND waiting for its response.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) transaction: String,
    pub(super) message: MessageId,
    pub(super) deadline: Instant,
}

/// A message sent whole or in part and not settled yet.
#[derive(Debug)]
pub(super) struct SentState {
    total: u64,
    acknowledged: u64,
    /// Chunks whose response is awaited.
    outstanding: usize,
    all_sent: bool,
    stream: bool,
    wants_report: bool,
}

impl Session {
    /// Sends a message held in memory (a chat line, an IMDN); returns its id.
    pub fn send_message(
        &mut self,
        content_type: &str,
        body: Vec<u8>,
        reports: Reports,
    ) -> MessageId {
        let total = body.len() as u64;
        self.start_sending(content_type, total, 0, body, false, reports)
    }

    /// Sends a message whose bytes come later, through [`Session::supply`] as
    /// [`Session::data_wanted`] asks (a file), from byte `start` on (a resumed transfer
    /// starts past what the other side has).
    pub fn send_stream(
        &mut self,
        content_type: &str,
        total: u64,
        start: u64,
        reports: Reports,
    ) -> MessageId {
        self.start_sending(
            content_type,
            total,
            start.min(total),
            Vec::new(),
            true,
            reports,
        )
    }

    fn start_sending(
        &mut self,
        content_type: &str,
        total: u64,
        start: u64,
        body: Vec<u8>,
        stream: bool,
        reports: Reports,
    ) -> MessageId {
        let id = self.ids.message();
        self.sent.insert(
            id.clone(),
            SentState {
                total,
                acknowledged: start,
                outstanding: 0,
                all_sent: false,
                stream,
                wants_report: reports.success,
            },
        );
        self.outgoing.push_back(Outgoing {
            id: id.clone(),
            content_type: content_type.to_owned(),
            total,
            next: start,
            unsent: body,
            stream,
            reports,
        });
        id
    }

    /// The next bytes a stream needs, if any: at most two chunks are held per stream.
    #[must_use]
    pub fn data_wanted(&self) -> Option<DataWanted> {
        let hold = 2 * self.config.chunk_size;
        self.outgoing.iter().filter(|o| o.stream).find_map(|o| {
            let offset = o.next + o.unsent.len() as u64;
            let room = hold.saturating_sub(o.unsent.len());
            let left = o.total - offset;
            (room > 0 && left > 0).then(|| DataWanted {
                id: o.id.clone(),
                offset,
                len: room.min(usize::try_from(left).unwrap_or(usize::MAX)),
            })
        })
    }

    /// Bytes of a stream, at the offset [`Session::data_wanted`] gave (more than the
    /// message's size is cut off).
    pub fn supply(&mut self, id: &str, data: &[u8]) {
        if let Some(o) = self.outgoing.iter_mut().find(|o| o.id == id && o.stream) {
            let left = o.total - o.next - o.unsent.len() as u64;
            let take = data.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            o.unsent.extend_from_slice(&data[..take]);
        }
    }

    /// Gives a message up: what was not sent is not, and if some was, the other side is
    /// told with a chunk ending in `#`.
    pub fn abort(&mut self, now: Instant, id: &str) {
        let Some(at) = self.outgoing.iter().position(|o| o.id == id) else {
            return;
        };
        let Some(o) = self.outgoing.remove(at) else {
            return;
        };
        self.sent.remove(id);
        if o.next > 0 || o.stream {
            let range = ByteRange {
                start: o.next + 1,
                end: Some(o.next),
                total: Some(o.total),
            };
            self.queue_chunk(now, &o, range, &[], Continuation::Aborted, false);
        }
    }

    /// The empty SEND that binds a connection we opened (RFC 4975 §7.1).
    pub(super) fn queue_empty_send(&mut self) {
        let id = self.ids.message();
        let transaction = self.ids.transaction();
        let head = Head {
            transaction,
            kind: Kind::Request(Method::Send),
            headers: vec![
                ("To-Path".into(), MsrpUri::format_path(&self.to_path)),
                ("From-Path".into(), MsrpUri::format_path(&self.from_path)),
                ("Message-ID".into(), id),
                ("Byte-Range".into(), "1-0/0".into()),
            ],
        };
        self.queue_frame(head, Vec::new(), Continuation::Complete);
    }

    /// Cuts the next chunk, taking the messages in turns.
    pub(super) fn next_chunk(&mut self, now: Instant) -> Option<Vec<u8>> {
        for _ in 0..self.outgoing.len() {
            let mut o = self.outgoing.pop_front()?;
            let ready = o.unsent.len().min(self.config.chunk_size);
            if ready == 0 && o.next < o.total {
                self.outgoing.push_back(o);
                continue;
            }
            let end = o.next + ready as u64;
            let last = end == o.total;
            let range = ByteRange {
                start: o.next + 1,
                end: Some(end),
                total: Some(o.total),
            };
            let flag = if last {
                Continuation::Complete
            } else {
                Continuation::More
            };
            // The chunk is written straight from the unsent bytes, then they go.
            let bytes = self.queue_chunk(now, &o, range, &o.unsent[..ready], flag, true);
            o.unsent.drain(..ready);
            if let Some(state) = self.sent.get_mut(&o.id) {
                state.all_sent = last;
            }
            // Chunks that get no response (Failure-Report: no or partial) settle now.
            self.settle_if_sent(&o.id);
            o.next = end;
            if !last {
                self.outgoing.push_back(o);
            }
            return bytes.then(|| self.transmit.pop_back()).flatten();
        }
        None
    }

    /// Writes one chunk into the transmit queue (and tracks its response when
    /// `track`); returns whether it was queued.
    fn queue_chunk(
        &mut self,
        now: Instant,
        o: &Outgoing,
        range: ByteRange,
        body: &[u8],
        flag: Continuation,
        track: bool,
    ) -> bool {
        let transaction = self.transaction_for(body);
        let mut headers = vec![
            ("To-Path".to_owned(), MsrpUri::format_path(&self.to_path)),
            (
                "From-Path".to_owned(),
                MsrpUri::format_path(&self.from_path),
            ),
            ("Message-ID".to_owned(), o.id.clone()),
        ];
        if o.reports.success {
            headers.push(("Success-Report".into(), "yes".into()));
        }
        match o.reports.failure {
            FailureReport::Yes => {}
            FailureReport::Partial => headers.push(("Failure-Report".into(), "partial".into())),
            FailureReport::No => headers.push(("Failure-Report".into(), "no".into())),
        }
        headers.push(("Byte-Range".into(), range.to_string()));
        if !body.is_empty() || o.total == 0 {
            headers.push(("Content-Type".into(), o.content_type.clone()));
        }
        let head = Head {
            transaction: transaction.clone(),
            kind: Kind::Request(Method::Send),
            headers,
        };
        let mut bytes = Vec::with_capacity(300 + body.len());
        let had_body = !body.is_empty() || o.total == 0;
        encode_head(&head, body, &mut bytes);
        bytes.extend_from_slice(body);
        encode_end(&transaction, had_body, flag, &mut bytes);
        self.transmit.push_back(bytes);
        let awaits_response = track && o.reports.failure == FailureReport::Yes;
        if awaits_response {
            self.awaiting
                .insert(transaction.clone(), (o.id.clone(), body.len() as u64));
            self.pending.push_back(super::outgoing::Pending {
                transaction,
                message: o.id.clone(),
                deadline: now + self.config.transaction_timeout,
            });
            if let Some(state) = self.sent.get_mut(&o.id) {
                state.outstanding += 1;
            }
        } else if let Some(state) = self.sent.get_mut(&o.id) {
            state.acknowledged += body.len() as u64;
        }
        true
    }

    /// The response to one of our SENDs.
    pub(super) fn on_response(&mut self, transaction: &str, code: u16, comment: Option<&str>) {
        let Some((id, len)) = self.awaiting.remove(transaction) else {
            return debug!(target: "msrp", %transaction, code, "response to no SEND of ours");
        };
        while self
            .pending
            .front()
            .is_some_and(|p| !self.awaiting.contains_key(&p.transaction))
        {
            self.pending.pop_front();
        }
        if code != 200 {
            return self.fail(&id, code, comment.unwrap_or("refused"));
        }
        let Some(state) = self.sent.get_mut(&id) else {
            return;
        };
        state.outstanding -= 1;
        state.acknowledged += len;
        if state.stream {
            let (acknowledged, total) = (state.acknowledged, state.total);
            self.events.push_back(Event::Progress {
                id: id.clone(),
                acknowledged,
                total,
            });
        }
        self.settle_if_sent(&id);
    }

    /// A message whose chunks are all out and acknowledged is `Sent`; it stays tracked
    /// while a success REPORT is awaited.
    fn settle_if_sent(&mut self, id: &str) {
        let Some(state) = self.sent.get(id) else {
            return;
        };
        if !(state.all_sent && state.outstanding == 0) {
            return;
        }
        self.events.push_back(Event::Sent { id: id.to_owned() });
        if !state.wants_report {
            self.sent.remove(id);
        }
    }

    /// A REPORT about a message we sent.
    pub(super) fn on_report(&mut self, head: &Head) {
        let Some(id) = head.message_id().map(str::to_owned) else {
            return debug!(target: "msrp", "REPORT without Message-ID");
        };
        let Some(state) = self.sent.get(&id) else {
            return debug!(target: "msrp", %id, "REPORT for no message of ours");
        };
        let code = head.status_code().unwrap_or(0);
        if code != 200 {
            let reason = head.header("Status").unwrap_or_default().to_owned();
            return self.fail(&id, code, &reason);
        }
        let covers_all = match head.byte_range() {
            Some(Ok(range)) => range.end.is_none_or(|end| end >= state.total),
            _ => true,
        };
        if covers_all && state.wants_report {
            self.sent.remove(&id);
            self.events.push_back(Event::Delivered { id });
        }
    }

    /// A message of ours did not get through: it is not sent further.
    pub(super) fn fail(&mut self, id: &str, code: u16, reason: &str) {
        if self.sent.remove(id).is_none() {
            return;
        }
        self.outgoing.retain(|o| o.id != id);
        self.events.push_back(Event::Failed {
            id: id.to_owned(),
            code,
            reason: reason.to_owned(),
        });
    }
}
