//! What each session of the phone is: an audio call (the calls pane), a chat (the chat
//! window) or a file transfer (the transfers window).
//!
//! A session's first event says it: the `media` of its [`PhoneEvent::OutgoingCall`] or
//! [`PhoneEvent::IncomingCall`]. Every later event of the session is filed by that, but
//! the events only a file or a chat has say it themselves: a received file's report
//! ([`PhoneEvent::FileTransferEnded`]) often comes after the sender's BYE ended the
//! session, when the window has forgotten it. An
//! incoming chat or file also keeps who invites on which account until it is answered: a
//! file's alert needs the name and size that come with the [`PhoneEvent::IncomingFile`]
//! right after, and an accepted chat opens its tab by that party when it connects.

use std::collections::HashMap;

use wink_domain::PhoneEvent;
use wink_ports::{MediaKind, SessionId};

use crate::models::call_view::Party;

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

impl SessionKind {
    /// The kind of a session carrying `media` (audio, and whatever else the phone may
    /// carry one day, is a call: the calls pane can always end it).
    pub(crate) fn of(media: MediaKind) -> Self {
        match media {
            MediaKind::Chat => SessionKind::Chat,
            MediaKind::FileTransfer => SessionKind::File,
            _ => SessionKind::Call,
        }
    }
}

/// An incoming chat or file, until it is answered or over: who invites, on which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invitation {
    /// Who invites.
    pub(crate) party: Party,
    /// Our account it came to.
    pub(crate) account: String,
}

/// The kinds of the sessions seen so far, and the chat and file invitations pending.
#[derive(Debug, Default)]
pub(crate) struct SessionKinds {
    known: HashMap<SessionId, SessionKind>,
    invitations: HashMap<SessionId, Invitation>,
}

impl SessionKinds {
    /// Learns what an event tells and returns the kind of the session it is about (a call
    /// when its first event was not seen and the event is not one only a file or a chat
    /// has; `None` for events about no session).
    pub(crate) fn observe(&mut self, event: &PhoneEvent) -> Option<SessionKind> {
        match event {
            PhoneEvent::OutgoingCall { session, media, .. } => {
                self.known.insert(session.clone(), SessionKind::of(*media));
            }
            PhoneEvent::IncomingCall {
                session,
                account,
                from,
                display_name,
                media,
                ..
            } => {
                let kind = SessionKind::of(*media);
                self.known.insert(session.clone(), kind);
                if kind != SessionKind::Call {
                    let invitation = Invitation {
                        party: Party::new(from, display_name.clone()),
                        account: account.as_str().to_owned(),
                    };
                    self.invitations.insert(session.clone(), invitation);
                }
            }
            PhoneEvent::IncomingFile { .. }
            | PhoneEvent::FileProgress { .. }
            | PhoneEvent::FileTransferEnded { .. } => return Some(SessionKind::File),
            PhoneEvent::ChatConnected { .. } | PhoneEvent::Composing { .. } => {
                return Some(SessionKind::Chat);
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

    /// Who invites to an incoming chat or file that is not answered yet.
    pub(crate) fn invitation(&self, session: &SessionId) -> Option<&Invitation> {
        self.invitations.get(session)
    }

    /// Takes the invitation of a session once it has served: a file's when its offer
    /// came, a chat's when it connected.
    pub(crate) fn take_invitation(&mut self, session: &SessionId) -> Option<Invitation> {
        self.invitations.remove(session)
    }

    /// Forgets an ended session.
    pub(crate) fn forget(&mut self, session: &SessionId) {
        self.known.remove(session);
        self.invitations.remove(session);
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
        | PhoneEvent::ChatConnected { session }
        | PhoneEvent::Composing { session, .. } => Some(session),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use wink_domain::CallState;
    use wink_ports::{AccountId, CallResult, SipUri};

    use super::*;

    fn id(raw: &str) -> SessionId {
        SessionId::new(raw).unwrap()
    }

    fn outgoing(session: &str, to: &str, media: MediaKind) -> PhoneEvent {
        PhoneEvent::OutgoingCall {
            session: id(session),
            account: AccountId::new("me@wink.test").unwrap(),
            to: SipUri::parse(to).unwrap(),
            media,
        }
    }

    fn incoming(session: &str, media: MediaKind) -> PhoneEvent {
        PhoneEvent::IncomingCall {
            session: id(session),
            account: AccountId::new("me@wink.test").unwrap(),
            from: SipUri::parse("sip:bob@wink.test").unwrap(),
            display_name: Some("Bob".into()),
            web_alert_url: None,
            answering_machine_in: None,
            media,
        }
    }

    fn state(session: &str, state: CallState) -> PhoneEvent {
        PhoneEvent::CallState {
            session: id(session),
            state,
        }
    }

    #[test]
    fn an_outgoing_session_is_what_its_first_event_says_and_its_later_events_follow() {
        let mut kinds = SessionKinds::default();
        let cases = [
            ("s1", MediaKind::Audio, SessionKind::Call),
            ("s2", MediaKind::Chat, SessionKind::Chat),
            ("s3", MediaKind::FileTransfer, SessionKind::File),
        ];
        for (session, media, kind) in cases {
            // The same address each time: only the media decides.
            let first = outgoing(session, "sip:bob@wink.test", media);
            assert_eq!(kinds.observe(&first), Some(kind));
            assert_eq!(
                kinds.observe(&state(session, CallState::Established)),
                Some(kind)
            );
            // Nobody invited us: nothing is pending.
            assert_eq!(kinds.invitation(&id(session)), None);
        }
    }

    #[test]
    fn an_incoming_chat_or_file_keeps_who_invites_until_answered_and_a_call_does_not() {
        let mut kinds = SessionKinds::default();
        assert_eq!(
            kinds.observe(&incoming("c", MediaKind::Chat)),
            Some(SessionKind::Chat)
        );
        assert_eq!(
            kinds.observe(&incoming("f", MediaKind::FileTransfer)),
            Some(SessionKind::File)
        );
        assert_eq!(
            kinds.observe(&incoming("a", MediaKind::Audio)),
            Some(SessionKind::Call)
        );
        // The file's name and size come next; the invitation says from whom.
        let offer = PhoneEvent::IncomingFile {
            session: id("f"),
            name: "a.txt".into(),
            size: Some(3),
        };
        assert_eq!(kinds.observe(&offer), Some(SessionKind::File));
        let invitation = kinds.invitation(&id("f")).cloned().unwrap();
        assert_eq!(invitation.party.title(), "Bob");
        assert_eq!(invitation.party.address, "bob@wink.test");
        assert_eq!(invitation.account, "me@wink.test");
        assert_eq!(kinds.invitation(&id("a")), None);
        // Connected: the chat's party is taken once, and the chat is still a chat.
        assert_eq!(
            kinds.take_invitation(&id("c")).map(|i| i.party.address),
            Some("bob@wink.test".to_owned())
        );
        assert_eq!(kinds.take_invitation(&id("c")), None);
        assert_eq!(
            kinds.observe(&PhoneEvent::ChatConnected { session: id("c") }),
            Some(SessionKind::Chat)
        );
        // Their typing is a chat's whatever was seen before (never a call's event).
        let typing = PhoneEvent::Composing {
            session: id("t1"),
            active: true,
        };
        assert_eq!(kinds.observe(&typing), Some(SessionKind::Chat));
        assert_eq!(session_of(&typing), Some(&id("t1")));
    }

    #[test]
    fn an_ended_session_is_forgotten_and_events_of_unknown_sessions_are_calls() {
        let mut kinds = SessionKinds::default();
        kinds.observe(&incoming("f", MediaKind::FileTransfer));
        let ended = PhoneEvent::CallEnded {
            session: id("f"),
            result: CallResult::Cancelled,
            duration_secs: 0,
        };
        assert_eq!(kinds.observe(&ended), Some(SessionKind::File));
        kinds.forget(&id("f"));
        assert_eq!(kinds.kind(&id("f")), SessionKind::Call);
        assert_eq!(kinds.invitation(&id("f")), None);
        assert_eq!(
            kinds.observe(&state("unseen", CallState::Alerting)),
            Some(SessionKind::Call)
        );
        assert_eq!(kinds.observe(&PhoneEvent::MissedCalls(1)), None);
    }

    #[test]
    fn a_received_files_report_after_the_senders_bye_is_still_the_files() {
        let mut kinds = SessionKinds::default();
        kinds.observe(&incoming("f", MediaKind::FileTransfer));
        let ended = PhoneEvent::CallEnded {
            session: id("f"),
            result: CallResult::Answered,
            duration_secs: 1,
        };
        assert_eq!(kinds.observe(&ended), Some(SessionKind::File));
        kinds.forget(&id("f"));
        let saved = PhoneEvent::FileTransferEnded {
            session: id("f"),
            outcome: wink_domain::FileOutcome::Saved("/tmp/a.txt".into()),
        };
        assert_eq!(kinds.observe(&saved), Some(SessionKind::File));
        // Nothing is kept for it again.
        assert!(kinds.known.is_empty());
    }

    #[test]
    fn media_without_a_window_of_their_own_are_calls() {
        assert_eq!(SessionKind::of(MediaKind::Audio), SessionKind::Call);
        assert_eq!(SessionKind::of(MediaKind::ScreenSharing), SessionKind::Call);
        assert_eq!(SessionKind::of(MediaKind::Chat), SessionKind::Chat);
        assert_eq!(SessionKind::of(MediaKind::FileTransfer), SessionKind::File);
    }
}
