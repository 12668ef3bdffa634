//! [`SystemAudio`]: the one [`AudioDevices`] the app uses; device ids pick file, null or a
//! sound card.

use std::path::Path;

use wink_ports::{
    AudioDevice, AudioDevices, AudioInput, AudioOutput, DeviceDirection, DeviceError, DeviceEvent,
    EventStream,
};

use crate::card::{self, CardInput, CardOutput};
use crate::{FILE_OUTPUT_RATE, NullInput, NullOutput, WavFileInput, WavFileOutput};

/// What a device id names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeviceId<'a> {
    /// `file:PATH`
    File(&'a Path),
    /// `null`
    Null,
    /// A sound card by name (`None`: the default one).
    Card(Option<&'a str>),
}

impl<'a> DeviceId<'a> {
    pub(crate) fn parse(id: Option<&'a str>) -> Self {
        match id {
            Some("null") => DeviceId::Null,
            Some(id) => match id.strip_prefix("file:") {
                Some(path) => DeviceId::File(Path::new(path)),
                None => DeviceId::Card(Some(id)),
            },
            None => DeviceId::Card(None),
        }
    }
}

/// How often the list of sound cards is compared for hot-plug events.
const HOTPLUG_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// The machine's sound cards plus the file and null devices.
#[derive(Debug, Default)]
pub struct SystemAudio;

impl SystemAudio {
    /// The audio system.
    pub fn new() -> Self {
        Self
    }
}

#[async_trait::async_trait]
impl AudioDevices for SystemAudio {
    async fn list(&self) -> Result<Vec<AudioDevice>, DeviceError> {
        let mut devices = tokio::task::spawn_blocking(card::list)
            .await
            .map_err(|e| DeviceError::Unavailable(e.to_string()))??;
        devices.extend(
            [DeviceDirection::Input, DeviceDirection::Output]
                .into_iter()
                .map(|direction| AudioDevice {
                    id: "null".into(),
                    name: "No audio".into(),
                    direction,
                }),
        );
        Ok(devices)
    }

    async fn default_device(
        &self,
        direction: DeviceDirection,
    ) -> Result<Option<AudioDevice>, DeviceError> {
        tokio::task::spawn_blocking(move || card::default_device(direction))
            .await
            .map_err(|e| DeviceError::Unavailable(e.to_string()))
    }

    fn open_input(&self, id: Option<String>) -> Result<Box<dyn AudioInput>, DeviceError> {
        match DeviceId::parse(id.as_deref()) {
            DeviceId::File(path) => Ok(Box::new(WavFileInput::open(path)?)),
            DeviceId::Null => Ok(Box::new(NullInput)),
            DeviceId::Card(name) => Ok(Box::new(CardInput::open(name)?)),
        }
    }

    fn open_output(&self, id: Option<String>) -> Result<Box<dyn AudioOutput>, DeviceError> {
        match DeviceId::parse(id.as_deref()) {
            DeviceId::File(path) => Ok(Box::new(WavFileOutput::create(path, FILE_OUTPUT_RATE)?)),
            DeviceId::Null => Ok(Box::new(NullOutput)),
            DeviceId::Card(name) => Ok(Box::new(CardOutput::open(name)?)),
        }
    }

    fn events(&self) -> EventStream<DeviceEvent> {
        crate::hotplug::watch(HOTPLUG_POLL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_files_null_and_cards() {
        assert_eq!(
            DeviceId::parse(Some("file:/tmp/a.wav")),
            DeviceId::File(Path::new("/tmp/a.wav"))
        );
        assert_eq!(DeviceId::parse(Some("null")), DeviceId::Null);
        assert_eq!(
            DeviceId::parse(Some("hw:CARD=USB")),
            DeviceId::Card(Some("hw:CARD=USB"))
        );
        assert_eq!(DeviceId::parse(None), DeviceId::Card(None));
    }
}
