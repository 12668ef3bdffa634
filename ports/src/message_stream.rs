//! The `MessageStreamPort`: the chat streams of sessions (MSRP, RFC 4975). The domain
//! offers or answers an `m=message` section ([`MessageSection`]) beside the session's other
//! streams, hands over the other side's, and sends and receives messages by its own
//! [`MessageId`]s; the adapter owns connections, relays, chunking and reports.

use std::path::{Path, PathBuf};

use crate::ids::{MessageId, SessionId};
use crate::message_sdp::MessageSection;
use crate::stream::EventStream;

/// Why a stream operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// No stream for this session.
    #[error("no chat stream for session {0}")]
    UnknownSession(SessionId),
    /// The other side's section cannot be used (the SIP adapter answers 488).
    #[error("the chat stream cannot be used: {0}")]
    NotAcceptable(String),
    /// A file to send cannot be read, or one received cannot be saved.
    #[error("{0}")]
    File(String),
    /// Sockets failed, or the relay refused.
    #[error("chat connection failed: {0}")]
    Connection(String),
}

/// A chat message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The domain's id for it (delivery events carry it).
    pub id: MessageId,
    /// Its content type (`message/cpim`, `text/plain`, …).
    pub content_type: String,
    /// Its bytes.
    pub body: Vec<u8>,
}

/// What happened on a chat stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// The connection is up: messages flow.
    Connected {
        /// The session.
        session: SessionId,
    },
    /// A message arrived.
    Received {
        /// The session.
        session: SessionId,
        /// Its content type.
        content_type: String,
        /// Its bytes.
        body: Vec<u8>,
    },
    /// The next hop took every byte of a message we sent.
    Sent {
        /// The session.
        session: SessionId,
        /// The message.
        id: MessageId,
    },
    /// The other side reported a message of ours received.
    Delivered {
        /// The session.
        session: SessionId,
        /// The message.
        id: MessageId,
    },
    /// A message of ours did not get through (it is the domain's to keep and resend).
    Failed {
        /// The session.
        session: SessionId,
        /// The message.
        id: MessageId,
        /// In plain words.
        reason: String,
    },
    /// How far a file transfer is (sent: acknowledged by the next hop; received: written).
    Progress {
        /// The session.
        session: SessionId,
        /// Bytes of the file done, counting those a resumed transfer already had.
        transferred: u64,
        /// The file's size.
        total: u64,
    },
    /// The file we sent arrived: the other side reported it whole.
    FileSent {
        /// The session.
        session: SessionId,
    },
    /// The file we received is whole, its SHA-1 checked, and saved under a name no other
    /// file had.
    FileSaved {
        /// The session.
        session: SessionId,
        /// Where it is.
        path: PathBuf,
    },
    /// A file transfer failed (what arrived of a received file is kept aside as `.part`
    /// for a resumed transfer, never under the file's name).
    FileFailed {
        /// The session.
        session: SessionId,
        /// Why, in plain words.
        reason: String,
    },
    /// The stream's connection is gone.
    Closed {
        /// The session.
        session: SessionId,
        /// Why, in plain words.
        reason: String,
    },
}

/// Chat streams over MSRP.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait MessageStreamPort: Send + Sync {
    /// Our section for a chat stream we offer in `session` (the offerer listens unless the
    /// answer says otherwise).
    ///
    /// # Errors
    /// [`StreamError::Connection`] when no connection can be prepared (no relay).
    async fn offer(&self, session: &SessionId) -> Result<MessageSection, StreamError>;

    /// Our section offering the file at `path` in `session` (RFC 5547 push: its name,
    /// type, size and SHA-1); the file goes once the other side has answered and the
    /// connection is up, from where the answer's `a=file-range` asks.
    ///
    /// # Errors
    /// [`StreamError::File`] when the file cannot be read; [`StreamError::Connection`].
    async fn offer_file(
        &self,
        session: &SessionId,
        path: &Path,
    ) -> Result<MessageSection, StreamError>;

    /// Answers the chat stream, or file, the other side offers in `session`, and starts
    /// connecting. A file is saved in the downloads folder, resuming what an interrupted
    /// transfer of the same file left there.
    ///
    /// # Errors
    /// [`StreamError::NotAcceptable`] for a section we cannot use (no path, no common
    /// type); [`StreamError::Connection`].
    async fn answer(
        &self,
        session: &SessionId,
        offer: &MessageSection,
    ) -> Result<MessageSection, StreamError>;

    /// Takes the other side's answer to our offer, and starts connecting.
    ///
    /// # Errors
    /// [`StreamError::UnknownSession`], [`StreamError::NotAcceptable`].
    async fn apply_answer(
        &self,
        session: &SessionId,
        answer: &MessageSection,
    ) -> Result<(), StreamError>;

    /// Sends a message; it waits in the adapter until the connection is up.
    ///
    /// # Errors
    /// [`StreamError::UnknownSession`].
    async fn send(&self, session: &SessionId, message: OutgoingMessage) -> Result<(), StreamError>;

    /// Ends the stream: messages not settled fail ([`StreamEvent::Failed`]).
    async fn close(&self, session: &SessionId);

    /// The stream of events. Called once, by the domain.
    fn events(&self) -> EventStream<StreamEvent>;
}
