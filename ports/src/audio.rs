//! [`AudioDevices`]: the sound cards (and file/null devices) calls can use.

use serde::{Deserialize, Serialize};

use crate::EventStream;

/// Whether a device records or plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeviceDirection {
    /// A microphone.
    Input,
    /// A speaker or headset.
    Output,
}

/// One audio device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AudioDevice {
    /// A stable name to store in settings.
    pub id: String,
    /// The name shown.
    pub name: String,
    /// Input or output.
    pub direction: DeviceDirection,
}

/// A device appeared or went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    /// A new device (the UI may offer to switch to it).
    Added(AudioDevice),
    /// A device was unplugged.
    Removed(AudioDevice),
}

/// Why listing devices failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The sound system is not available.
    #[error("the audio system is unavailable: {0}")]
    Unavailable(String),
}

/// The machine's audio devices.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait AudioDevices: Send + Sync {
    /// Every device.
    ///
    /// # Errors
    /// [`DeviceError::Unavailable`].
    async fn list(&self) -> Result<Vec<AudioDevice>, DeviceError>;

    /// The system's default device for `direction`, if there is one.
    ///
    /// # Errors
    /// [`DeviceError::Unavailable`].
    async fn default_device(
        &self,
        direction: DeviceDirection,
    ) -> Result<Option<AudioDevice>, DeviceError>;

    /// Hot-plug events. Called once.
    fn events(&self) -> EventStream<DeviceEvent>;
}
