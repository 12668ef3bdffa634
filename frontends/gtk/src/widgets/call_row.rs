//! One call in the calls pane: who, state, timer, codec/encryption/quality, and the mute,
//! hold and hang-up buttons (which run the window's per-call actions).

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

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
        pub(super) mute_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub(super) hold_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub(super) record_button: TemplateChild<gtk::ToggleButton>,
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
    /// A row showing `call`.
    pub(crate) fn new(call: &CallItem) -> Self {
        let row: Self = glib::Object::new();
        row.bind(call);
        row
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
        call.bind_property("over", &*imp.hang_up_button, "sensitive")
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
        imp.mute_button.set_icon_name(mute_icon);
        imp.mute_button.set_tooltip_text(Some(mute_tip));
        imp.hold_button.set_icon_name(hold_icon);
        imp.hold_button.set_tooltip_text(Some(hold_tip));
    }
}
