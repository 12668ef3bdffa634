//! The machine's audio devices for frontends: what a device list or a settings page shows,
//! and hot-plug events. Frontends reach the audio adapter only through here.
//!
//! The order that loses no event: take the stream first, then read the listing, then
//! [apply](DeviceListing::apply) each event to it.
//!
//! ```no_run
//! # async fn show() -> Result<(), wink_ports::DeviceError> {
//! use futures_util::StreamExt as _;
//!
//! let devices = wink_config::audio_devices();
//! let mut events = devices.events();
//! let mut listing = wink_config::DeviceListing::read(devices.as_ref()).await?;
//! while let Some(event) = events.next().await {
//!     listing.apply(&event);
//! }
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

pub use wink_audio::Ringer;
use wink_audio::SystemAudio;
use wink_ports::{AudioDevice, AudioDevices, DeviceDirection, DeviceError, DeviceEvent};

use crate::AudioSettings;

/// The audio devices calls use: the sound cards (with hot-plug events), plus the `null`
/// (silence) and `file:PATH` (a WAV file) ids the settings and `--audio` accept. Needs a
/// tokio runtime: listing runs on its blocking pool.
pub fn audio_devices() -> Arc<dyn AudioDevices> {
    Arc::new(SystemAudio::new())
}

/// The ring tone: it plays while the returned [`Ringer`] lives, on the settings' ringing
/// device (the speaker when none is chosen).
pub fn start_ringing(audio: &AudioSettings) -> Ringer {
    Ringer::start(audio_devices(), ringing_device(audio))
}

/// Where the ring tone plays: the alert device, else the speaker (`None`: the default one).
pub fn ringing_device(audio: &AudioSettings) -> Option<String> {
    audio
        .alert_device
        .clone()
        .or_else(|| audio.output_device.clone())
}

/// Every device with the system's defaults: what a device list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceListing {
    /// Every device, inputs and outputs, in the sound system's order.
    pub devices: Vec<AudioDevice>,
    /// The system's default microphone, if there is one.
    pub default_input: Option<AudioDevice>,
    /// The system's default speaker, if there is one.
    pub default_output: Option<AudioDevice>,
}

impl DeviceListing {
    /// Reads the devices and the defaults.
    ///
    /// # Errors
    /// [`DeviceError::Unavailable`] when there is no sound system to ask.
    pub async fn read(devices: &dyn AudioDevices) -> Result<Self, DeviceError> {
        Ok(Self {
            default_input: devices.default_device(DeviceDirection::Input).await?,
            default_output: devices.default_device(DeviceDirection::Output).await?,
            devices: devices.list().await?,
        })
    }

    /// The microphones.
    pub fn inputs(&self) -> impl Iterator<Item = &AudioDevice> {
        self.of(DeviceDirection::Input)
    }

    /// The speakers and headsets.
    pub fn outputs(&self) -> impl Iterator<Item = &AudioDevice> {
        self.of(DeviceDirection::Output)
    }

    fn of(&self, direction: DeviceDirection) -> impl Iterator<Item = &AudioDevice> {
        self.devices
            .iter()
            .filter(move |d| d.direction == direction)
    }

    /// Whether the device with this id (as the settings store it) is there for `direction`.
    pub fn contains(&self, direction: DeviceDirection, id: &str) -> bool {
        self.of(direction).any(|d| d.id == id)
    }

    /// Follows a hot-plug event: an added device is listed (once), a removed one is not,
    /// and stops being a default.
    pub fn apply(&mut self, event: &DeviceEvent) {
        match event {
            DeviceEvent::Added(device) => {
                if !self.devices.contains(device) {
                    self.devices.push(device.clone());
                }
            }
            DeviceEvent::Removed(device) => {
                self.devices.retain(|d| d != device);
                for default in [&mut self.default_input, &mut self.default_output] {
                    if default.as_ref() == Some(device) {
                        *default = None;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::{AudioInput, AudioOutput, EventStream};

    use super::*;

    fn device(id: &str, direction: DeviceDirection) -> AudioDevice {
        AudioDevice {
            id: id.into(),
            name: format!("{id} card"),
            direction,
        }
    }

    /// A headset that records and plays, and a speaker that only plays.
    struct TwoCards;

    #[async_trait::async_trait]
    impl AudioDevices for TwoCards {
        async fn list(&self) -> Result<Vec<AudioDevice>, DeviceError> {
            Ok(vec![
                device("headset", DeviceDirection::Input),
                device("headset", DeviceDirection::Output),
                device("speaker", DeviceDirection::Output),
            ])
        }

        async fn default_device(
            &self,
            direction: DeviceDirection,
        ) -> Result<Option<AudioDevice>, DeviceError> {
            Ok(Some(device("headset", direction)))
        }

        fn open_input(&self, id: Option<String>) -> Result<Box<dyn AudioInput>, DeviceError> {
            Err(DeviceError::NotFound(id.unwrap_or_default()))
        }

        fn open_output(&self, id: Option<String>) -> Result<Box<dyn AudioOutput>, DeviceError> {
            Err(DeviceError::NotFound(id.unwrap_or_default()))
        }

        fn events(&self) -> EventStream<DeviceEvent> {
            Box::pin(futures_util::stream::empty())
        }
    }

    fn ids<'a>(devices: impl Iterator<Item = &'a AudioDevice>) -> Vec<&'a str> {
        devices.map(|d| d.id.as_str()).collect()
    }

    #[tokio::test]
    async fn lists_inputs_outputs_and_defaults_and_follows_hot_plug() {
        let mut listing = DeviceListing::read(&TwoCards).await.unwrap();
        assert_eq!(ids(listing.inputs()), ["headset"]);
        assert_eq!(ids(listing.outputs()), ["headset", "speaker"]);
        assert_eq!(listing.default_output.as_ref().unwrap().id, "headset");
        assert!(listing.contains(DeviceDirection::Output, "speaker"));
        assert!(!listing.contains(DeviceDirection::Input, "speaker"));

        let usb = device("usb", DeviceDirection::Input);
        listing.apply(&DeviceEvent::Added(usb.clone()));
        listing.apply(&DeviceEvent::Added(usb));
        assert_eq!(ids(listing.inputs()), ["headset", "usb"], "added once");

        listing.apply(&DeviceEvent::Removed(device(
            "headset",
            DeviceDirection::Output,
        )));
        assert_eq!(ids(listing.outputs()), ["speaker"]);
        assert_eq!(listing.default_output, None, "an unplugged default is gone");
        assert_eq!(listing.default_input.as_ref().unwrap().id, "headset");
    }

    #[tokio::test]
    async fn the_system_lists_the_null_device_at_least() {
        let listing = DeviceListing::read(audio_devices().as_ref()).await;
        // A machine without a sound system says so; one with it lists `null` both ways.
        if let Ok(listing) = listing {
            assert!(listing.contains(DeviceDirection::Input, "null"));
            assert!(listing.contains(DeviceDirection::Output, "null"));
        }
    }

    #[test]
    fn the_ring_plays_on_the_alert_device_else_the_speaker() {
        let mut audio = AudioSettings::default();
        assert_eq!(ringing_device(&audio), None, "the default speaker");
        audio.output_device = Some("alsa:hw:1".into());
        assert_eq!(ringing_device(&audio).as_deref(), Some("alsa:hw:1"));
        audio.alert_device = Some("alsa:hw:2".into());
        assert_eq!(ringing_device(&audio).as_deref(), Some("alsa:hw:2"));
    }
}
