//! The events the phone publishes to frontends.

use std::time::Duration;

use wink_ports::{
    AccountId, CallResult, DeliveryState, DtmfDigit, MediaKind, MessageId, RegistrationState,
    SessionId, SipUri,
};

use crate::{CallState, FileProgress};

/// What came of a file transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// The file we sent arrived (the other side confirmed it whole).
    Sent,
    /// The file we received is saved here, its SHA-1 checked.
    Saved(std::path::PathBuf),
    /// It failed, in plain words.
    Failed(String),
}

/// Something frontends show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PhoneEvent {
    /// An account's registration changed.
    Registration {
        /// The account.
        account: AccountId,
        /// Its state.
        state: RegistrationState,
    },
    /// A call is ringing here.
    IncomingCall {
        /// Its handle.
        session: SessionId,
        /// The account called.
        account: AccountId,
        /// The caller.
        from: SipUri,
        /// The caller's display name.
        display_name: Option<String>,
        /// The account's incoming-call web page, filled in for this caller, when the
        /// account opens it as the call rings.
        web_alert_url: Option<String>,
        /// When the answering machine will pick up, if it is on.
        answering_machine_in: Option<Duration>,
        /// What it offers: audio, a chat, or a file ([`PhoneEvent::IncomingFile`] follows
        /// and says which).
        media: MediaKind,
    },
    /// The incoming-call web page of an answered call, for accounts that open it then
    /// (for the others it came with [`PhoneEvent::IncomingCall`]).
    WebAlert {
        /// The call.
        session: SessionId,
        /// The page, filled in for the caller.
        url: String,
    },
    /// The calls of the local conference changed (empty: there is none now).
    Conference {
        /// The calls mixed together.
        members: Vec<SessionId>,
    },
    /// The other side of a call in the conference was silenced, or is heard again.
    ParticipantSilenced {
        /// The call.
        session: SessionId,
        /// Whether nobody hears them now.
        silenced: bool,
    },
    /// We started a call (from a command, a redial or a transfer the remote party asked
    /// for); its [`PhoneEvent::CallState`] events follow.
    OutgoingCall {
        /// Its handle.
        session: SessionId,
        /// The account it goes out on.
        account: AccountId,
        /// Whom it calls, after the number rules.
        to: SipUri,
        /// What it carries: audio, a chat or a file.
        media: MediaKind,
    },
    /// A call changed state.
    CallState {
        /// The call.
        session: SessionId,
        /// Its new state.
        state: CallState,
    },
    /// A call ended and was written to history.
    CallEnded {
        /// The call.
        session: SessionId,
        /// How it ended.
        result: CallResult,
        /// Connected time in seconds.
        duration_secs: u64,
    },
    /// Our microphone was muted or unmuted in a call.
    Muted {
        /// The call.
        session: SessionId,
        /// Muted or not.
        muted: bool,
    },
    /// We sent a DTMF key.
    DtmfSent {
        /// The call.
        session: SessionId,
        /// The key.
        digit: DtmfDigit,
    },
    /// The remote party sent a DTMF key.
    DtmfReceived {
        /// The call.
        session: SessionId,
        /// The key.
        digit: DtmfDigit,
    },
    /// The answering machine took a call.
    AnsweringMachineAnswered {
        /// The call.
        session: SessionId,
    },
    /// The remote party asks us to call someone else (REFER).
    TransferRequested {
        /// The call.
        session: SessionId,
        /// Where to.
        target: SipUri,
    },
    /// The party we transferred reports on its call to the target (SIP status code).
    TransferProgress {
        /// Our call with that party.
        session: SessionId,
        /// 180 ringing, 200 answered (our call then ends), or an error code.
        code: u16,
    },
    /// Someone offers us a file (after its [`PhoneEvent::IncomingCall`]); answering the
    /// session takes it into the downloads folder, rejecting it refuses it.
    IncomingFile {
        /// The session.
        session: SessionId,
        /// The file's name, as the sender gave it.
        name: String,
        /// Its size in bytes, when the sender said.
        size: Option<u64>,
    },
    /// How a file transfer goes.
    FileProgress {
        /// The session.
        session: SessionId,
        /// Bytes done, speed, time left.
        progress: FileProgress,
    },
    /// A file transfer ended.
    FileTransferEnded {
        /// The session.
        session: SessionId,
        /// What came of it.
        outcome: FileOutcome,
    },
    /// The other side of a chat started typing (`active`), or stopped. An `active` state
    /// lapses after two minutes without another, and a line from them ends it.
    Composing {
        /// The session.
        session: SessionId,
        /// Typing or not.
        active: bool,
    },
    /// A chat session's stream is up: its messages flow.
    ChatConnected {
        /// The session.
        session: SessionId,
    },
    /// A short message, or a line of a chat session, arrived.
    MessageReceived {
        /// Its id.
        id: MessageId,
        /// The account.
        account: AccountId,
        /// The sender.
        from: SipUri,
        /// The text.
        body: String,
    },
    /// A message we wrote changed delivery state.
    MessageState {
        /// Its id.
        id: MessageId,
        /// The new state.
        state: DeliveryState,
        /// Why it failed, in plain words (only with [`DeliveryState::Failed`]).
        reason: Option<String>,
    },
    /// The missed-call count changed.
    MissedCalls(u64),
    /// Something failed in the background; a sentence for the user.
    Problem(String),
}
