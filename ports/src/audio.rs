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

impl DeviceEvent {
    /// The device that came or went.
    pub fn device(&self) -> &AudioDevice {
        match self {
            DeviceEvent::Added(device) | DeviceEvent::Removed(device) => device,
        }
    }
}

/// Why listing devices failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The sound system is not available.
    #[error("the audio system is unavailable: {0}")]
    Unavailable(String),
    /// No device with this id.
    #[error("no audio device {0:?}")]
    NotFound(String),
    /// The device (or file) failed while in use.
    #[error("audio device failure: {0}")]
    Failed(String),
}

/// A microphone, or what stands in for one (a WAV file, silence). Mono, 16-bit samples.
///
/// The media adapter pulls one 20 ms frame per tick, so a device needs no clock of its own:
/// a file device runs at call pace.
pub trait AudioInput: Send {
    /// Samples per second this input delivers.
    fn sample_rate(&self) -> u32;

    /// Fills `frame` with the next samples; returns how many were real audio (the rest is
    /// silence: a file that ended, a device that had nothing ready).
    fn read(&mut self, frame: &mut [i16]) -> usize;
}

/// A speaker, or what stands in for one (a WAV file, nothing). Mono, 16-bit samples.
pub trait AudioOutput: Send {
    /// Samples per second this output expects.
    fn sample_rate(&self) -> u32;

    /// Plays (or stores) these samples.
    ///
    /// # Errors
    /// [`DeviceError::Failed`] when the device or file stopped working.
    fn write(&mut self, samples: &[i16]) -> Result<(), DeviceError>;
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

    /// Opens a microphone: the device with this id, or the default with `None`.
    ///
    /// # Errors
    /// [`DeviceError::NotFound`], [`DeviceError::Unavailable`], [`DeviceError::Failed`].
    fn open_input(&self, id: Option<String>) -> Result<Box<dyn AudioInput>, DeviceError>;

    /// Opens a speaker: the device with this id, or the default with `None`.
    ///
    /// # Errors
    /// [`DeviceError::NotFound`], [`DeviceError::Unavailable`], [`DeviceError::Failed`].
    fn open_output(&self, id: Option<String>) -> Result<Box<dyn AudioOutput>, DeviceError>;

    /// Hot-plug events. Called once.
    fn events(&self) -> EventStream<DeviceEvent>;
}
