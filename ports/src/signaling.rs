//! [`SignalingPort`]: SIP signaling — registration, calls, transfer, short messages.

use serde::{Deserialize, Serialize};

use crate::{AccountId, DtmfDigit, EventStream, MessageId, Password, Sdp, SessionId, SipUri};

/// Why a signaling command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalingError {
    /// No such account is registered with the adapter.
    #[error("unknown account {0}")]
    UnknownAccount(AccountId),
    /// No such session.
    #[error("unknown session {0}")]
    UnknownSession(SessionId),
    /// The command does not fit the session's state (e.g. answering an outgoing call).
    #[error("cannot {action} session {session} in its current state")]
    InvalidState {
        /// The session.
        session: SessionId,
        /// What was attempted.
        action: &'static str,
    },
    /// The transport failed (DNS, socket, TLS).
    #[error("transport error: {0}")]
    Transport(String),
    /// A status code outside what the command allows.
    #[error("status code {0} is not allowed here")]
    BadStatus(u16),
}

/// A SIP status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusCode(pub u16);

impl StatusCode {
    /// 486 Busy Here: this device is busy, others may keep ringing.
    pub const BUSY_HERE: StatusCode = StatusCode(486);
    /// 603 Decline: stop all devices ringing, no forwarding.
    pub const DECLINE: StatusCode = StatusCode(603);
    /// 487 Request Terminated.
    pub const REQUEST_TERMINATED: StatusCode = StatusCode(487);
    /// 480 Temporarily Unavailable.
    pub const TEMPORARILY_UNAVAILABLE: StatusCode = StatusCode(480);
}

/// What the adapter needs to register one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The account.
    pub account: AccountId,
    /// The address of record (`sip:user@domain`).
    pub address: SipUri,
    /// The display name to send.
    pub display_name: Option<String>,
    /// The username for digest authentication.
    pub auth_username: String,
    /// The password.
    pub password: Password,
    /// Outbound proxy (`sip:host:port;transport=udp`), overriding DNS discovery.
    pub outbound_proxy: Option<SipUri>,
    /// Registration lifetime asked for, in seconds. 0 with no outbound proxy: the account
    /// has no registrar (calls go straight to the address in the target, calls to our
    /// address reach it) and no REGISTER is sent.
    pub expires_secs: u32,
    /// How the Contact is written (for providers that insist).
    pub contact: ContactOptions,
}

/// How our Contact is written. The default is a random per-account token at our own
/// address, which needs no cooperation from the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContactOptions {
    /// Use the username as the Contact's user part instead of the token.
    pub use_username: bool,
    /// Put the public address the registrar saw (Via `received`/`rport`) in the Contact.
    pub public_address: bool,
}

/// Where an account's registration stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistrationState {
    /// Not registered (never, or after unregister).
    Unregistered,
    /// A REGISTER is in progress.
    Registering,
    /// Registered until refreshed.
    Registered {
        /// Seconds granted by the registrar.
        expires_secs: u32,
    },
    /// Registration failed; the adapter retries with back-off.
    Failed {
        /// The final status, if a response came.
        code: Option<u16>,
        /// A sentence saying why.
        reason: String,
    },
}

/// An outgoing INVITE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRequest {
    /// Our handle for the new session.
    pub session: SessionId,
    /// The account to call from.
    pub account: AccountId,
    /// Whom to call.
    pub target: SipUri,
    /// The SDP offer; `None` sends an INVITE without SDP (late offer).
    pub offer: Option<Sdp>,
    /// A `Replaces` header value (RFC 3891) when this call replaces one of the target's
    /// calls (attended transfer).
    pub replaces: Option<String>,
}

/// The target of a transfer (REFER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTarget {
    /// Blind transfer to an address.
    Blind(SipUri),
    /// Attended transfer: replace our other session with this one (REFER with `Replaces`).
    Attended(SessionId),
}

/// An outgoing short message (SIP MESSAGE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRequest {
    /// Our handle, used in the [`SignalingEvent::MessageOutcome`].
    pub id: MessageId,
    /// The account to send from.
    pub account: AccountId,
    /// The recipient.
    pub to: SipUri,
    /// MIME type (`text/plain;charset=utf-8`).
    pub content_type: String,
    /// The text.
    pub body: String,
}

/// The `Reason` header (RFC 3326) of a CANCEL or BYE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The protocol, `SIP` or `Q.850`.
    pub protocol: String,
    /// The cause code.
    pub cause: Option<u16>,
    /// The text, e.g. `Call completed elsewhere`.
    pub text: Option<String>,
}

/// How a short message fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOutcome {
    /// A 2xx came back.
    Delivered,
    /// A final error response came back, or the transaction timed out (408).
    Failed {
        /// The status code.
        code: u16,
        /// The reason phrase.
        reason: String,
    },
}

/// What the signaling adapter reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignalingEvent {
    /// An account's registration changed.
    Registration {
        /// The account.
        account: AccountId,
        /// Its new state.
        state: RegistrationState,
    },
    /// A new incoming INVITE.
    IncomingCall {
        /// Handle of the new session.
        session: SessionId,
        /// The account it was matched to (by Request-URI).
        account: AccountId,
        /// The caller (From).
        from: SipUri,
        /// The caller's display name.
        from_display: Option<String>,
        /// The called address (To).
        to: SipUri,
        /// The offer; `None` for an INVITE without SDP.
        offer: Option<Sdp>,
        /// The call of ours this one replaces (INVITE with `Replaces`, attended transfer).
        replaces: Option<SessionId>,
    },
    /// A provisional response to our INVITE (180 Ringing, 183 Session Progress).
    Progress {
        /// The session.
        session: SessionId,
        /// 180, 183, ...
        code: u16,
        /// Early media SDP, if the response carried one.
        sdp: Option<Sdp>,
    },
    /// Our INVITE was answered (2xx).
    Answered {
        /// The session.
        session: SessionId,
        /// The SDP in the 2xx: the answer, or the offer if we sent none.
        sdp: Option<Sdp>,
    },
    /// The ACK for a session we answered arrived (carrying the answer to a late offer).
    Confirmed {
        /// The session.
        session: SessionId,
        /// The answer carried in the ACK, if any.
        sdp: Option<Sdp>,
    },
    /// Our INVITE got a final error response, or timed out.
    Failed {
        /// The session.
        session: SessionId,
        /// The status code (408 on timeout).
        code: u16,
        /// The reason phrase.
        reason: String,
    },
    /// The caller cancelled an incoming call before it was answered.
    Cancelled {
        /// The session.
        session: SessionId,
        /// The `Reason` header of the CANCEL, if any.
        reason: Option<Reason>,
    },
    /// The remote party hung up (BYE).
    HungUp {
        /// The session.
        session: SessionId,
    },
    /// The remote party sent a re-INVITE (hold/unhold or a media change).
    ReInvite {
        /// The session.
        session: SessionId,
        /// The new offer (`None`: they want our offer).
        offer: Option<Sdp>,
    },
    /// The remote party asks us to transfer (REFER).
    TransferRequested {
        /// The session.
        session: SessionId,
        /// Where to.
        target: SipUri,
        /// For an attended transfer: the `Replaces` value to send to the target.
        replaces: Option<String>,
    },
    /// The transferee reported how the call we transferred is going (NOTIFY with a
    /// `message/sipfrag` status line, or the REFER's own error response).
    TransferProgress {
        /// Our session with the transferee.
        session: SessionId,
        /// The status of the transferee's call to the target (or of our REFER).
        code: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// A short message arrived.
    MessageReceived {
        /// The account.
        account: AccountId,
        /// The sender.
        from: SipUri,
        /// MIME type.
        content_type: String,
        /// The text.
        body: String,
    },
    /// The remote party pressed a key, sent as SIP INFO (`application/dtmf-relay`).
    DtmfReceived {
        /// The call.
        session: SessionId,
        /// The key.
        digit: DtmfDigit,
    },
    /// A short message we sent was delivered or failed.
    MessageOutcome {
        /// The message.
        id: MessageId,
        /// What happened.
        outcome: MessageOutcome,
    },
}

/// SIP signaling, as the domain drives it.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait SignalingPort: Send + Sync {
    /// Registers an account (and keeps it registered); progress comes as
    /// [`SignalingEvent::Registration`].
    ///
    /// # Errors
    /// [`SignalingError::Transport`] if the registrar cannot be reached at all.
    async fn register(&self, registration: Registration) -> Result<(), SignalingError>;

    /// Unregisters an account (REGISTER with `Expires: 0`).
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`] if it was never registered.
    async fn unregister(&self, account: &AccountId) -> Result<(), SignalingError>;

    /// Sends an INVITE, with an SDP offer or without one.
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`], [`SignalingError::Transport`].
    async fn invite(&self, request: InviteRequest) -> Result<(), SignalingError>;

    /// Answers an incoming INVITE or re-INVITE with 200 OK carrying `sdp` (our answer, or
    /// our offer when theirs came without SDP).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn answer(&self, session: &SessionId, sdp: Option<Sdp>) -> Result<(), SignalingError>;

    /// Sends 180 Ringing for an incoming INVITE.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn ring(&self, session: &SessionId) -> Result<(), SignalingError>;

    /// Rejects an incoming INVITE with a final status (603 Decline, 486 Busy Here, ...).
    ///
    /// # Errors
    /// [`SignalingError::BadStatus`] for a code outside 300–699,
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn reject(&self, session: &SessionId, status: StatusCode) -> Result<(), SignalingError>;

    /// Cancels an outgoing INVITE not yet answered.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn cancel(&self, session: &SessionId) -> Result<(), SignalingError>;

    /// Ends an established session (BYE).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn hang_up(&self, session: &SessionId) -> Result<(), SignalingError>;

    /// Sends a re-INVITE with a new offer (hold, unhold).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn reinvite(&self, session: &SessionId, offer: Sdp) -> Result<(), SignalingError>;

    /// Transfers the remote party of `session` (REFER).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn transfer(
        &self,
        session: &SessionId,
        target: TransferTarget,
    ) -> Result<(), SignalingError>;

    /// Tells the transferor how the call we make on its behalf is going (NOTIFY with
    /// `message/sipfrag`); a final `code` ends the implicit subscription.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn notify_transfer(
        &self,
        session: &SessionId,
        code: u16,
        reason: &str,
    ) -> Result<(), SignalingError>;

    /// Sends one DTMF key in the call's dialog as SIP INFO (`application/dtmf-relay`), for
    /// peers without RFC 4733 telephone-events.
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`].
    async fn send_dtmf_info(
        &self,
        session: &SessionId,
        digit: DtmfDigit,
    ) -> Result<(), SignalingError>;

    /// Sends a short message (MESSAGE); the outcome comes as
    /// [`SignalingEvent::MessageOutcome`].
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`], [`SignalingError::Transport`].
    async fn send_message(&self, request: MessageRequest) -> Result<(), SignalingError>;

    /// The stream of signaling events. Called once, by the domain.
    fn events(&self) -> EventStream<SignalingEvent>;
}
