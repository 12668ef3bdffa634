//! The commands frontends send to the phone.

use wink_ports::{AccountId, CallStats, MessageId, SessionId};

use crate::Account;

/// What a frontend asks the phone to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// Add an account while the phone runs, or replace the one with the same id (its
    /// settings changed). It is not registered until [`Command::Register`].
    SetAccount(Box<Account>),
    /// Forget an account: it is unregistered first when it uses a registrar.
    RemoveAccount(AccountId),
    /// Make an account the one used when a command names none.
    SetDefaultAccount(AccountId),
    /// Register an account with its registrar.
    Register(AccountId),
    /// Unregister an account.
    Unregister(AccountId),
    /// Call a target as typed (`alice`, `alice@example.com`, `+44 20 …#123`).
    Call {
        /// What was typed.
        target: String,
        /// The account to call from (default: the default account).
        account: Option<AccountId>,
    },
    /// Call the last target again.
    Redial,
    /// Answer an incoming call.
    Answer(SessionId),
    /// Decline an incoming call with 603: all devices stop ringing.
    Reject(SessionId),
    /// Refuse an incoming call with 486 Busy Here: other devices keep ringing.
    Busy(SessionId),
    /// End a call (cancel, decline or hang up, whatever fits its state).
    HangUp(SessionId),
    /// Put a call on hold (`true`) or resume it.
    Hold(SessionId, bool),
    /// Mute (`true`) or unmute our microphone.
    Mute(SessionId, bool),
    /// Send DTMF keys (`0-9*#`).
    SendDtmf(SessionId, String),
    /// Start (`true`) or stop recording a call to the recordings folder.
    Record(SessionId, bool),
    /// How a call's audio is doing.
    Stats(SessionId),
    /// Join these calls in a local conference (held ones are resumed); an empty list ends
    /// the conference.
    Conference(Vec<SessionId>),
    /// Silence (`true`) the other side of a call in the local conference, so nobody hears
    /// them (a noisy participant), or let them be heard again.
    SilenceParticipant(SessionId, bool),
    /// Start a chat session (MSRP) with a target as typed.
    Chat {
        /// What was typed.
        target: String,
        /// The account to chat from (default: the default account).
        account: Option<AccountId>,
    },
    /// Send a file (MSRP, RFC 5547) to a target as typed.
    SendFile {
        /// What was typed.
        target: String,
        /// The file.
        path: std::path::PathBuf,
        /// The account to send from (default: the default account).
        account: Option<AccountId>,
    },
    /// Tell the other side of a chat that we are typing (`true`, renewed at least every
    /// [`crate::composing::REFRESH_SECS`] while it lasts) or stopped (`false`).
    Composing(SessionId, bool),
    /// Send again a message of ours that failed (or never went): over the chat session
    /// connected with its recipient if there is one, else as a short message.
    Resend(MessageId),
    /// Send a line in a chat session; it waits until the session is up.
    SendChat(SessionId, String),
    /// Send a short message.
    SendMessage {
        /// The recipient as typed.
        target: String,
        /// The text.
        text: String,
        /// The account to send from.
        account: Option<AccountId>,
    },
    /// Transfer the remote party of a connected call to a target (blind transfer).
    Transfer(SessionId, String),
    /// Attended transfer: connect the remote party of the first call with the remote party
    /// of the second (REFER with Replaces); both our calls then end.
    TransferToCall(SessionId, SessionId),
    /// Use these audio devices (`None`: the system default) for calls from now on, and
    /// move running calls to them.
    UseAudioDevices {
        /// The microphone's id.
        input: Option<String>,
        /// The speaker's id.
        output: Option<String>,
    },
    /// Switch the answering machine on or off (also while a countdown runs).
    SetAnsweringMachine(bool),
    /// The user saw the missed calls.
    ClearMissedCalls,
}

/// What a successful command produced.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandOutcome {
    /// Done, nothing to hand back.
    Done,
    /// A call was started: its handle.
    Session(SessionId),
    /// A message was sent: its id.
    Message(MessageId),
    /// A recording started: where it goes.
    Recording(std::path::PathBuf),
    /// A call's audio statistics.
    Stats(CallStats),
}
