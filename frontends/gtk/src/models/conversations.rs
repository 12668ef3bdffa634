//! Conversations as the chat window shows them: one per correspondent (matched by address,
//! `user@host`, any case), each with its lines (direction, time, delivery state), its chat
//! session if one runs, and what the entry shows while typing (the short-message limit when
//! a line would go as a SIP MESSAGE), and who is typing in its chat session.

use std::collections::HashMap;
use std::time::Instant;

use wink_domain::message::{MAX_IP_CHARS, MAX_PHONE_CHARS};
use wink_domain::{ShortMessage, Target};
use wink_ports::{
    CallDirection, ChatMessageRecord, DeliveryState, MessageId, SessionId, UnixMillis,
};

use crate::models::composing::{OurTyping, TheirTyping};

/// How many stored lines a tab shows when it opens.
pub(crate) const STORED_LINES: usize = 200;

/// States of lines whose id is not known yet are kept at most this many.
const ORPHAN_STATES: usize = 256;

/// The address a conversation is matched by: `user@host`, lower case, without `sip:`.
pub(crate) fn conversation_key(address: &str) -> String {
    let address = address.trim();
    let address = address
        .strip_prefix("sip:")
        .or_else(|| address.strip_prefix("sips:"))
        .unwrap_or(address);
    address.to_ascii_lowercase()
}

/// When a line was written, as the row shows it: `14:05` today, `3 Mar 14:05` before.
pub(crate) fn time_text(at: UnixMillis) -> String {
    let (Ok(then), Ok(now)) = (
        gtk::glib::DateTime::from_unix_local(at.0.div_euclid(1000)),
        gtk::glib::DateTime::now_local(),
    ) else {
        return String::new();
    };
    let format = if then.ymd() == now.ymd() {
        "%H:%M"
    } else {
        "%-d %b %H:%M"
    };
    then.format(format)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Now, for lines written or received in this run.
pub(crate) fn now_millis() -> UnixMillis {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    UnixMillis(millis)
}

/// One line of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChatLine {
    /// A number of its own in this run (the phone's id comes later for what we write).
    pub(crate) key: u64,
    /// The phone's id, once known.
    pub(crate) id: Option<MessageId>,
    /// Written by the other side.
    pub(crate) incoming: bool,
    /// The text.
    pub(crate) body: String,
    /// When it was written or received.
    pub(crate) at: UnixMillis,
    /// Where it is.
    pub(crate) state: DeliveryState,
    /// Why it failed, when known.
    pub(crate) reason: Option<String>,
}

impl ChatLine {
    /// The delivery state in words (empty for a received line).
    pub(crate) fn state_text(&self) -> String {
        if self.incoming {
            return String::new();
        }
        match self.state {
            DeliveryState::Queued => "Pending".into(),
            DeliveryState::Sent => "Sent".into(),
            DeliveryState::Delivered => "Delivered".into(),
            DeliveryState::Failed => match &self.reason {
                Some(reason) => format!("Not delivered: {reason}"),
                None => "Not delivered".into(),
            },
            DeliveryState::Received => String::new(),
        }
    }

    /// Takes a new state; a reason only goes with a failure.
    fn set_state(&mut self, state: DeliveryState, reason: Option<String>) {
        if state == DeliveryState::Failed {
            // A later failure without words keeps the words of an earlier one.
            if let Some(reason) = reason {
                self.reason = Some(reason.trim_end_matches('.').to_owned());
            }
        } else {
            self.reason = None;
        }
        self.state = state;
    }

    /// Whether it failed (shown in red).
    pub(crate) fn failed(&self) -> bool {
        self.state == DeliveryState::Failed
    }

    /// Whether *Resend* is offered.
    pub(crate) fn can_resend(&self) -> bool {
        self.failed() && !self.incoming
    }

    /// What a screen reader says for the line.
    pub(crate) fn spoken(&self, correspondent: &str, time: &str) -> String {
        let who = if self.incoming { correspondent } else { "You" };
        let state = self.state_text();
        if state.is_empty() {
            format!("{who} at {time}: {}", self.body)
        } else {
            format!("{who} at {time}: {}. {state}", self.body)
        }
    }
}

/// How a line typed now goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// Over the chat session (queued until it connects).
    Chat(SessionId),
    /// As a short message (SIP MESSAGE).
    ShortMessage,
}

/// The chat session of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChatSession {
    /// Its id.
    pub(crate) id: SessionId,
    /// Its stream is up.
    pub(crate) connected: bool,
}

/// A typing state to tell the other side of a chat session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Composing {
    /// The chat session.
    pub(crate) session: SessionId,
    /// Typing, or stopped.
    pub(crate) active: bool,
}

/// How a failed line goes again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resend {
    /// The phone has it stored: it goes again as itself (`Command::Resend`).
    Stored(MessageId),
    /// The phone never took it (its command failed before it had an id): its text goes
    /// again the way a new line would, in the same row.
    Again(String),
}

/// The counter under the entry while typing a short message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counter {
    /// `12 / 1300`.
    pub(crate) text: String,
    /// Past the limit (shown in red, Send refused).
    pub(crate) over: bool,
}

/// One correspondent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Conversation {
    /// The address it is matched by (`user@host`).
    pub(crate) address: String,
    /// A name, when known.
    pub(crate) name: Option<String>,
    /// What short messages are sent to: as typed when the conversation was opened from a
    /// contact or the search bar (a phone number stays a number: 160 characters), else
    /// the address.
    pub(crate) target: String,
    /// The lines, oldest first.
    pub(crate) lines: Vec<ChatLine>,
    /// The chat session with them, if one runs.
    pub(crate) session: Option<ChatSession>,
    /// The stored lines have been read.
    pub(crate) loaded: bool,
    /// What we told them about our typing.
    pub(crate) ours: OurTyping,
    /// Whether they are typing.
    pub(crate) theirs: TheirTyping,
}

impl Conversation {
    fn new(address: &str, name: Option<String>) -> Self {
        Self {
            address: conversation_key(address),
            name: name.filter(|n| !n.trim().is_empty()),
            target: conversation_key(address),
            lines: Vec::new(),
            session: None,
            loaded: false,
            ours: OurTyping::default(),
            theirs: TheirTyping::default(),
        }
    }

    /// The session, when its stream is up.
    fn connected_session(&self) -> Option<&SessionId> {
        self.session.as_ref().filter(|s| s.connected).map(|s| &s.id)
    }

    /// `Bob is typing…` while they are.
    pub(crate) fn typing_text(&self) -> Option<String> {
        self.theirs
            .active()
            .then(|| format!("{} is typing…", self.title()))
    }

    /// Our typing state as the phone is told it: only over a connected chat session.
    fn composing(&self, active: Option<bool>) -> Option<Composing> {
        let session = self.connected_session()?.clone();
        active.map(|active| Composing { session, active })
    }

    /// The tab's title: the name, else the address.
    pub(crate) fn title(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.address)
    }

    /// How a line typed now goes.
    pub(crate) fn route(&self) -> Route {
        match &self.session {
            Some(session) => Route::Chat(session.id.clone()),
            None => Route::ShortMessage,
        }
    }

    /// The session's state in words, for the tab's bar.
    pub(crate) fn status_text(&self) -> String {
        match &self.session {
            Some(ChatSession {
                connected: true, ..
            }) => "Chat session connected: lines are confirmed when they arrive".into(),
            Some(_) => format!(
                "Waiting for {} to accept the chat; what you type goes once they do",
                self.title()
            ),
            None => {
                "Short messages: no delivery guarantee. Start a chat session for delivery reports"
                    .into()
            }
        }
    }

    /// Whether short messages go to a phone number (160 characters, not 1300), by the
    /// phone's own rule on the target.
    pub(crate) fn to_phone_number(&self) -> bool {
        Target::parse(&self.target).is_ok_and(|t| t.is_phone_number())
    }

    /// The counter while typing `text`: only when it would go as a short message.
    pub(crate) fn counter(&self, text: &str) -> Option<Counter> {
        if self.route() != Route::ShortMessage || text.is_empty() {
            return None;
        }
        let max = if self.to_phone_number() {
            MAX_PHONE_CHARS
        } else {
            MAX_IP_CHARS
        };
        let length = text.chars().count();
        Some(Counter {
            text: format!("{length} / {max}"),
            over: length > max,
        })
    }

    /// Checks `text` before it is sent: a sentence saying why not, if it cannot go.
    pub(crate) fn check(&self, text: &str) -> Result<(), String> {
        if text.trim().is_empty() {
            return Err("There is nothing to send.".into());
        }
        if self.route() == Route::ShortMessage {
            ShortMessage::new(text, self.to_phone_number())
                .map_err(|e| crate::sentence::sentence(&e.to_string()))?;
        }
        Ok(())
    }

    fn line_by_id(&mut self, id: &MessageId) -> Option<usize> {
        self.lines.iter().position(|l| l.id.as_ref() == Some(id))
    }

    fn line_by_key(&self, key: u64) -> Option<usize> {
        self.lines.iter().position(|l| l.key == key)
    }
}

/// What changed, for the widgets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConversationChange {
    /// Nothing shown changed.
    None,
    /// A line was added at the end of a conversation: (conversation address, line index).
    Added(String, usize),
    /// A line changed: (conversation address, line index).
    Line(String, usize),
    /// The conversation's lines or session changed as a whole.
    Whole(String),
    /// Whether the other side is typing changed.
    Typing(String),
}

/// Every conversation, by address.
#[derive(Debug, Default)]
pub(crate) struct Conversations {
    list: HashMap<String, Conversation>,
    next_key: u64,
    /// States (and failure reasons) that arrived before the command that sent the line
    /// returned its id.
    orphan_states: Vec<(MessageId, DeliveryState, Option<String>)>,
}

impl Conversations {
    /// The conversation with `address`, if open.
    pub(crate) fn get(&self, address: &str) -> Option<&Conversation> {
        self.list.get(&conversation_key(address))
    }

    /// Sets what short messages to `address` are sent to (as typed).
    pub(crate) fn set_target(&mut self, address: &str, target: &str) {
        if let Some(conversation) = self.list.get_mut(&conversation_key(address)) {
            conversation.target = target.trim().to_owned();
        }
    }

    /// The conversation with `address`, made if new; returns its key and whether it is new.
    pub(crate) fn open(&mut self, address: &str, name: Option<String>) -> (String, bool) {
        let key = conversation_key(address);
        let mut created = false;
        let conversation = self.list.entry(key.clone()).or_insert_with(|| {
            created = true;
            Conversation::new(address, None)
        });
        if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
            conversation.name = Some(name);
        }
        (key, created)
    }

    /// Forgets a conversation (its tab closed); its lines stay stored.
    pub(crate) fn close(&mut self, address: &str) {
        self.list.remove(&conversation_key(address));
    }

    /// Merges the stored lines (oldest first) into a conversation: lines already shown
    /// (same id) are not repeated, and the result is in time order.
    pub(crate) fn load(
        &mut self,
        address: &str,
        stored: Vec<ChatMessageRecord>,
    ) -> ConversationChange {
        let key = conversation_key(address);
        let Some(conversation) = self.list.get_mut(&key) else {
            return ConversationChange::None;
        };
        conversation.loaded = true;
        let mut older = Vec::new();
        for record in stored {
            if conversation.line_by_id(&record.id).is_some() {
                continue;
            }
            self.next_key += 1;
            older.push(ChatLine {
                key: self.next_key,
                id: Some(record.id),
                incoming: record.direction == CallDirection::Incoming,
                body: record.body,
                at: record.at,
                state: record.state,
                reason: None,
            });
        }
        older.append(&mut conversation.lines);
        // Stable: lines of the same millisecond keep their order.
        older.sort_by_key(|line| line.at.0);
        conversation.lines = older;
        ConversationChange::Whole(key)
    }

    fn push(&mut self, key: &str, line: ChatLine) -> ConversationChange {
        let Some(conversation) = self.list.get_mut(key) else {
            return ConversationChange::None;
        };
        conversation.lines.push(line);
        ConversationChange::Added(key.to_owned(), conversation.lines.len() - 1)
    }

    /// A line arrived from `from` (opens the conversation if needed); they are no longer
    /// typing.
    pub(crate) fn received(
        &mut self,
        from: &str,
        id: MessageId,
        body: &str,
        at: UnixMillis,
    ) -> ConversationChange {
        let (key, _) = self.open(from, None);
        let Some(conversation) = self.list.get_mut(&key) else {
            return ConversationChange::None;
        };
        conversation.theirs.line_arrived();
        if conversation.line_by_id(&id).is_some() {
            return ConversationChange::None;
        }
        self.next_key += 1;
        let line = ChatLine {
            key: self.next_key,
            id: Some(id),
            incoming: true,
            body: body.to_owned(),
            at,
            state: DeliveryState::Received,
            reason: None,
        };
        self.push(&key, line)
    }

    /// A line the user wrote to `address`, before it is handed to the phone: pending.
    /// Returns its key and the change.
    pub(crate) fn write(
        &mut self,
        address: &str,
        body: &str,
        at: UnixMillis,
    ) -> (u64, ConversationChange) {
        let (key, _) = self.open(address, None);
        self.next_key += 1;
        let line = ChatLine {
            key: self.next_key,
            id: None,
            incoming: false,
            body: body.to_owned(),
            at,
            state: DeliveryState::Queued,
            reason: None,
        };
        let number = self.next_key;
        (number, self.push(&key, line))
    }

    /// The phone took the line `line_key` as message `id` (a state that came first applies).
    pub(crate) fn sent_as(
        &mut self,
        address: &str,
        line_key: u64,
        id: MessageId,
    ) -> ConversationChange {
        let key = conversation_key(address);
        let early = self
            .orphan_states
            .iter()
            .rposition(|(orphan, ..)| *orphan == id)
            .map(|at| self.orphan_states.remove(at));
        self.orphan_states.retain(|(orphan, ..)| *orphan != id);
        let Some(conversation) = self.list.get_mut(&key) else {
            return ConversationChange::None;
        };
        let Some(index) = conversation.line_by_key(line_key) else {
            return ConversationChange::None;
        };
        let line = &mut conversation.lines[index];
        line.id = Some(id);
        if let Some((_, state, reason)) = early {
            line.set_state(state, reason);
        }
        ConversationChange::Line(key, index)
    }

    /// The phone refused the line `line_key`: failed, with why.
    pub(crate) fn refused(
        &mut self,
        address: &str,
        line_key: u64,
        reason: &str,
    ) -> ConversationChange {
        let key = conversation_key(address);
        let Some(conversation) = self.list.get_mut(&key) else {
            return ConversationChange::None;
        };
        let Some(index) = conversation.line_by_key(line_key) else {
            return ConversationChange::None;
        };
        let line = &mut conversation.lines[index];
        line.state = DeliveryState::Failed;
        line.reason = Some(reason.trim_end_matches('.').to_owned());
        ConversationChange::Line(key, index)
    }

    /// A message changed delivery state (`reason`: why it failed, in plain words).
    pub(crate) fn set_state(
        &mut self,
        id: &MessageId,
        state: DeliveryState,
        reason: Option<String>,
    ) -> ConversationChange {
        for (key, conversation) in &mut self.list {
            if let Some(index) = conversation.line_by_id(id) {
                conversation.lines[index].set_state(state, reason);
                return ConversationChange::Line(key.clone(), index);
            }
        }
        // Its command has not returned yet (a short message is Sent before it does).
        if self.orphan_states.len() >= ORPHAN_STATES {
            self.orphan_states.remove(0);
        }
        self.orphan_states.push((id.clone(), state, reason));
        ConversationChange::None
    }

    /// The failed line `line_key` goes again, in its own row: it shows as pending, and
    /// the answer says how it goes (as itself when the phone has it, else its text again).
    pub(crate) fn resend(
        &mut self,
        address: &str,
        line_key: u64,
    ) -> Option<(Resend, ConversationChange)> {
        let key = conversation_key(address);
        let conversation = self.list.get_mut(&key)?;
        let index = conversation.line_by_key(line_key)?;
        let line = &mut conversation.lines[index];
        if !line.can_resend() {
            return None;
        }
        line.set_state(DeliveryState::Queued, None);
        let how = match &line.id {
            Some(id) => Resend::Stored(id.clone()),
            None => Resend::Again(line.body.clone()),
        };
        Some((how, ConversationChange::Line(key, index)))
    }

    /// What is typed to `address` changed at `now` (`empty`: nothing is typed now): the
    /// typing state to tell them, if any (only over a connected chat session).
    pub(crate) fn typed(&mut self, address: &str, now: Instant, empty: bool) -> Option<Composing> {
        let conversation = self.list.get_mut(&conversation_key(address))?;
        conversation.connected_session()?;
        let active = conversation.ours.keystroke(now, empty);
        conversation.composing(active)
    }

    /// A line to `address` was sent: *stopped*, if we said *typing*.
    pub(crate) fn line_sent(&mut self, address: &str) -> Option<Composing> {
        let conversation = self.list.get_mut(&conversation_key(address))?;
        let active = conversation.ours.line_sent();
        conversation.composing(active)
    }

    /// The other side of `session` is typing (`active`) or stopped, at `now`.
    pub(crate) fn their_typing(
        &mut self,
        session: &SessionId,
        active: bool,
        now: Instant,
    ) -> ConversationChange {
        for (key, conversation) in &mut self.list {
            if conversation
                .session
                .as_ref()
                .is_some_and(|s| &s.id == session)
            {
                return if conversation.theirs.said(now, active) {
                    ConversationChange::Typing(key.clone())
                } else {
                    ConversationChange::None
                };
            }
        }
        ConversationChange::None
    }

    /// The time is `now`: the typing states to tell (we stopped typing ten seconds ago),
    /// and the conversations whose *is typing* lapsed.
    pub(crate) fn tick(&mut self, now: Instant) -> (Vec<Composing>, Vec<ConversationChange>) {
        let mut tell = Vec::new();
        let mut changes = Vec::new();
        for (key, conversation) in &mut self.list {
            let active = conversation.ours.tick(now);
            tell.extend(conversation.composing(active));
            if conversation.theirs.tick(now) {
                changes.push(ConversationChange::Typing(key.clone()));
            }
        }
        (tell, changes)
    }

    /// When [`Self::tick`] next has something to do.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.list
            .values()
            .flat_map(|c| [c.ours.deadline(), c.theirs.deadline()])
            .flatten()
            .min()
    }

    /// A chat session with `address` was started (not connected yet).
    pub(crate) fn chat_started(&mut self, address: &str, session: SessionId) -> ConversationChange {
        let (key, _) = self.open(address, None);
        if let Some(conversation) = self.list.get_mut(&key) {
            conversation.session = Some(ChatSession {
                id: session,
                connected: false,
            });
        }
        ConversationChange::Whole(key)
    }

    /// A chat session connected (ours, or theirs once accepted: `address` says with whom).
    pub(crate) fn chat_connected(
        &mut self,
        address: &str,
        session: &SessionId,
    ) -> ConversationChange {
        let (key, _) = self.open(address, None);
        if let Some(conversation) = self.list.get_mut(&key) {
            if conversation.connected_session() != Some(session) {
                // A new session knows nothing of what the last one was told.
                conversation.ours.forget();
                conversation.theirs = TheirTyping::default();
            }
            conversation.session = Some(ChatSession {
                id: session.clone(),
                connected: true,
            });
        }
        ConversationChange::Whole(key)
    }

    /// A chat session ended: lines go as short messages again.
    pub(crate) fn chat_ended(&mut self, session: &SessionId) -> ConversationChange {
        for (key, conversation) in &mut self.list {
            if conversation
                .session
                .as_ref()
                .is_some_and(|s| &s.id == session)
            {
                conversation.session = None;
                conversation.ours.forget();
                conversation.theirs = TheirTyping::default();
                return ConversationChange::Whole(key.clone());
            }
        }
        ConversationChange::None
    }

    /// The address of the conversation whose chat session is `session`.
    pub(crate) fn address_of_session(&self, session: &SessionId) -> Option<String> {
        self.list
            .values()
            .find(|c| c.session.as_ref().is_some_and(|s| &s.id == session))
            .map(|c| c.address.clone())
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::AccountId;

    use super::*;

    fn mid(raw: &str) -> MessageId {
        MessageId::new(raw).unwrap()
    }

    fn record(
        id: &str,
        remote: &str,
        incoming: bool,
        at: i64,
        state: DeliveryState,
    ) -> ChatMessageRecord {
        ChatMessageRecord {
            id: mid(id),
            account: AccountId::new("me@wink.test").unwrap(),
            remote: remote.into(),
            direction: if incoming {
                CallDirection::Incoming
            } else {
                CallDirection::Outgoing
            },
            content_type: "text/plain".into(),
            body: format!("line {id}"),
            at: UnixMillis(at),
            state,
        }
    }

    #[test]
    fn a_time_of_today_is_hours_and_minutes_and_an_older_one_has_its_day() {
        let now = now_millis();
        let today = time_text(now);
        assert_eq!(today.len(), 5, "{today}");
        assert_eq!(today.as_bytes()[2], b':');
        let older = time_text(UnixMillis(now.0 - 3 * 86_400_000));
        assert!(
            older.len() > 5 && older.ends_with(&older[older.len() - 5..]),
            "{older}"
        );
        assert!(older.split(' ').count() == 3, "{older}");
    }

    #[test]
    fn lines_are_grouped_by_address_whatever_its_case_or_scheme() {
        let mut book = Conversations::default();
        book.received("Bob@Wink.test", mid("m1"), "hi", UnixMillis(1));
        book.received("sip:bob@wink.test", mid("m2"), "there", UnixMillis(2));
        book.received("carol@wink.test", mid("m3"), "hello", UnixMillis(3));
        let bob = book.get("bob@wink.test").unwrap();
        assert_eq!(bob.lines.len(), 2);
        assert_eq!(bob.title(), "bob@wink.test");
        assert_eq!(book.get("CAROL@wink.test").unwrap().lines.len(), 1);
        // The same message twice (an event and the store) shows once.
        assert_eq!(
            book.received("bob@wink.test", mid("m1"), "hi", UnixMillis(1)),
            ConversationChange::None
        );
    }

    #[test]
    fn the_stored_conversation_comes_before_what_arrived_meanwhile_without_repeats() {
        let mut book = Conversations::default();
        book.open("bob@wink.test", Some("Bob".into()));
        book.received("bob@wink.test", mid("new"), "just now", UnixMillis(50));
        let stored = vec![
            record("old1", "bob@wink.test", false, 10, DeliveryState::Queued),
            record("old2", "bob@wink.test", true, 20, DeliveryState::Received),
            record("new", "bob@wink.test", true, 50, DeliveryState::Received),
        ];
        assert_eq!(
            book.load("bob@wink.test", stored),
            ConversationChange::Whole("bob@wink.test".into())
        );
        let bob = book.get("bob@wink.test").unwrap();
        let ids: Vec<_> = bob
            .lines
            .iter()
            .map(|l| l.id.clone().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["old1", "old2", "new"]);
        // The line queued before a restart says so.
        assert_eq!(bob.lines[0].state_text(), "Pending");
        assert_eq!(bob.lines[1].state_text(), "");
        assert_eq!(bob.title(), "Bob");
    }

    #[test]
    fn a_line_goes_from_pending_to_delivered_even_when_a_state_comes_before_its_id() {
        let mut book = Conversations::default();
        let (line, change) = book.write("bob@wink.test", "hello", UnixMillis(5));
        assert_eq!(change, ConversationChange::Added("bob@wink.test".into(), 0));
        assert_eq!(
            book.get("bob@wink.test").unwrap().lines[0].state_text(),
            "Pending"
        );
        // A short message is Sent before the command that sent it returns.
        assert_eq!(
            book.set_state(&mid("m9"), DeliveryState::Sent, None),
            ConversationChange::None
        );
        book.sent_as("bob@wink.test", line, mid("m9"));
        assert_eq!(
            book.get("bob@wink.test").unwrap().lines[0].state_text(),
            "Sent"
        );
        assert_eq!(
            book.set_state(&mid("m9"), DeliveryState::Delivered, None),
            ConversationChange::Line("bob@wink.test".into(), 0)
        );
        let line = &book.get("bob@wink.test").unwrap().lines[0];
        assert_eq!(line.state_text(), "Delivered");
        assert!(!line.failed() && !line.can_resend());
        assert_eq!(
            line.spoken("Bob", "14:05"),
            "You at 14:05: hello. Delivered"
        );
    }

    #[test]
    fn a_line_refused_by_its_command_says_why_and_goes_again_in_its_own_row() {
        let mut book = Conversations::default();
        let (line, _) = book.write("bob@wink.test", "hello", UnixMillis(5));
        book.refused("bob@wink.test", line, "No account is registered.");
        let failed = &book.get("bob@wink.test").unwrap().lines[0];
        assert!(failed.failed() && failed.can_resend());
        assert_eq!(
            failed.state_text(),
            "Not delivered: No account is registered"
        );
        // The phone never took it (no id): its text goes again, in the same row.
        let (how, change) = book.resend("bob@wink.test", line).unwrap();
        assert_eq!(how, Resend::Again("hello".into()));
        assert_eq!(change, ConversationChange::Line("bob@wink.test".into(), 0));
        let bob = book.get("bob@wink.test").unwrap();
        assert_eq!(bob.lines.len(), 1);
        assert_eq!(bob.lines[0].state_text(), "Pending");
        assert!(!bob.lines[0].can_resend());
        // Pending: not offered twice.
        assert!(book.resend("bob@wink.test", line).is_none());
        book.sent_as("bob@wink.test", line, mid("m1"));
        book.set_state(&mid("m1"), DeliveryState::Sent, None);
        assert_eq!(
            book.get("bob@wink.test").unwrap().lines[0].state_text(),
            "Sent"
        );
    }

    #[test]
    fn a_line_that_fails_later_shows_the_phones_reason_even_before_its_id() {
        let mut book = Conversations::default();
        let (line, _) = book.write("bob@wink.test", "hello", UnixMillis(5));
        book.sent_as("bob@wink.test", line, mid("m1"));
        book.set_state(&mid("m1"), DeliveryState::Sent, None);
        assert_eq!(
            book.set_state(
                &mid("m1"),
                DeliveryState::Failed,
                Some("the other side is not reachable now".into())
            ),
            ConversationChange::Line("bob@wink.test".into(), 0)
        );
        let failed = &book.get("bob@wink.test").unwrap().lines[0];
        assert_eq!(
            failed.state_text(),
            "Not delivered: the other side is not reachable now"
        );
        assert!(failed.can_resend());
        assert_eq!(
            failed.spoken("Bob", "14:05"),
            "You at 14:05: hello. Not delivered: the other side is not reachable now"
        );
        // A failure (with its reason) that comes before the command returns the id.
        let (other, _) = book.write("bob@wink.test", "again", UnixMillis(6));
        book.set_state(
            &mid("m2"),
            DeliveryState::Failed,
            Some("refused (499 Odd).".into()),
        );
        book.sent_as("bob@wink.test", other, mid("m2"));
        assert_eq!(
            book.get("bob@wink.test").unwrap().lines[1].state_text(),
            "Not delivered: refused (499 Odd)"
        );
        // Without words.
        let (third, _) = book.write("bob@wink.test", "third", UnixMillis(7));
        book.sent_as("bob@wink.test", third, mid("m3"));
        book.set_state(&mid("m3"), DeliveryState::Failed, None);
        assert_eq!(
            book.get("bob@wink.test").unwrap().lines[2].state_text(),
            "Not delivered"
        );
    }

    #[test]
    fn resend_sends_the_stored_message_as_itself_and_its_state_follows_in_the_same_row() {
        let mut book = Conversations::default();
        book.open("bob@wink.test", None);
        // A line that failed before a restart, read from the store.
        book.load(
            "bob@wink.test",
            vec![record(
                "old",
                "bob@wink.test",
                false,
                1,
                DeliveryState::Failed,
            )],
        );
        let key = book.get("bob@wink.test").unwrap().lines[0].key;
        let (how, _) = book.resend("bob@wink.test", key).unwrap();
        assert_eq!(how, Resend::Stored(mid("old")));
        assert_eq!(
            book.get("bob@wink.test").unwrap().lines[0].state_text(),
            "Pending"
        );
        // The command answers with the same id; the states follow.
        assert_eq!(
            book.sent_as("bob@wink.test", key, mid("old")),
            ConversationChange::Line("bob@wink.test".into(), 0)
        );
        book.set_state(&mid("old"), DeliveryState::Delivered, None);
        let bob = book.get("bob@wink.test").unwrap();
        assert_eq!(bob.lines.len(), 1);
        assert_eq!(bob.lines[0].state_text(), "Delivered");
        assert!(book.resend("bob@wink.test", key).is_none());
        // Failed again: the old reason does not linger, the new one shows.
        book.set_state(&mid("old"), DeliveryState::Failed, Some("no answer".into()));
        let (_, _) = book.resend("bob@wink.test", key).unwrap();
        assert_eq!(book.get("bob@wink.test").unwrap().lines[0].reason, None);
        // Refused by its command (NotUnsent): failed with why.
        book.refused(
            "bob@wink.test",
            key,
            "Message old is not waiting to be sent.",
        );
        assert_eq!(
            book.get("bob@wink.test").unwrap().lines[0].state_text(),
            "Not delivered: Message old is not waiting to be sent"
        );
        // A received line is never offered.
        book.received("bob@wink.test", mid("in"), "hi", UnixMillis(9));
        let theirs = book.get("bob@wink.test").unwrap().lines[1].key;
        assert!(book.resend("bob@wink.test", theirs).is_none());
    }

    #[test]
    fn our_typing_is_told_only_over_a_connected_chat_and_stops_after_the_line() {
        let start = Instant::now();
        let secs = std::time::Duration::from_secs;
        let mut book = Conversations::default();
        book.open("bob@wink.test", None);
        let session = SessionId::new("s1").unwrap();
        let told = |active| {
            Some(Composing {
                session: session.clone(),
                active,
            })
        };
        // Short messages: nothing to tell.
        assert_eq!(book.typed("bob@wink.test", start, false), None);
        // Waiting for them to accept: nothing either.
        book.chat_started("bob@wink.test", session.clone());
        assert_eq!(book.typed("bob@wink.test", start, false), None);
        book.chat_connected("bob@wink.test", &session);
        assert_eq!(book.typed("bob@wink.test", start, false), told(true));
        assert_eq!(book.typed("bob@wink.test", start + secs(1), false), None);
        assert_eq!(book.deadline(), Some(start + secs(11)));
        assert_eq!(book.line_sent("bob@wink.test"), told(false));
        assert_eq!(book.typed("bob@wink.test", start + secs(1), true), None);
        assert_eq!(book.deadline(), None);
        // Ten seconds without a key.
        book.typed("bob@wink.test", start + secs(2), false);
        assert_eq!(book.tick(start + secs(11)), (vec![], vec![]));
        assert_eq!(
            book.tick(start + secs(12)),
            (vec![told(false).unwrap()], vec![])
        );
        // The session ends while typing: nothing more is told.
        book.typed("bob@wink.test", start + secs(20), false);
        book.chat_ended(&session);
        assert_eq!(book.deadline(), None);
        assert_eq!(book.tick(start + secs(40)), (vec![], vec![]));
        assert_eq!(book.line_sent("bob@wink.test"), None);
    }

    #[test]
    fn their_typing_shows_until_their_line_their_stop_or_two_minutes() {
        let start = Instant::now();
        let secs = std::time::Duration::from_secs;
        let mut book = Conversations::default();
        book.open("bob@wink.test", Some("Bob".into()));
        let session = SessionId::new("s1").unwrap();
        book.chat_connected("bob@wink.test", &session);
        let typing = ConversationChange::Typing("bob@wink.test".into());
        assert_eq!(book.their_typing(&session, true, start), typing);
        let bob = book.get("bob@wink.test").unwrap();
        assert_eq!(bob.typing_text().as_deref(), Some("Bob is typing…"));
        // Their line ends it.
        book.received("bob@wink.test", mid("m1"), "hi", UnixMillis(1));
        assert_eq!(book.get("bob@wink.test").unwrap().typing_text(), None);
        // Their stop.
        book.their_typing(&session, true, start);
        assert_eq!(book.their_typing(&session, false, start + secs(1)), typing);
        assert_eq!(
            book.their_typing(&session, false, start + secs(2)),
            ConversationChange::None
        );
        // Two minutes after the last one.
        book.their_typing(&session, true, start + secs(10));
        assert_eq!(book.deadline(), Some(start + secs(130)));
        assert_eq!(book.tick(start + secs(129)).1, vec![]);
        assert_eq!(book.tick(start + secs(130)).1, vec![typing.clone()]);
        assert_eq!(book.get("bob@wink.test").unwrap().typing_text(), None);
        // Another session's state is not theirs.
        let other = SessionId::new("s2").unwrap();
        assert_eq!(
            book.their_typing(&other, true, start),
            ConversationChange::None
        );
        // The chat ends: no one is typing.
        book.their_typing(&session, true, start);
        book.chat_ended(&session);
        assert_eq!(book.get("bob@wink.test").unwrap().typing_text(), None);
    }

    #[test]
    fn lines_go_over_the_chat_session_once_there_is_one_else_as_short_messages() {
        let mut book = Conversations::default();
        book.open("bob@wink.test", None);
        let session = SessionId::new("s1").unwrap();
        assert_eq!(
            book.get("bob@wink.test").unwrap().route(),
            Route::ShortMessage
        );
        book.chat_started("bob@wink.test", session.clone());
        let bob = book.get("bob@wink.test").unwrap();
        assert_eq!(bob.route(), Route::Chat(session.clone()));
        assert!(bob.status_text().starts_with("Waiting for bob@wink.test"));
        book.chat_connected("bob@wink.test", &session);
        assert!(
            book.get("bob@wink.test")
                .unwrap()
                .status_text()
                .starts_with("Chat session connected")
        );
        assert_eq!(
            book.address_of_session(&session).as_deref(),
            Some("bob@wink.test")
        );
        assert_eq!(
            book.chat_ended(&session),
            ConversationChange::Whole("bob@wink.test".into())
        );
        assert_eq!(
            book.get("bob@wink.test").unwrap().route(),
            Route::ShortMessage
        );
    }

    #[test]
    fn the_counter_shows_the_short_message_limit_only_when_the_line_goes_as_one() {
        let mut book = Conversations::default();
        book.open("bob@wink.test", None);
        book.open("+4420123456@wink.test", None);
        book.set_target("+4420123456@wink.test", "+44 20 123456");
        let bob = book.get("bob@wink.test").unwrap();
        assert_eq!(bob.counter(""), None);
        assert_eq!(
            bob.counter("héllo"),
            Some(Counter {
                text: "5 / 1300".into(),
                over: false
            })
        );
        assert!(bob.counter(&"a".repeat(1301)).unwrap().over);
        assert!(
            bob.check(&"a".repeat(1301))
                .unwrap_err()
                .contains("at most 1300")
        );
        assert!(bob.check("  ").is_err());
        let number = book.get("+4420123456@wink.test").unwrap();
        assert!(number.to_phone_number());
        assert_eq!(number.counter(&"a".repeat(161)).unwrap().text, "161 / 160");
        // Over a chat session there is no limit to show.
        let session = SessionId::new("s1").unwrap();
        book.chat_connected("bob@wink.test", &session);
        let bob = book.get("bob@wink.test").unwrap();
        assert_eq!(bob.counter(&"a".repeat(2000)), None);
        assert!(bob.check(&"a".repeat(2000)).is_ok());
    }
}
