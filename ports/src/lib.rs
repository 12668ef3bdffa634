//! `wink-ports`: the contract between Wink's core and the world.
//!
//! This crate is the centre of the hexagon (see `../shared/ARCHITECTURE.md`): it holds the
//! port traits the domain drives — [`SignalingPort`], [`MediaPort`], [`MessageStreamPort`],
//! [`StoragePort`],
//! [`DirectoryPort`], [`SecretStore`], [`AudioDevices`], [`NeighbourPort`], [`Clock`] —
//! and the plain, validated data that crosses them ([`SipUri`], [`AccountId`], records and
//! events). It depends on no other crate of ours. Adapters implement these traits; the
//! domain uses them; the `mocks` feature derives `mockall` mocks of every trait for
//! deterministic domain tests.
#![warn(missing_docs)]

pub mod audio;
pub mod clock;
pub mod contact_search;
pub mod directory;
pub mod ids;
pub mod media;
pub mod message_sdp;
pub mod message_stream;
pub mod neighbour;
pub mod records;
pub mod sdp;
pub mod secrets;
pub mod signaling;
pub mod storage;
pub mod stream;
pub mod uri;

pub use audio::{
    AudioDevice, AudioDevices, AudioInput, AudioOutput, DeviceDirection, DeviceError, DeviceEvent,
};
pub use clock::{Clock, UnixMillis};
pub use directory::{DirectoryEntry, DirectoryError, DirectoryPort};
pub use ids::{AccountId, ContactId, GroupId, IdError, MessageId, SessionId};
pub use media::{CallStats, DtmfDigit, MediaError, MediaEvent, MediaPort, Sdp};
pub use message_sdp::{FileAttributes, FileSelector, MessageSection, Setup};
pub use message_stream::{MessageStreamPort, OutgoingMessage, StreamError, StreamEvent};
pub use neighbour::{Announcement, Neighbour, NeighbourError, NeighbourEvent, NeighbourPort};
pub use records::{
    CallDirection, CallResult, ChatMessageRecord, ContactRecord, DeliveryState, GroupRecord,
    HistoryQuery, HistoryRecord, MediaKind,
};
pub use secrets::{Password, SecretError, SecretStore};
pub use signaling::{
    ContactOptions, InviteRequest, MessageOutcome, MessageRequest, Reason, Registration,
    RegistrationState, SignalingError, SignalingEvent, SignalingPort, StatusCode, TransferTarget,
};
pub use storage::{StorageError, StoragePort};
pub use stream::EventStream;
pub use uri::{Scheme, SipUri, UriError};

/// The `mockall` mocks of every port, for domain tests (feature `mocks`).
#[cfg(feature = "mocks")]
pub mod mocks {
    pub use crate::audio::MockAudioDevices;
    pub use crate::clock::MockClock;
    pub use crate::directory::MockDirectoryPort;
    pub use crate::media::MockMediaPort;
    pub use crate::message_stream::MockMessageStreamPort;
    pub use crate::neighbour::MockNeighbourPort;
    pub use crate::secrets::MockSecretStore;
    pub use crate::signaling::MockSignalingPort;
    pub use crate::storage::MockStoragePort;
}
