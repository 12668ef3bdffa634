//! One call in the calls pane: who, state, timer, codec/encryption/quality, and the mute,
//! mute-for-everyone (in a conference), hold, record, transfer and hang-up buttons (which
//! run the window's per-call actions).

use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};

use crate::actions::WindowAction;
use crate::models::call_item::CallItem;

mod imp {
    use super::*;

    #[derive(Debug, Default, gtk::CompositeTemplate)]
    #[template(file = "call_row.ui")]
    pub struct CallRow {
        #[template_child]
        pub(super) avatar: TemplateChild<adw::Avatar>,
        #[template_child]
        pub(super) title_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) state_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) timer_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) media_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) controls: TemplateChild<gtk::Box>,
        #[template_child]
        pub(super) mute_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub(super) silence_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub(super) hold_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub(super) record_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub(super) transfer_button: TemplateChild<gtk::MenuButton>,
        #[template_child]
        pub(super) transfer_popover: TemplateChild<gtk::Popover>,
        #[template_child]
        pub(super) transfer_entry: TemplateChild<gtk::Entry>,
        #[template_child]
        pub(super) transfer_go: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) others_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) others_box: TemplateChild<gtk::Box>,
        #[template_child]
        pub(super) hang_up_button: TemplateChild<gtk::Button>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for CallRow {
        const NAME: &'static str = "WkCallRow";
        type Type = super::CallRow;
        type ParentType = gtk::ListBoxRow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for CallRow {}
    impl WidgetImpl for CallRow {}
    impl ListBoxRowImpl for CallRow {}
}

glib::wrapper! {
    /// A call in the calls pane.
    pub struct CallRow(ObjectSubclass<imp::CallRow>)
        @extends gtk::ListBoxRow, gtk::Widget,
        @implements gtk::Actionable, gtk::Buildable, gtk::ConstraintTarget;
}

impl CallRow {
    /// A row showing `call`; `calls` (all the pane's calls) offers the others for an
    /// attended transfer.
    pub(crate) fn new(call: &CallItem, calls: &gio::ListModel) -> Self {
        let row: Self = glib::Object::new();
        row.bind(call);
        row.set_up_transfer(call, calls);
        row
    }

    /// The transfer popover: an address (blind transfer) or another call (attended).
    fn set_up_transfer(&self, call: &CallItem, calls: &gio::ListModel) {
        let imp = self.imp();
        call.bind_property("connected", &*imp.transfer_button, "sensitive")
            .sync_create()
            .build();
        let id = call.id();
        let blind = glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[strong]
            id,
            move || {
                let imp = row.imp();
                let target = imp.transfer_entry.text().trim().to_owned();
                if target.is_empty() {
                    return;
                }
                let _ = row.activate_action(
                    WindowAction::TransferCall.name(),
                    Some(&(id.as_str(), target.as_str()).to_variant()),
                );
                imp.transfer_popover.popdown();
                imp.transfer_entry.set_text("");
            }
        );
        let go = blind.clone();
        imp.transfer_go.connect_clicked(move |_| go());
        imp.transfer_entry.connect_activate(move |_| blind());
        let calls = calls.clone();
        imp.transfer_popover.connect_show(glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |_| row.list_other_calls(&id, &calls)
        ));
    }

    /// Fills the popover with one button per other connected call.
    fn list_other_calls(&self, id: &str, calls: &gio::ListModel) {
        let imp = self.imp();
        while let Some(child) = imp.others_box.first_child() {
            imp.others_box.remove(&child);
        }
        let others: Vec<CallItem> = (0..calls.n_items())
            .filter_map(|i| calls.item(i).and_downcast::<CallItem>())
            .filter(|other| other.id() != id && other.connected())
            .collect();
        imp.others_label.set_visible(!others.is_empty());
        for other in others {
            let button = gtk::Button::with_label(&format!("Connect with {}", other.title()));
            button.set_tooltip_text(Some(
                "Attended transfer: the two other parties talk to each other and both your calls end",
            ));
            let parameter = (id, other.id().as_str()).to_variant();
            button.connect_clicked(glib::clone!(
                #[weak(rename_to = row)]
                self,
                move |_| {
                    let _ =
                        row.activate_action(WindowAction::ConnectCalls.name(), Some(&parameter));
                    row.imp().transfer_popover.popdown();
                }
            ));
            imp.others_box.append(&button);
        }
    }

    fn bind(&self, call: &CallItem) {
        let imp = self.imp();
        let id = call.id().to_variant();
        imp.hang_up_button
            .set_action_name(Some(WindowAction::HangUpCall.name()));
        imp.hang_up_button.set_action_target_value(Some(&id));
        // Toggles show the call's state, not their own: a press asks the phone, and the
        // button follows when the phone says it happened.
        for (button, action, property) in [
            (&*imp.mute_button, WindowAction::MuteCall, "muted"),
            (&*imp.hold_button, WindowAction::HoldCall, "held"),
            (&*imp.record_button, WindowAction::RecordCall, "recording"),
            (&*imp.silence_button, WindowAction::SilenceCall, "silenced"),
        ] {
            call.bind_property(property, button, "active")
                .sync_create()
                .build();
            let id = id.clone();
            button.connect_clicked(glib::clone!(
                #[weak]
                call,
                move |button| {
                    let _ = button.activate_action(action.name(), Some(&id));
                    button.set_active(call.property::<bool>(property));
                }
            ));
        }
        call.bind_property("title", &*imp.title_label, "label")
            .sync_create()
            .build();
        call.bind_property("title", &*imp.avatar, "text")
            .sync_create()
            .build();
        call.bind_property("state-text", &*imp.state_label, "label")
            .sync_create()
            .build();
        call.bind_property("timer-text", &*imp.timer_label, "label")
            .sync_create()
            .build();
        call.bind_property("media-text", &*imp.media_label, "label")
            .sync_create()
            .build();
        call.bind_property("media-text", &*imp.media_label, "visible")
            .transform_to(|_, text: String| Some(!text.is_empty()))
            .sync_create()
            .build();
        for button in [&*imp.mute_button, &*imp.hold_button, &*imp.record_button] {
            call.bind_property("connected", button, "sensitive")
                .sync_create()
                .build();
        }
        // Muting a participant for everyone is for the calls of a conference.
        call.bind_property("in-conference", &*imp.silence_button, "visible")
            .sync_create()
            .build();
        // An ended call stays a moment to say how it ended; its buttons go.
        call.bind_property("over", &*imp.controls, "visible")
            .transform_to(|_, over: bool| Some(!over))
            .sync_create()
            .build();
        let paint = glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |call: &CallItem| row.show_toggles(call)
        );
        paint(call);
        call.connect_muted_notify(paint.clone());
        call.connect_silenced_notify(paint.clone());
        call.connect_held_notify(paint);
    }

    /// Mute and hold say what a press does next.
    fn show_toggles(&self, call: &CallItem) {
        let imp = self.imp();
        let (mute_icon, mute_tip) = if call.muted() {
            (
                "microphone-disabled-symbolic",
                "Unmute the microphone (Ctrl+M)",
            )
        } else {
            (
                "microphone-sensitivity-high-symbolic",
                "Mute the microphone (Ctrl+M)",
            )
        };
        let (hold_icon, hold_tip) = if call.held() {
            ("media-playback-start-symbolic", "Resume (Space)")
        } else {
            ("media-playback-pause-symbolic", "Put on hold (Space)")
        };
        crate::a11y::set_label(
            &*imp.mute_button,
            if call.muted() { "Unmute" } else { "Mute" },
        );
        crate::a11y::set_label(
            &*imp.hold_button,
            if call.held() { "Resume" } else { "Hold" },
        );
        let (silence_label, silence_tip) = if call.silenced() {
            (
                "Unmute for everyone",
                "Let everyone in the conference hear this participant again",
            )
        } else {
            (
                "Mute for everyone",
                "Mute this participant for everyone in the conference",
            )
        };
        crate::a11y::set_label(&*imp.silence_button, silence_label);
        imp.silence_button.set_tooltip_text(Some(silence_tip));
        imp.mute_button.set_icon_name(mute_icon);
        imp.mute_button.set_tooltip_text(Some(mute_tip));
        imp.hold_button.set_icon_name(hold_icon);
        imp.hold_button.set_tooltip_text(Some(hold_tip));
    }
}
