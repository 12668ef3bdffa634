//! What each session of the phone is: an audio call (the calls pane), a chat (the chat
//! window) or a file transfer (the transfers window).
//!
//! The phone's events do not say it outright: an outgoing session is known by the command
//! that started it (its [`PhoneEvent::OutgoingCall`] can arrive before the command returns,
//! so the address it goes to is expected first), an incoming file by the
//! [`PhoneEvent::IncomingFile`] that follows its `IncomingCall`, and an incoming chat only
//! once it connects ([`PhoneEvent::ChatConnected`]): `IncomingCall` carries no media, so a
//! chat invitation rings as a call until then (see `docs/gui.md`).

use std::collections::HashMap;

use wink_domain::PhoneEvent;
use wink_ports::SessionId;

/// What a session carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionKind {
    /// Audio: the calls pane shows it.
    Call,
    /// A chat (MSRP): the chat window.
    Chat,
    /// A file transfer: the transfers window.
    File,
}

/// The kinds of the sessions seen so far.
#[derive(Debug, Default)]
pub(crate) struct SessionKinds {
    known: HashMap<SessionId, SessionKind>,
    /// Sessions asked for whose id is not known yet: (address, kind).
    expected: Vec<(String, SessionKind)>,
}

impl SessionKinds {
    /// A chat or a file is about to be started with `address` (`user@host`).
    pub(crate) fn expect(&mut self, address: &str, kind: SessionKind) {
        self.expected.push((address.to_ascii_lowercase(), kind));
    }

    /// The command that was expected failed: nothing will start.
    pub(crate) fn not_started(&mut self, address: &str, kind: SessionKind) {
        let address = address.to_ascii_lowercase();
        if let Some(at) = self
            .expected
            .iter()
            .position(|(a, k)| *a == address && *k == kind)
        {
            self.expected.remove(at);
        }
    }

    /// The command returned its session: returns whether it was taken for something else
    /// meanwhile (its events went elsewhere and must be taken back).
    pub(crate) fn started(
        &mut self,
        session: &SessionId,
        address: &str,
        kind: SessionKind,
    ) -> bool {
        let before = self.known.insert(session.clone(), kind);
        if before != Some(kind) {
            // Its OutgoingCall has not come, or did not match the address: the expectation
            // is met by the id now.
            self.not_started(address, kind);
        }
        before.is_some_and(|before| before != kind)
    }

    /// Learns what an event tells and returns the kind of the session it is about (a call
    /// when nothing says otherwise; `None` for events about no session).
    pub(crate) fn observe(&mut self, event: &PhoneEvent) -> Option<SessionKind> {
        match event {
            PhoneEvent::OutgoingCall { session, to, .. } if !self.known.contains_key(session) => {
                let address = to.address().to_ascii_lowercase();
                let kind = match self.expected.iter().position(|(a, _)| *a == address) {
                    Some(at) => self.expected.remove(at).1,
                    None => SessionKind::Call,
                };
                self.known.insert(session.clone(), kind);
            }
            PhoneEvent::IncomingFile { session, .. } => {
                self.known.insert(session.clone(), SessionKind::File);
            }
            PhoneEvent::ChatConnected { session } => {
                self.known.insert(session.clone(), SessionKind::Chat);
            }
            PhoneEvent::FileProgress { session, .. }
            | PhoneEvent::FileTransferEnded { session, .. } => {
                self.known.insert(session.clone(), SessionKind::File);
            }
            _ => {}
        }
        session_of(event).map(|session| self.kind(session))
    }

    /// The kind of a session (a call unless known otherwise).
    pub(crate) fn kind(&self, session: &SessionId) -> SessionKind {
        self.known
            .get(session)
            .copied()
            .unwrap_or(SessionKind::Call)
    }

    /// Forgets an ended session.
    pub(crate) fn forget(&mut self, session: &SessionId) {
        self.known.remove(session);
    }
}

/// The session an event is about.
pub(crate) fn session_of(event: &PhoneEvent) -> Option<&SessionId> {
    match event {
        PhoneEvent::IncomingCall { session, .. }
        | PhoneEvent::WebAlert { session, .. }
        | PhoneEvent::ParticipantSilenced { session, .. }
        | PhoneEvent::OutgoingCall { session, .. }
        | PhoneEvent::CallState { session, .. }
        | PhoneEvent::CallEnded { session, .. }
        | PhoneEvent::Muted { session, .. }
        | PhoneEvent::DtmfSent { session, .. }
        | PhoneEvent::DtmfReceived { session, .. }
        | PhoneEvent::AnsweringMachineAnswered { session }
        | PhoneEvent::TransferRequested { session, .. }
        | PhoneEvent::TransferProgress { session, .. }
        | PhoneEvent::IncomingFile { session, .. }
        | PhoneEvent::FileProgress { session, .. }
        | PhoneEvent::FileTransferEnded { session, .. }
        | PhoneEvent::ChatConnected { session } => Some(session),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use wink_domain::CallState;
    use wink_ports::{AccountId, SipUri};

    use super::*;

    fn id(raw: &str) -> SessionId {
        SessionId::new(raw).unwrap()
    }

    fn outgoing(session: &str, to: &str) -> PhoneEvent {
        PhoneEvent::OutgoingCall {
            session: id(session),
            account: AccountId::new("me@wink.test").unwrap(),
            to: SipUri::parse(to).unwrap(),
            media: wink_ports::MediaKind::Audio,
        }
    }

    #[test]
    fn an_outgoing_chat_is_known_by_its_address_before_the_command_returns() {
        let mut kinds = SessionKinds::default();
        kinds.expect("Bob@wink.test", SessionKind::Chat);
        assert_eq!(
            kinds.observe(&outgoing("s1", "sip:bob@wink.test")),
            Some(SessionKind::Chat)
        );
        // The command returns afterwards: nothing was misfiled.
        assert!(!kinds.started(&id("s1"), "bob@wink.test", SessionKind::Chat));
        // A later call to the same address is a call again.
        assert_eq!(
            kinds.observe(&outgoing("s2", "sip:bob@wink.test")),
            Some(SessionKind::Call)
        );
    }

    #[test]
    fn a_file_session_whose_address_was_rewritten_is_known_when_the_command_returns() {
        let mut kinds = SessionKinds::default();
        kinds.expect("0044201234@wink.test", SessionKind::File);
        // The number rules made another address: taken for a call at first.
        assert_eq!(
            kinds.observe(&outgoing("s1", "sip:+44201234@wink.test")),
            Some(SessionKind::Call)
        );
        // The command's answer says what it is, and that it was misfiled.
        assert!(kinds.started(&id("s1"), "0044201234@wink.test", SessionKind::File));
        assert_eq!(kinds.kind(&id("s1")), SessionKind::File);
        assert!(kinds.expected.is_empty());
    }

    #[test]
    fn an_incoming_file_is_known_by_its_offer_and_a_chat_once_connected() {
        let mut kinds = SessionKinds::default();
        assert_eq!(
            kinds.observe(&PhoneEvent::IncomingFile {
                session: id("f"),
                name: "a.txt".into(),
                size: Some(3),
            }),
            Some(SessionKind::File)
        );
        let state = PhoneEvent::CallState {
            session: id("c"),
            state: CallState::Alerting,
        };
        assert_eq!(kinds.observe(&state), Some(SessionKind::Call));
        kinds.observe(&PhoneEvent::ChatConnected { session: id("c") });
        assert_eq!(kinds.kind(&id("c")), SessionKind::Chat);
        kinds.forget(&id("c"));
        assert_eq!(kinds.kind(&id("c")), SessionKind::Call);
        assert_eq!(kinds.observe(&PhoneEvent::MissedCalls(1)), None);
    }

    #[test]
    fn a_command_that_failed_leaves_no_expectation_behind() {
        let mut kinds = SessionKinds::default();
        kinds.expect("bob@wink.test", SessionKind::Chat);
        kinds.not_started("bob@wink.test", SessionKind::Chat);
        assert_eq!(
            kinds.observe(&outgoing("s1", "sip:bob@wink.test")),
            Some(SessionKind::Call)
        );
    }
}
