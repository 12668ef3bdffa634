//! The main window's audio devices: the menu that chooses the microphone, speaker and
//! ringing device; the bar that asks whether to use a device just plugged in (or says one
//! in use was unplugged); the ring tone while a call rings.

use std::cell::RefCell;

use futures_util::StreamExt as _;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};
use tracing::warn;
use wink_config::{AudioSettings, DeviceListing, Ringer};
use wink_ports::DeviceEvent;

use super::MainWindow;
use crate::actions::WindowAction;
use crate::models::audio_devices::{self, DeviceRole, PluggedIn};
use crate::runtime::on_core;

/// How long after the window is set up the devices are listed and watched.
const DEVICES_AFTER_START: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a notice about an unplugged device stays, in seconds (a question about one
/// plugged in stays until it is answered).
const NOTICE_SECONDS: u32 = 10;

/// The window's device state.
#[derive(Default)]
pub(crate) struct DeviceState {
    /// The devices there are, kept up to date by hot-plug events.
    listing: RefCell<DeviceListing>,
    /// The menu the devices button opens.
    menu: gio::Menu,
    /// The device last plugged in, while the question about it shows.
    plugged: RefCell<Option<PluggedIn>>,
    /// The device whose unplugging was said last (a headset goes as two events).
    unplugged: RefCell<Option<String>>,
    /// The ring tone, while a call rings.
    ringer: RefCell<Option<Ringer>>,
}

/// The action that chooses a device for `role`.
fn action(role: DeviceRole) -> WindowAction {
    match role {
        DeviceRole::Microphone => WindowAction::Microphone,
        DeviceRole::Speaker => WindowAction::Speaker,
        DeviceRole::Ringing => WindowAction::Ringing,
    }
}

impl MainWindow {
    fn device_cell(&self, role: DeviceRole) -> &RefCell<String> {
        let imp = self.imp();
        match role {
            DeviceRole::Microphone => &imp.microphone,
            DeviceRole::Speaker => &imp.speaker,
            DeviceRole::Ringing => &imp.ringing,
        }
    }

    /// The menu, the stored choices, and the watch for devices coming and going.
    pub(super) fn set_up_devices(&self) {
        let imp = self.imp();
        imp.devices_button.set_menu_model(Some(&imp.devices.menu));
        self.show_device_choices();
        imp.device_dismiss.connect_clicked(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| window.hide_device_bar()
        ));
        // Asking ALSA for its cards parses its whole configuration: not while the window
        // starts on a two-core machine, but once it is up.
        glib::timeout_add_local_once(
            DEVICES_AFTER_START,
            glib::clone!(
                #[weak(rename_to = window)]
                self,
                move || window.watch_devices()
            ),
        );
    }

    /// Lists the devices, then follows them coming and going.
    fn watch_devices(&self) {
        let devices = wink_config::audio_devices();
        // Subscribed before listing, so nothing plugged in meanwhile goes unseen.
        let mut events = devices.events();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                match on_core(async move { DeviceListing::read(devices.as_ref()).await }).await {
                    Ok(listing) => {
                        *window.imp().devices.listing.borrow_mut() = listing;
                        window.show_device_choices();
                    }
                    Err(error) => warn!(%error, "no list of audio devices"),
                }
                while let Some(event) = events.next().await {
                    window.on_device_event(&event);
                }
            }
        ));
    }

    /// The menu's sections and the chosen entries, from the listing and the settings.
    fn show_device_choices(&self) {
        let audio = self.core().settings().audio;
        let menu = &self.imp().devices.menu;
        menu.remove_all();
        let listing = self.imp().devices.listing.borrow();
        for role in DeviceRole::ALL {
            let section = gio::Menu::new();
            for choice in audio_devices::choices(&listing, &audio, role) {
                let item = gio::MenuItem::new(Some(&choice.label), None);
                item.set_action_and_target_value(
                    Some(action(role).name()),
                    Some(&choice.id.to_variant()),
                );
                section.append_item(&item);
            }
            menu.append_section(Some(role.title()), &section);
            let chosen = role.chosen(&audio).unwrap_or_default().to_owned();
            if self.device_cell(role).replace(chosen.clone()) != chosen {
                self.notify(action(role).property().unwrap_or_default());
            }
        }
    }

    /// The user chose a device in the menu: saved, and calls move to it.
    pub(super) fn choose_device(&self, role: DeviceRole, id: String) {
        if *self.device_cell(role).borrow() == id {
            return;
        }
        let mut audio = self.core().settings().audio;
        role.choose(&mut audio, &id);
        self.use_audio(audio);
    }

    /// Saves these devices and moves calls to them; the menu follows.
    fn use_audio(&self, audio: AudioSettings) {
        let core = self.core();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                if let Err(error) = core.set_audio(audio).await {
                    window.show_problem(&crate::sentence::sentence(&format!("{error:#}")));
                }
                window.show_device_choices();
            }
        ));
    }

    fn on_device_event(&self, event: &DeviceEvent) {
        let devices = &self.imp().devices;
        devices.listing.borrow_mut().apply(event);
        self.show_device_choices();
        let audio = self.core().settings().audio;
        if let Some(notice) = audio_devices::unplugged_notice(event, &audio) {
            // A headset goes as two events (microphone, speaker): said once.
            let id = event.device().id.clone();
            if devices.unplugged.replace(Some(id.clone())) != Some(id) {
                devices.plugged.replace(None);
                self.show_device_bar(&notice, false);
            }
            return;
        }
        let Some(offer) = PluggedIn::offered(event, &audio) else {
            return;
        };
        devices.unplugged.replace(None);
        let mut plugged = devices.plugged.borrow_mut();
        if let Some(shown) = plugged.as_mut()
            && shown.merge(&offer)
        {
            return; // the other half of a headset: the question already stands
        }
        self.show_device_bar(&offer.question(), true);
        *plugged = Some(offer);
    }

    /// The bar under the header: a question with Use It, or a notice that goes by itself.
    fn show_device_bar(&self, text: &str, question: bool) {
        let imp = self.imp();
        imp.device_label.set_label(text);
        imp.device_use.set_visible(question);
        imp.device_revealer.set_reveal_child(true);
        if !question {
            let shown = text.to_owned();
            glib::timeout_add_seconds_local_once(
                NOTICE_SECONDS,
                glib::clone!(
                    #[weak(rename_to = window)]
                    self,
                    move || {
                        if window.imp().device_label.label() == shown {
                            window.hide_device_bar();
                        }
                    }
                ),
            );
        }
    }

    fn hide_device_bar(&self) {
        self.imp().device_revealer.set_reveal_child(false);
        self.imp().devices.plugged.replace(None);
    }

    /// "Use It": the device just plugged in becomes the microphone and/or the speaker.
    pub(super) fn use_plugged_in(&self) {
        let Some(offer) = self.imp().devices.plugged.borrow_mut().take() else {
            return;
        };
        self.hide_device_bar();
        let mut audio = self.core().settings().audio;
        offer.accept(&mut audio);
        self.use_audio(audio);
    }

    /// Starts the ring tone, unless it already rings.
    pub(super) fn start_ringing(&self) {
        let mut ringer = self.imp().devices.ringer.borrow_mut();
        if ringer.is_none() {
            *ringer = Some(wink_config::start_ringing(&self.core().settings().audio));
        }
    }

    /// Stops the ring tone.
    pub(super) fn stop_ringing(&self) {
        drop(self.imp().devices.ringer.borrow_mut().take());
    }

    /// The audio devices a call will use, in words.
    pub(super) fn devices_text(&self) -> String {
        let audio = self.core().settings().audio;
        audio_devices::in_use_text(&self.imp().devices.listing.borrow(), &audio)
    }
}
