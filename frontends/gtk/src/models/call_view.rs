//! Calls as the calls pane shows them: one [`CallView`] per call, kept by [`CallBook`]
//! from the phone's events, with the texts the rows display (state, timer, media,
//! encryption, quality, failure in plain words).

use std::time::Duration;

use wink_domain::{CallState, PhoneEvent};
use wink_ports::{CallResult, CallStats, SessionId, SipUri};

/// Who is on the other end, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Party {
    /// A name (display name or contact name) when known.
    pub(crate) name: Option<String>,
    /// The address (`alice@example.com`).
    pub(crate) address: String,
}

impl Party {
    /// The party at `uri` with an optional name.
    pub(crate) fn new(uri: &SipUri, name: Option<String>) -> Self {
        Self {
            name: name.filter(|n| !n.trim().is_empty()),
            address: uri.address(),
        }
    }

    /// The title: the name, else the address.
    pub(crate) fn title(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.address)
    }
}

/// One call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CallView {
    /// The phone's handle.
    pub(crate) id: SessionId,
    /// The remote party.
    pub(crate) party: Party,
    /// Whether we were called.
    pub(crate) incoming: bool,
    /// Its state.
    pub(crate) state: CallState,
    /// When it connected (seconds on the app's clock), for the timer.
    pub(crate) connected_at: Option<Duration>,
    /// Our microphone is muted.
    pub(crate) muted: bool,
    /// Being recorded.
    pub(crate) recording: bool,
    /// One of the local conference's calls.
    pub(crate) in_conference: bool,
    /// Its other side is silenced for everyone (in a conference).
    pub(crate) silenced: bool,
    /// The last statistics.
    pub(crate) stats: Option<CallStats>,
    /// Why it ended, for an ended call kept on screen a moment.
    pub(crate) ended: Option<CallResult>,
}

impl CallView {
    /// A new call in `state`.
    pub(crate) fn new(id: SessionId, party: Party, incoming: bool, state: CallState) -> Self {
        Self {
            id,
            party,
            incoming,
            state,
            connected_at: None,
            muted: false,
            recording: false,
            in_conference: false,
            silenced: false,
            stats: None,
            ended: None,
        }
    }

    /// The state in words.
    pub(crate) fn state_text(&self) -> String {
        if let Some(result) = self.ended {
            return ended_text(result, self.incoming).to_owned();
        }
        match self.state {
            CallState::Calling => "Calling…".into(),
            CallState::Ringing => "Ringing…".into(),
            CallState::EarlyMedia => "Ringing (announcement)…".into(),
            CallState::Alerting => "Incoming call".into(),
            CallState::Accepted => "Connecting…".into(),
            CallState::Established => {
                let mut text = String::from(if self.in_conference {
                    "In conference"
                } else {
                    "Connected"
                });
                if self.silenced {
                    text.push_str(", muted for everyone");
                }
                if self.muted {
                    text.push_str(", your microphone muted");
                }
                text
            }
            CallState::OnHold => "On hold".into(),
            CallState::Terminated(result) => ended_text(result, self.incoming).to_owned(),
        }
    }

    /// The connected time as `m:ss` (or `h:mm:ss`), empty before it connects.
    pub(crate) fn timer_text(&self, now: Duration) -> String {
        self.connected_at
            .map(|at| clock_text(now.saturating_sub(at)))
            .unwrap_or_default()
    }

    /// Codec, encryption and quality, e.g. `Opus · Encrypted (SRTP) · loss 0.5 %, jitter
    /// 3 ms, round trip 40 ms`; empty until statistics arrive.
    pub(crate) fn media_text(&self) -> String {
        let Some(stats) = &self.stats else {
            return String::new();
        };
        let encryption = if stats.encrypted {
            "Encrypted (SRTP)"
        } else {
            "Not encrypted"
        };
        let mut quality = format!(
            "loss {:.1} %, jitter {:.0} ms",
            stats.loss_percent, stats.jitter_ms
        );
        if let Some(rtt) = stats.round_trip_ms {
            quality.push_str(&format!(", round trip {rtt} ms"));
        }
        format!("{} · {encryption} · {quality}", codec_name(&stats.codec))
    }

    /// Whether the call is connected (hold, mute, DTMF, transfer make sense).
    pub(crate) fn is_connected(&self) -> bool {
        self.ended.is_none() && matches!(self.state, CallState::Established | CallState::OnHold)
    }

    /// Whether it has ended.
    pub(crate) fn is_over(&self) -> bool {
        self.ended.is_some() || matches!(self.state, CallState::Terminated(_))
    }
}

fn codec_name(codec: &str) -> String {
    match codec.to_ascii_lowercase().as_str() {
        "opus" => "Opus".into(),
        "g722" => "G.722".into(),
        "pcma" => "G.711 A-law".into(),
        "pcmu" => "G.711 µ-law".into(),
        _ => codec.to_owned(),
    }
}

/// How a call ended, in words.
fn ended_text(result: CallResult, incoming: bool) -> &'static str {
    match (result, incoming) {
        (CallResult::Answered, _) => "Call ended",
        (CallResult::Missed, _) => "Missed",
        (CallResult::AnsweredElsewhere, _) => "Answered on another device",
        (CallResult::Rejected, false) => "Declined by the other side",
        (CallResult::Rejected, true) => "Declined",
        (CallResult::Busy, false) => "The other side is busy",
        (CallResult::Busy, true) => "Refused as busy",
        (CallResult::Cancelled, _) => "Cancelled",
        (CallResult::Failed, _) => "The call could not be made",
    }
}

/// `m:ss` below an hour, `h:mm:ss` above.
pub(crate) fn clock_text(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// What changed in the book after an event, for the widgets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallChange {
    /// A call appeared at this index.
    Added(usize),
    /// The call at this index changed.
    Changed(usize),
    /// Every call may have changed.
    All,
    /// Nothing the calls pane shows.
    None,
}

/// Every call the pane shows, in the order they started.
#[derive(Debug, Default)]
pub(crate) struct CallBook {
    calls: Vec<CallView>,
}

impl CallBook {
    /// The calls.
    pub(crate) fn calls(&self) -> &[CallView] {
        &self.calls
    }

    /// A call by id.
    pub(crate) fn get(&self, id: &SessionId) -> Option<&CallView> {
        self.calls.iter().find(|c| &c.id == id)
    }

    fn index(&self, id: &SessionId) -> Option<usize> {
        self.calls.iter().position(|c| &c.id == id)
    }

    /// Takes one phone event; `now` is the app's clock for the timers.
    pub(crate) fn apply(&mut self, event: &PhoneEvent, now: Duration) -> CallChange {
        match event {
            PhoneEvent::OutgoingCall { session, to, .. } => self.add(CallView::new(
                session.clone(),
                Party::new(to, None),
                false,
                CallState::Calling,
            )),
            PhoneEvent::IncomingCall {
                session,
                from,
                display_name,
                ..
            } => self.add(CallView::new(
                session.clone(),
                Party::new(from, display_name.clone()),
                true,
                CallState::Alerting,
            )),
            PhoneEvent::CallState { session, state } => self.update(session, |call| {
                if matches!(state, CallState::Established) && call.connected_at.is_none() {
                    call.connected_at = Some(now);
                }
                if let CallState::Terminated(result) = state {
                    call.ended = Some(*result);
                }
                call.state = *state;
            }),
            PhoneEvent::CallEnded {
                session, result, ..
            } => self.update(session, |call| {
                call.ended = Some(*result);
                call.state = CallState::Terminated(*result);
            }),
            PhoneEvent::Muted { session, muted } => {
                self.update(session, |call| call.muted = *muted)
            }
            PhoneEvent::ParticipantSilenced { session, silenced } => {
                self.update(session, |call| call.silenced = *silenced)
            }
            PhoneEvent::Conference { members } => {
                for call in &mut self.calls {
                    call.in_conference = members.contains(&call.id);
                }
                CallChange::All
            }
            _ => CallChange::None,
        }
    }

    /// Keeps the latest statistics of a call.
    pub(crate) fn set_stats(&mut self, id: &SessionId, stats: CallStats) -> CallChange {
        self.update(id, |call| call.stats = Some(stats))
    }

    /// Marks a call as being recorded or not.
    pub(crate) fn set_recording(&mut self, id: &SessionId, on: bool) -> CallChange {
        self.update(id, |call| call.recording = on)
    }

    /// Forgets a call that has ended (the pane keeps it a moment, then removes it).
    pub(crate) fn remove(&mut self, id: &SessionId) -> Option<usize> {
        let index = self.index(id)?;
        self.calls.remove(index);
        Some(index)
    }

    /// Whether Merge Calls has something to do: two connected calls or more, not all of
    /// them in the conference already.
    pub(crate) fn can_merge(&self) -> bool {
        let connected: Vec<&CallView> = self.calls.iter().filter(|c| c.is_connected()).collect();
        connected.len() >= 2 && connected.iter().any(|c| !c.in_conference)
    }

    /// The calls that are connected and not on hold, except `except`: the ones to hold
    /// when the user starts or answers another call.
    pub(crate) fn active_except(&self, except: Option<&SessionId>) -> Vec<SessionId> {
        self.calls
            .iter()
            .filter(|c| Some(&c.id) != except)
            .filter(|c| c.ended.is_none() && c.state == CallState::Established)
            .map(|c| c.id.clone())
            .collect()
    }

    /// The connected calls (on hold or not).
    pub(crate) fn connected(&self) -> Vec<SessionId> {
        self.calls
            .iter()
            .filter(|c| c.is_connected())
            .map(|c| c.id.clone())
            .collect()
    }

    /// The call keyboard shortcuts act on: the newest live call.
    pub(crate) fn current(&self) -> Option<&CallView> {
        self.calls.iter().rev().find(|c| !c.is_over())
    }

    fn add(&mut self, call: CallView) -> CallChange {
        if let Some(index) = self.index(&call.id) {
            return CallChange::Changed(index);
        }
        self.calls.push(call);
        CallChange::Added(self.calls.len() - 1)
    }

    fn update(&mut self, id: &SessionId, change: impl FnOnce(&mut CallView)) -> CallChange {
        match self.index(id) {
            Some(index) => {
                change(&mut self.calls[index]);
                CallChange::Changed(index)
            }
            None => CallChange::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::AccountId;

    use super::*;

    fn id(raw: &str) -> SessionId {
        SessionId::new(raw).unwrap()
    }

    fn outgoing(book: &mut CallBook, raw: &str) -> CallChange {
        book.apply(
            &PhoneEvent::OutgoingCall {
                session: id(raw),
                account: AccountId::new("me@example.com").unwrap(),
                to: SipUri::parse("sip:bob@example.com").unwrap(),
                media: wink_ports::MediaKind::Audio,
            },
            Duration::ZERO,
        )
    }

    fn state(book: &mut CallBook, raw: &str, state: CallState, at: u64) -> CallChange {
        book.apply(
            &PhoneEvent::CallState {
                session: id(raw),
                state,
            },
            Duration::from_secs(at),
        )
    }

    #[test]
    fn an_outgoing_call_goes_from_calling_to_connected_with_a_running_timer() {
        let mut book = CallBook::default();
        assert_eq!(outgoing(&mut book, "c1"), CallChange::Added(0));
        let call = book.get(&id("c1")).unwrap();
        assert_eq!(call.party.title(), "bob@example.com");
        assert_eq!(call.state_text(), "Calling…");
        assert_eq!(call.timer_text(Duration::from_secs(5)), "");
        state(&mut book, "c1", CallState::Ringing, 1);
        assert_eq!(book.get(&id("c1")).unwrap().state_text(), "Ringing…");
        assert_eq!(
            state(&mut book, "c1", CallState::Established, 10),
            CallChange::Changed(0)
        );
        let call = book.get(&id("c1")).unwrap();
        assert_eq!(call.state_text(), "Connected");
        assert_eq!(call.timer_text(Duration::from_secs(75)), "1:05");
        assert_eq!(call.timer_text(Duration::from_secs(3_600 + 10)), "1:00:00");
        assert!(call.is_connected());
    }

    #[test]
    fn an_incoming_call_shows_the_callers_name_and_how_it_ended() {
        let mut book = CallBook::default();
        book.apply(
            &PhoneEvent::IncomingCall {
                session: id("in"),
                account: AccountId::new("me@example.com").unwrap(),
                from: SipUri::parse("sip:ann@example.com").unwrap(),
                display_name: Some("Ann Lee".into()),
                web_alert_url: None,
                answering_machine_in: None,
                media: wink_ports::MediaKind::Audio,
            },
            Duration::ZERO,
        );
        assert_eq!(book.get(&id("in")).unwrap().party.title(), "Ann Lee");
        assert_eq!(book.get(&id("in")).unwrap().state_text(), "Incoming call");
        book.apply(
            &PhoneEvent::CallEnded {
                session: id("in"),
                result: CallResult::Busy,
                duration_secs: 0,
            },
            Duration::ZERO,
        );
        let call = book.get(&id("in")).unwrap();
        assert!(call.is_over());
        assert_eq!(call.state_text(), "Refused as busy");
        assert!(book.current().is_none());
    }

    #[test]
    fn a_failure_is_said_from_the_callers_side() {
        let mut book = CallBook::default();
        outgoing(&mut book, "c1");
        state(&mut book, "c1", CallState::Terminated(CallResult::Busy), 1);
        assert_eq!(
            book.get(&id("c1")).unwrap().state_text(),
            "The other side is busy"
        );
        outgoing(&mut book, "c2");
        state(
            &mut book,
            "c2",
            CallState::Terminated(CallResult::Rejected),
            1,
        );
        assert_eq!(
            book.get(&id("c2")).unwrap().state_text(),
            "Declined by the other side"
        );
    }

    #[test]
    fn media_text_names_codec_encryption_and_quality() {
        let mut book = CallBook::default();
        outgoing(&mut book, "c1");
        assert_eq!(book.get(&id("c1")).unwrap().media_text(), "");
        let stats = CallStats {
            codec: "opus".into(),
            encrypted: true,
            loss_percent: 0.5,
            jitter_ms: 3.2,
            round_trip_ms: Some(40),
            ..CallStats::default()
        };
        book.set_stats(&id("c1"), stats.clone());
        assert_eq!(
            book.get(&id("c1")).unwrap().media_text(),
            "Opus · Encrypted (SRTP) · loss 0.5 %, jitter 3 ms, round trip 40 ms"
        );
        let plain = CallStats {
            codec: "PCMA".into(),
            encrypted: false,
            round_trip_ms: None,
            ..stats
        };
        book.set_stats(&id("c1"), plain);
        assert!(
            book.get(&id("c1"))
                .unwrap()
                .media_text()
                .starts_with("G.711 A-law · Not encrypted · ")
        );
    }

    #[test]
    fn starting_another_call_holds_the_connected_ones_and_mute_shows() {
        let mut book = CallBook::default();
        outgoing(&mut book, "a");
        outgoing(&mut book, "b");
        state(&mut book, "a", CallState::Established, 1);
        state(&mut book, "b", CallState::Established, 1);
        assert_eq!(book.active_except(Some(&id("b"))), vec![id("a")]);
        assert_eq!(book.connected(), vec![id("a"), id("b")]);
        state(&mut book, "a", CallState::OnHold, 2);
        assert!(book.active_except(Some(&id("b"))).is_empty());
        book.apply(
            &PhoneEvent::Muted {
                session: id("b"),
                muted: true,
            },
            Duration::ZERO,
        );
        assert_eq!(
            book.current().unwrap().state_text(),
            "Connected, your microphone muted"
        );
        assert_eq!(book.remove(&id("a")), Some(0));
        assert_eq!(book.calls().len(), 1);
    }

    #[test]
    fn a_conference_shows_on_its_calls_and_a_participant_muted_for_everyone() {
        let mut book = CallBook::default();
        for call in ["a", "b", "c"] {
            outgoing(&mut book, call);
            state(&mut book, call, CallState::Established, 1);
        }
        assert!(book.can_merge());
        let members = vec![id("a"), id("b"), id("c")];
        assert_eq!(
            book.apply(&PhoneEvent::Conference { members }, Duration::ZERO),
            CallChange::All
        );
        assert!(!book.can_merge(), "every call is in it already");
        assert_eq!(book.get(&id("b")).unwrap().state_text(), "In conference");
        book.apply(
            &PhoneEvent::ParticipantSilenced {
                session: id("b"),
                silenced: true,
            },
            Duration::ZERO,
        );
        assert_eq!(
            book.get(&id("b")).unwrap().state_text(),
            "In conference, muted for everyone"
        );
        book.apply(
            &PhoneEvent::Conference {
                members: Vec::new(),
            },
            Duration::ZERO,
        );
        assert!(!book.get(&id("a")).unwrap().in_conference);
        assert!(book.can_merge());
    }
}
