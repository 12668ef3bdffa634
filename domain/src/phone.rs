//! The [`Phone`] service: the one object frontends talk to.
//!
//! Frontends send [`Command`]s and render the [`PhoneEvent`]s it publishes; the Phone drives
//! the ports (signaling, media, storage, secrets, clock) and keeps the sessions' state
//! machines, the timers (answering machine, DTMF pauses) and the missed-call count.
//! [`Phone::spawn`] runs it as a task fed by a [`PhoneHandle`]; tests may also drive a
//! [`Phone`] directly through [`Phone::execute`], [`Phone::on_signaling`] and
//! [`Phone::on_timers`].

mod call;
mod calls;
mod chat_delivery;
mod chats;
mod commands;
mod conference;
mod driver;
mod events;
mod files;
mod incoming;
mod messages;
mod registration;
mod timers;
mod transfer;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::broadcast;
use wink_ports::{
    AccountId, Clock, MediaError, MediaPort, MessageId, MessageStreamPort, SecretError,
    SecretStore, SessionId, SignalingError, SignalingPort, StorageError, StoragePort, StreamError,
};

use call::Call;
pub use commands::{Command, CommandOutcome};
pub use driver::PhoneHandle;
pub use events::{FileOutcome, PhoneEvent};

use crate::{
    Account, AnsweringMachine, ContactError, MessageError, MissedCalls, NumberError, Session,
    SessionError, TargetError,
};

/// Why a command failed. Every variant reads as a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// No account with this id.
    #[error("there is no account {0}")]
    UnknownAccount(AccountId),
    /// No account is configured and enabled.
    #[error("no account is enabled: add one first")]
    NoAccount,
    /// The account is a Bonjour account and cannot register.
    #[error("account {0} does not use a registrar")]
    NotRegistrable(AccountId),
    /// No password is stored for the account.
    #[error("no password is stored for {0}: set one with 'account add' or in Preferences")]
    PasswordMissing(AccountId),
    /// No such call.
    #[error("there is no call {0}")]
    UnknownSession(SessionId),
    /// Nothing has been dialed yet.
    #[error("nothing to redial yet")]
    NothingToRedial,
    /// Recording needs a recordings folder in the settings.
    #[error("no recordings folder is set")]
    NoRecordingsFolder,
    /// A DTMF key that does not exist.
    #[error("{0:?} is not a DTMF key (use 0-9 * #)")]
    BadDtmf(char),
    /// The target did not parse or resolve.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// A phone number rule failed.
    #[error(transparent)]
    Number(#[from] NumberError),
    /// A short message was refused.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The command does not fit the call's state.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A contact-list change was refused.
    #[error(transparent)]
    Contact(#[from] ContactError),
    /// Signaling failed.
    #[error(transparent)]
    Signaling(#[from] SignalingError),
    /// Media failed.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// A chat stream failed.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// The command is for a chat session only.
    #[error("{0} is not a chat session")]
    NotAChat(SessionId),
    /// No message of ours with this id is waiting to go (it went, or it is not ours).
    #[error("message {0} is not waiting to be sent")]
    NotUnsent(MessageId),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The secret store failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The call is not one of the local conference's.
    #[error("call {0} is not in a conference")]
    NotInConference(SessionId),
    /// The Phone task is gone (the app is shutting down).
    #[error("the phone service has stopped")]
    Stopped,
}

/// The adapters the Phone drives, built by the composition root (`wink-config`).
#[derive(Clone)]
pub struct Ports {
    /// SIP signaling.
    pub signaling: Arc<dyn SignalingPort>,
    /// Audio media.
    pub media: Arc<dyn MediaPort>,
    /// Chat streams (MSRP).
    pub streams: Arc<dyn MessageStreamPort>,
    /// History, chat, contacts.
    pub storage: Arc<dyn StoragePort>,
    /// Passwords.
    pub secrets: Arc<dyn SecretStore>,
    /// Wall-clock time for history.
    pub clock: Arc<dyn Clock>,
}

/// What the Phone needs to know from the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneSettings {
    /// The accounts, in the order the user set.
    pub accounts: Vec<Account>,
    /// The account used when a command names none.
    pub default_account: Option<AccountId>,
    /// The answering machine.
    pub answering_machine: AnsweringMachine,
    /// Registration lifetime to ask for, in seconds.
    pub registration_expires_secs: u32,
    /// Where the answering machine stores what callers say.
    pub recordings_dir: Option<PathBuf>,
}

impl Default for PhoneSettings {
    fn default() -> Self {
        Self {
            accounts: Vec::new(),
            default_account: None,
            answering_machine: AnsweringMachine::default(),
            registration_expires_secs: 600,
            recordings_dir: None,
        }
    }
}

/// The phone: sessions, accounts and timers, driven by commands and port events.
pub struct Phone {
    ports: Ports,
    settings: PhoneSettings,
    /// The calls, one record each: ending a call removes all the phone knows about it.
    calls: HashMap<SessionId, Call>,
    /// Deadlines of every call; a timer whose call is gone does nothing when it fires.
    timers: timers::Timers,
    missed: MissedCalls,
    last_dialed: Option<(String, Option<AccountId>)>,
    /// Messages sent (or sent again) in this run: an unsent one goes again only once.
    resent: HashSet<MessageId>,
    /// The parties of the chats that ended last: a line the stream took just before the
    /// other side's BYE may reach us just after it, and is still theirs.
    ended_chats: std::collections::VecDeque<(SessionId, AccountId, wink_ports::SipUri)>,
    /// What we sent over chat streams that is not a line (delivery notifications,
    /// is-composing states) and the stream has not settled yet.
    signals_sent: HashSet<MessageId>,
    next_id: u64,
    events: broadcast::Sender<PhoneEvent>,
}

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_BACKLOG: usize = 256;

impl Phone {
    /// A phone over `ports` with `settings`.
    pub fn new(ports: Ports, settings: PhoneSettings) -> Self {
        let (events, _) = broadcast::channel(EVENT_BACKLOG);
        Self {
            ports,
            settings,
            calls: HashMap::new(),
            timers: timers::Timers::default(),
            missed: MissedCalls::default(),
            last_dialed: None,
            resent: HashSet::new(),
            ended_chats: std::collections::VecDeque::new(),
            signals_sent: HashSet::new(),
            next_id: 0,
            events,
        }
    }

    /// Subscribes to the events the phone publishes.
    pub fn subscribe(&self) -> broadcast::Receiver<PhoneEvent> {
        self.events.subscribe()
    }

    /// A call by id.
    pub fn session(&self, id: &SessionId) -> Option<&Session> {
        self.calls.get(id).map(|call| &call.session)
    }

    /// The accounts.
    pub fn accounts(&self) -> &[Account] {
        &self.settings.accounts
    }

    /// The current missed-call count.
    pub fn missed_calls(&self) -> u64 {
        self.missed.count()
    }

    fn emit(&self, event: PhoneEvent) {
        // No subscriber is not an error: a headless phone may run without a UI.
        let _ = self.events.send(event);
    }

    /// Emits a call's new state (and reports it to a transferor waiting on that call).
    async fn emit_state(&mut self, session: &SessionId, state: crate::CallState) {
        let transferor = self
            .calls
            .get(session)
            .and_then(|call| call.transferred_from.clone());
        self.announce_state(session, state, transferor.as_ref())
            .await;
    }

    /// Emits a call's new state and reports it to `transferor`, the call whose party
    /// transferred us to this one. [`Phone::emit_state`] finds `transferor` in the call's
    /// record; a call that just ended passes what its removed record held.
    async fn announce_state(
        &mut self,
        session: &SessionId,
        state: crate::CallState,
        transferor: Option<&SessionId>,
    ) {
        self.emit(PhoneEvent::CallState {
            session: session.clone(),
            state,
        });
        if let Some(transferor) = transferor {
            self.report_transfer(session, transferor, state).await;
        }
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{}-{}", self.ports.clock.now().0, self.next_id)
    }

    fn new_session_id(&mut self) -> SessionId {
        SessionId::new(self.new_id("call")).expect("generated ids hold no whitespace")
    }

    fn new_message_id(&mut self) -> wink_ports::MessageId {
        wink_ports::MessageId::new(self.new_id("msg")).expect("generated ids hold no whitespace")
    }

    fn account(&self, id: &AccountId) -> Result<&Account, PhoneError> {
        self.settings
            .accounts
            .iter()
            .find(|a| &a.id == id)
            .ok_or_else(|| PhoneError::UnknownAccount(id.clone()))
    }

    /// The named account, or the default, or the first enabled one.
    fn pick_account(&self, requested: Option<&AccountId>) -> Result<&Account, PhoneError> {
        if let Some(id) = requested {
            return self.account(id);
        }
        let enabled = |a: &&Account| a.enabled;
        self.settings
            .default_account
            .as_ref()
            .and_then(|id| {
                self.settings
                    .accounts
                    .iter()
                    .filter(enabled)
                    .find(|a| &a.id == id)
            })
            .or_else(|| self.settings.accounts.iter().find(enabled))
            .ok_or(PhoneError::NoAccount)
    }

    fn call_mut(&mut self, id: &SessionId) -> Result<&mut Call, PhoneError> {
        self.calls
            .get_mut(id)
            .ok_or_else(|| PhoneError::UnknownSession(id.clone()))
    }

    fn session_mut(&mut self, id: &SessionId) -> Result<&mut Session, PhoneError> {
        self.call_mut(id).map(|call| &mut call.session)
    }
}

#[cfg(test)]
mod tests;
