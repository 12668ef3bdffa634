//! [`ChosenDevices`]: the microphone and speaker calls use, which the user can change while
//! calls run; and opening them so that an unplugged card gives way to the default one
//! instead of leaving a call without audio.

use std::sync::{Mutex, PoisonError};

use wink_ports::{AudioDevices, AudioInput, AudioOutput, DeviceError, MediaError};

/// The devices chosen for calls (`None`: the system default).
#[derive(Debug, Default)]
pub(crate) struct ChosenDevices {
    chosen: Mutex<(Option<String>, Option<String>)>,
}

impl ChosenDevices {
    /// These devices.
    pub(crate) fn new(input: Option<String>, output: Option<String>) -> Self {
        Self {
            chosen: Mutex::new((input, output)),
        }
    }

    /// The microphone's id.
    pub(crate) fn input(&self) -> Option<String> {
        self.lock().0.clone()
    }

    /// The speaker's id.
    pub(crate) fn output(&self) -> Option<String> {
        self.lock().1.clone()
    }

    /// Chooses other devices.
    pub(crate) fn set(&self, input: Option<String>, output: Option<String>) {
        *self.lock() = (input, output);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<String>, Option<String>)> {
        self.chosen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether a device id names a sound card (not a WAV file, not silence).
pub(crate) fn is_sound_card(id: Option<&str>) -> bool {
    id.is_none_or(|id| id != "null" && !id.starts_with("file:"))
}

/// A device opened for a call, and the chosen one it stands in for when that was missing.
pub(crate) struct Opened<T> {
    /// The device.
    pub(crate) device: T,
    /// The chosen device's id, when it was not there and the default was opened instead.
    pub(crate) missing: Option<String>,
}

/// Opens with `open`; a sound card that is not there (unplugged since it was chosen, or a
/// name that matches no card) gives way to the system default, and says so. Files and
/// `null` are never replaced: a missing file is an error the user must hear about.
fn open_or_default<T>(
    id: Option<String>,
    open: impl Fn(Option<String>) -> Result<T, DeviceError>,
) -> Result<Opened<T>, MediaError> {
    let fallback = id.is_some() && is_sound_card(id.as_deref());
    let device = |e: DeviceError| MediaError::Device(e.to_string());
    match open(id.clone()) {
        Err(DeviceError::NotFound(name)) if fallback => {
            tracing::warn!(target: "rtp", device = %name, "the chosen device is gone: using the default one");
            Ok(Opened {
                device: open(None).map_err(device)?,
                missing: id,
            })
        }
        opened => Ok(Opened {
            device: opened.map_err(device)?,
            missing: None,
        }),
    }
}

/// Opens the microphone `id` (see [`open_or_default`]).
pub(crate) fn open_input(
    devices: &dyn AudioDevices,
    id: Option<String>,
) -> Result<Opened<Box<dyn AudioInput>>, MediaError> {
    open_or_default(id, |id| devices.open_input(id))
}

/// Opens the speaker `id` (see [`open_or_default`]).
pub(crate) fn open_output(
    devices: &dyn AudioDevices,
    id: Option<String>,
) -> Result<Opened<Box<dyn AudioOutput>>, MediaError> {
    open_or_default(id, |id| devices.open_output(id))
}

#[cfg(test)]
mod tests {
    use wink_ports::mocks::MockAudioDevices;

    use super::*;

    struct Silence;

    impl AudioInput for Silence {
        fn sample_rate(&self) -> u32 {
            8_000
        }

        fn read(&mut self, frame: &mut [i16]) -> usize {
            frame.fill(0);
            0
        }
    }

    #[test]
    fn an_unplugged_card_gives_way_to_the_default() {
        let mut devices = MockAudioDevices::new();
        devices
            .expect_open_input()
            .withf(|id| id.as_deref() == Some("alsa:USB Headset"))
            .returning(|id| Err(DeviceError::NotFound(id.unwrap_or_default())));
        devices
            .expect_open_input()
            .withf(Option::is_none)
            .returning(|_| Ok(Box::new(Silence)));
        let opened = open_input(&devices, Some("alsa:USB Headset".into())).expect("the default");
        assert_eq!(
            opened.missing.as_deref(),
            Some("alsa:USB Headset"),
            "and it says so"
        );
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_surprise_microphone() {
        let mut devices = MockAudioDevices::new();
        devices
            .expect_open_input()
            .withf(|id| id.as_deref() == Some("file:/nowhere.wav"))
            .returning(|id| Err(DeviceError::NotFound(id.unwrap_or_default())));
        devices.expect_open_input().withf(Option::is_none).never();
        let error = open_input(&devices, Some("file:/nowhere.wav".into())).err();
        assert!(
            matches!(&error, Some(MediaError::Device(text)) if text.contains("nowhere")),
            "{error:?}"
        );
    }

    #[test]
    fn a_card_that_fails_otherwise_is_not_replaced() {
        let mut devices = MockAudioDevices::new();
        devices
            .expect_open_input()
            .withf(|id| id.is_some())
            .returning(|_| Err(DeviceError::Failed("busy".into())));
        devices.expect_open_input().withf(Option::is_none).never();
        assert!(open_input(&devices, Some("alsa:hw:1".into())).is_err());
    }

    #[test]
    fn the_choice_changes_while_it_is_shared() {
        let chosen = ChosenDevices::new(None, Some("null".into()));
        assert_eq!(
            (chosen.input(), chosen.output()),
            (None, Some("null".into()))
        );
        chosen.set(Some("alsa:hw:1".into()), None);
        assert_eq!(
            (chosen.input(), chosen.output()),
            (Some("alsa:hw:1".into()), None)
        );
    }
}
