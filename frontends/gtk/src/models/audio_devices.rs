//! The audio-device menu and the hot-plug question as the window shows them: which devices
//! each role (microphone, speaker, ringing) can use, what the settings store for a choice,
//! and what a device plugged in offers ("use the new headset?", as Blink asks).

use wink_config::{AudioSettings, DeviceListing};
use wink_ports::{AudioDevice, DeviceDirection, DeviceEvent};

/// ALSA's discard-everything device, listed on every system.
const ALSA_NULL: &str = "alsa:null";

/// What a device does for calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceRole {
    /// Where our voice comes from.
    Microphone,
    /// Where the other side is heard.
    Speaker,
    /// Where an incoming call rings.
    Ringing,
}

impl DeviceRole {
    /// Every role, in the menu's order.
    pub(crate) const ALL: [DeviceRole; 3] = [
        DeviceRole::Microphone,
        DeviceRole::Speaker,
        DeviceRole::Ringing,
    ];

    /// The menu section's title.
    pub(crate) fn title(self) -> &'static str {
        match self {
            DeviceRole::Microphone => "Microphone",
            DeviceRole::Speaker => "Speaker",
            DeviceRole::Ringing => "Ringing",
        }
    }

    /// The devices that can play this role.
    fn direction(self) -> DeviceDirection {
        match self {
            DeviceRole::Microphone => DeviceDirection::Input,
            DeviceRole::Speaker | DeviceRole::Ringing => DeviceDirection::Output,
        }
    }

    /// The stored choice (`None`: the default).
    pub(crate) fn chosen(self, audio: &AudioSettings) -> Option<&str> {
        match self {
            DeviceRole::Microphone => audio.input_device.as_deref(),
            DeviceRole::Speaker => audio.output_device.as_deref(),
            DeviceRole::Ringing => audio.alert_device.as_deref(),
        }
    }

    /// Stores a choice: `""` is the default.
    pub(crate) fn choose(self, audio: &mut AudioSettings, id: &str) {
        let value = (!id.is_empty()).then(|| id.to_owned());
        match self {
            DeviceRole::Microphone => audio.input_device = value,
            DeviceRole::Speaker => audio.output_device = value,
            DeviceRole::Ringing => audio.alert_device = value,
        }
    }
}

/// One entry of a role's menu section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeviceChoice {
    /// What the menu says.
    pub(crate) label: String,
    /// The id stored when it is chosen (`""`: the default).
    pub(crate) id: String,
}

/// The entries of a role's section: the default first (naming the device it is today),
/// then each device once; a chosen device that is not plugged in stays listed, so the
/// menu always shows what is chosen.
pub(crate) fn choices(
    listing: &DeviceListing,
    audio: &AudioSettings,
    role: DeviceRole,
) -> Vec<DeviceChoice> {
    let default = match role.direction() {
        DeviceDirection::Input => listing.default_input.as_ref(),
        DeviceDirection::Output => listing.default_output.as_ref(),
    };
    let default_name = default.map(|d| d.name.as_str());
    let first = match (role, default_name) {
        (DeviceRole::Ringing, _) => "Same as Speaker".to_owned(),
        (_, Some(name)) => format!("System Default ({name})"),
        (_, None) => "System Default".to_owned(),
    };
    let mut entries = vec![DeviceChoice {
        label: first,
        id: String::new(),
    }];
    // The default device is the first entry already (ALSA lists it again as `default`);
    // ALSA's own `null` is our "No audio" under a long technical name.
    let is_default = |device: &AudioDevice| default.is_some_and(|d| d.id == device.id);
    for device in listing
        .devices
        .iter()
        .filter(|d| d.direction == role.direction())
    {
        let listed = entries.iter().any(|e| e.id == device.id);
        if !is_default(device) && device.id != ALSA_NULL && !listed {
            entries.push(DeviceChoice {
                label: device.name.clone(),
                id: device.id.clone(),
            });
        }
    }
    if let Some(chosen) = role.chosen(audio)
        && !entries.iter().any(|e| e.id == chosen)
    {
        entries.push(DeviceChoice {
            label: format!("{} (not connected)", display_id(chosen)),
            id: chosen.to_owned(),
        });
    }
    entries
}

/// A device id as a person reads it (`file:/tmp/a.wav` → `a.wav`).
fn display_id(id: &str) -> &str {
    match id.strip_prefix("file:") {
        Some(path) => path.rsplit('/').next().unwrap_or(path),
        None => id,
    }
}

/// The name of the device a role uses, for sentences ("Microphone: USB Headset").
pub(crate) fn device_name(
    listing: &DeviceListing,
    audio: &AudioSettings,
    role: DeviceRole,
) -> String {
    choices(listing, audio, role)
        .into_iter()
        .find(|c| c.id == role.chosen(audio).unwrap_or_default())
        .map(|c| c.label)
        .unwrap_or_else(|| "System Default".to_owned())
}

/// The device a role uses, by name: the chosen card's, or today's default card's.
fn used_name(listing: &DeviceListing, audio: &AudioSettings, role: DeviceRole) -> String {
    match role.chosen(audio) {
        None => match role.direction() {
            DeviceDirection::Input => listing.default_input.as_ref(),
            DeviceDirection::Output => listing.default_output.as_ref(),
        }
        .map_or_else(|| "the system default".to_owned(), |d| d.name.clone()),
        Some(_) => device_name(listing, audio, role),
    }
}

/// The devices a call will use, in a line for the incoming-call alert ("Microphone and
/// speaker: USB Headset", or each by name when they differ).
pub(crate) fn in_use_text(listing: &DeviceListing, audio: &AudioSettings) -> String {
    let microphone = used_name(listing, audio, DeviceRole::Microphone);
    let speaker = used_name(listing, audio, DeviceRole::Speaker);
    if microphone == speaker {
        format!("Microphone and speaker: {microphone}")
    } else {
        format!("Microphone: {microphone} · Speaker: {speaker}")
    }
}

/// A device just plugged in, offered for calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PluggedIn {
    /// Its id.
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// It can be the microphone.
    pub(crate) input: bool,
    /// It can be the speaker.
    pub(crate) output: bool,
}

impl PluggedIn {
    /// What a hot-plug event offers: a device that appeared and is not already in use.
    /// A headset arrives as two events (its microphone and its speaker): give each to
    /// [`PluggedIn::merge`] of the offer already shown.
    pub(crate) fn offered(event: &DeviceEvent, audio: &AudioSettings) -> Option<Self> {
        let DeviceEvent::Added(device) = event else {
            return None;
        };
        let in_use = match device.direction {
            DeviceDirection::Input => audio.input_device.as_deref() == Some(&device.id),
            DeviceDirection::Output => audio.output_device.as_deref() == Some(&device.id),
        };
        (!in_use && device.id != "null").then(|| Self::from_device(device))
    }

    fn from_device(device: &AudioDevice) -> Self {
        Self {
            id: device.id.clone(),
            name: device.name.clone(),
            input: device.direction == DeviceDirection::Input,
            output: device.direction == DeviceDirection::Output,
        }
    }

    /// Takes in another offer for the same device (returns whether it was the same).
    pub(crate) fn merge(&mut self, other: &PluggedIn) -> bool {
        if other.id != self.id {
            return false;
        }
        self.input |= other.input;
        self.output |= other.output;
        true
    }

    /// The question ("“USB Headset” was plugged in. Use it for calls?").
    pub(crate) fn question(&self) -> String {
        format!("“{}” was plugged in. Use it for calls?", self.name)
    }

    /// Uses it for what it can do: the microphone, the speaker, or both.
    pub(crate) fn accept(&self, audio: &mut AudioSettings) {
        if self.input {
            audio.input_device = Some(self.id.clone());
        }
        if self.output {
            audio.output_device = Some(self.id.clone());
        }
    }
}

/// When a device in use is unplugged: what to tell the user (calls go on with the
/// default device, and the choice is kept for when it comes back).
pub(crate) fn unplugged_notice(event: &DeviceEvent, audio: &AudioSettings) -> Option<String> {
    let DeviceEvent::Removed(device) = event else {
        return None;
    };
    let in_use = [
        DeviceRole::Microphone,
        DeviceRole::Speaker,
        DeviceRole::Ringing,
    ]
    .into_iter()
    .filter(|role| role.direction() == device.direction)
    .any(|role| role.chosen(audio) == Some(device.id.as_str()));
    in_use.then(|| {
        format!(
            "“{}” was unplugged: calls use the system default until it is back",
            device.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, name: &str, direction: DeviceDirection) -> AudioDevice {
        AudioDevice {
            id: id.into(),
            name: name.into(),
            direction,
        }
    }

    fn listing() -> DeviceListing {
        let laptop_in = device("alsa:hw:0", "Built-in Audio", DeviceDirection::Input);
        let laptop_out = device("alsa:hw:0", "Built-in Audio", DeviceDirection::Output);
        DeviceListing {
            devices: vec![
                device("alsa:default", "default", DeviceDirection::Input),
                device("alsa:default", "default", DeviceDirection::Output),
                laptop_in.clone(),
                laptop_out.clone(),
                device("alsa:hdmi", "HDMI", DeviceDirection::Output),
                device("alsa:null", "Discard all samples", DeviceDirection::Output),
                device("null", "No audio", DeviceDirection::Input),
                device("null", "No audio", DeviceDirection::Output),
            ],
            default_input: Some(device(
                "alsa:default",
                "Built-in Audio",
                DeviceDirection::Input,
            )),
            default_output: Some(device(
                "alsa:default",
                "Built-in Audio",
                DeviceDirection::Output,
            )),
        }
    }

    fn labels(choices: &[DeviceChoice]) -> Vec<&str> {
        choices.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn each_role_offers_the_default_then_its_other_devices() {
        let audio = AudioSettings::default();
        let microphones = choices(&listing(), &audio, DeviceRole::Microphone);
        assert_eq!(
            labels(&microphones),
            [
                "System Default (Built-in Audio)",
                "Built-in Audio",
                "No audio"
            ]
        );
        assert_eq!(microphones[0].id, "");
        let speakers = choices(&listing(), &audio, DeviceRole::Speaker);
        assert_eq!(
            labels(&speakers),
            [
                "System Default (Built-in Audio)",
                "Built-in Audio",
                "HDMI",
                "No audio"
            ]
        );
        let ringing = choices(&listing(), &audio, DeviceRole::Ringing);
        assert_eq!(labels(&ringing)[0], "Same as Speaker");
        assert_eq!(ringing.len(), 4);
    }

    #[test]
    fn a_chosen_device_that_is_not_there_stays_listed() {
        let mut audio = AudioSettings::default();
        DeviceRole::Speaker.choose(&mut audio, "alsa:USB Headset");
        DeviceRole::Ringing.choose(&mut audio, "file:/tmp/ring.wav");
        let speakers = choices(&listing(), &audio, DeviceRole::Speaker);
        assert_eq!(
            speakers.last().map(|c| c.label.as_str()),
            Some("alsa:USB Headset (not connected)")
        );
        assert_eq!(
            device_name(&listing(), &audio, DeviceRole::Ringing),
            "ring.wav (not connected)"
        );
        assert_eq!(
            device_name(&listing(), &audio, DeviceRole::Microphone),
            "System Default (Built-in Audio)"
        );
    }

    #[test]
    fn choosing_the_default_stores_nothing() {
        let mut audio = AudioSettings::default();
        DeviceRole::Microphone.choose(&mut audio, "alsa:hw:0");
        assert_eq!(audio.input_device.as_deref(), Some("alsa:hw:0"));
        DeviceRole::Microphone.choose(&mut audio, "");
        assert_eq!(audio.input_device, None);
        assert_eq!(DeviceRole::Ringing.chosen(&audio), None);
    }

    #[test]
    fn a_headset_plugged_in_is_offered_once_for_both_directions() {
        let audio = AudioSettings::default();
        let microphone = device("alsa:USB", "USB Headset", DeviceDirection::Input);
        let speaker = device("alsa:USB", "USB Headset", DeviceDirection::Output);
        let mut offer =
            PluggedIn::offered(&DeviceEvent::Added(microphone), &audio).expect("offered");
        let second = PluggedIn::offered(&DeviceEvent::Added(speaker), &audio).expect("offered");
        assert!(offer.merge(&second), "the same device");
        assert_eq!(
            offer.question(),
            "“USB Headset” was plugged in. Use it for calls?"
        );
        let mut accepted = AudioSettings::default();
        offer.accept(&mut accepted);
        assert_eq!(accepted.input_device.as_deref(), Some("alsa:USB"));
        assert_eq!(accepted.output_device.as_deref(), Some("alsa:USB"));
        let other = PluggedIn::offered(
            &DeviceEvent::Added(device("alsa:hdmi", "HDMI", DeviceDirection::Output)),
            &audio,
        )
        .expect("offered");
        assert!(!offer.merge(&other), "another device is another question");
    }

    #[test]
    fn a_speaker_only_device_changes_only_the_speaker() {
        let hdmi = device("alsa:hdmi", "HDMI", DeviceDirection::Output);
        let offer = PluggedIn::offered(&DeviceEvent::Added(hdmi), &AudioSettings::default())
            .expect("offered");
        let mut audio = AudioSettings {
            input_device: Some("alsa:hw:0".into()),
            ..AudioSettings::default()
        };
        offer.accept(&mut audio);
        assert_eq!(audio.input_device.as_deref(), Some("alsa:hw:0"));
        assert_eq!(audio.output_device.as_deref(), Some("alsa:hdmi"));
    }

    #[test]
    fn nothing_is_offered_for_a_device_in_use_or_taken_away() {
        let usb = device("alsa:USB", "USB Headset", DeviceDirection::Input);
        let audio = AudioSettings {
            input_device: Some("alsa:USB".into()),
            ..AudioSettings::default()
        };
        assert_eq!(
            PluggedIn::offered(&DeviceEvent::Added(usb.clone()), &audio),
            None
        );
        assert_eq!(
            PluggedIn::offered(
                &DeviceEvent::Removed(usb.clone()),
                &AudioSettings::default()
            ),
            None
        );
        assert_eq!(
            unplugged_notice(&DeviceEvent::Removed(usb), &audio).as_deref(),
            Some("“USB Headset” was unplugged: calls use the system default until it is back")
        );
        let hdmi = device("alsa:hdmi", "HDMI", DeviceDirection::Output);
        assert_eq!(
            unplugged_notice(&DeviceEvent::Removed(hdmi), &audio),
            None,
            "not in use"
        );
    }

    #[test]
    fn the_alert_names_the_devices_in_use_once_when_they_are_one() {
        let mut audio = AudioSettings::default();
        assert_eq!(
            in_use_text(&listing(), &audio),
            "Microphone and speaker: Built-in Audio"
        );
        DeviceRole::Speaker.choose(&mut audio, "alsa:hdmi");
        assert_eq!(
            in_use_text(&listing(), &audio),
            "Microphone: Built-in Audio · Speaker: HDMI"
        );
        let unknown = DeviceListing::default();
        assert_eq!(
            in_use_text(&unknown, &AudioSettings::default()),
            "Microphone and speaker: the system default"
        );
    }
}
