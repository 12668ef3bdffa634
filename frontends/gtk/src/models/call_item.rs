//! One call in the calls pane: the texts of its [`CallView`], as GObject properties the
//! row binds to.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

use super::call_view::CallView;
use wink_domain::CallState;

mod imp {
    use super::*;

    #[derive(Debug, Default, glib::Properties)]
    #[properties(wrapper_type = super::CallItem)]
    pub struct CallItem {
        /// The phone's session id.
        #[property(get, construct_only)]
        id: RefCell<String>,
        /// The name, else the address.
        #[property(get, set)]
        title: RefCell<String>,
        /// The address.
        #[property(get, set)]
        address: RefCell<String>,
        /// The state in words.
        #[property(get, set)]
        state_text: RefCell<String>,
        /// The connected time.
        #[property(get, set)]
        timer_text: RefCell<String>,
        /// Codec, encryption, quality.
        #[property(get, set)]
        media_text: RefCell<String>,
        /// Connected (hold, mute, keys, transfer apply).
        #[property(get, set)]
        connected: Cell<bool>,
        /// On hold by us.
        #[property(get, set)]
        held: Cell<bool>,
        /// Our microphone is muted.
        #[property(get, set)]
        muted: Cell<bool>,
        /// Being recorded.
        #[property(get, set)]
        recording: Cell<bool>,
        /// One of the local conference's calls.
        #[property(get, set)]
        in_conference: Cell<bool>,
        /// Its other side is silenced for everyone.
        #[property(get, set)]
        silenced: Cell<bool>,
        /// It has ended.
        #[property(get, set)]
        over: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for CallItem {
        const NAME: &'static str = "WkCallItem";
        type Type = super::CallItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for CallItem {}
}

glib::wrapper! {
    /// A call as the calls pane shows it.
    pub struct CallItem(ObjectSubclass<imp::CallItem>);
}

/// Sets a property only when its value changes, so bindings are not woken for nothing.
macro_rules! set_changed {
    ($item:expr, $get:ident, $set:ident, $value:expr) => {{
        let value = $value;
        if $item.$get() != value {
            $item.$set(value);
        }
    }};
}

impl CallItem {
    /// An item for `call`.
    pub(crate) fn new(call: &CallView, now: Duration) -> Self {
        let item: Self = glib::Object::builder()
            .property("id", call.id.as_str())
            .build();
        item.show(call, now);
        item
    }

    /// Shows the call's current state.
    pub(crate) fn show(&self, call: &CallView, now: Duration) {
        set_changed!(self, title, set_title, call.party.title().to_owned());
        set_changed!(self, address, set_address, call.party.address.clone());
        set_changed!(self, state_text, set_state_text, call.state_text());
        set_changed!(self, timer_text, set_timer_text, call.timer_text(now));
        set_changed!(self, media_text, set_media_text, call.media_text());
        set_changed!(self, connected, set_connected, call.is_connected());
        set_changed!(
            self,
            held,
            set_held,
            call.state == CallState::OnHold && !call.is_over()
        );
        set_changed!(self, muted, set_muted, call.muted);
        set_changed!(self, recording, set_recording, call.recording);
        set_changed!(self, in_conference, set_in_conference, call.in_conference);
        set_changed!(self, silenced, set_silenced, call.silenced);
        set_changed!(self, over, set_over, call.is_over());
    }
}
