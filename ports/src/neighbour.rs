//! [`NeighbourPort`]: announce ourselves and discover other SIP clients on the LAN (Bonjour).

use serde::{Deserialize, Serialize};

use crate::{EventStream, SipUri};

/// What we announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// Our contact URI.
    pub contact: SipUri,
    /// Our display name.
    pub display_name: String,
    /// A stable id of this installation.
    pub instance_id: String,
}

/// A SIP client found on the LAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Neighbour {
    /// Its contact URI.
    pub contact: SipUri,
    /// Its display name.
    pub display_name: String,
    /// Its instance id.
    pub instance_id: String,
}

/// A neighbour came or went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeighbourEvent {
    /// Found.
    Appeared(Neighbour),
    /// Gone (by instance id).
    Disappeared(String),
}

/// Why announcing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NeighbourError {
    /// Multicast DNS is not available.
    #[error("LAN discovery is unavailable: {0}")]
    Unavailable(String),
}

/// Multicast DNS announcement and discovery of `_sipuri._udp`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait NeighbourPort: Send + Sync {
    /// Starts announcing us.
    ///
    /// # Errors
    /// [`NeighbourError::Unavailable`].
    async fn announce(&self, announcement: Announcement) -> Result<(), NeighbourError>;

    /// Stops announcing us.
    ///
    /// # Errors
    /// [`NeighbourError::Unavailable`].
    async fn withdraw(&self) -> Result<(), NeighbourError>;

    /// Neighbours coming and going. Called once.
    fn events(&self) -> EventStream<NeighbourEvent>;
}
