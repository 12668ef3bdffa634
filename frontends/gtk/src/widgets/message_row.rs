//! One line of a conversation: a bubble with the text (ours on the right, theirs on the
//! left), and under it the time and the delivery state; a failed line is red, says why,
//! and offers *Resend*.

use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;

use crate::actions::ChatAction;
use crate::models::conversations::{ChatLine, time_text};

mod imp {
    use super::*;

    #[derive(Debug, Default, gtk::CompositeTemplate)]
    #[template(file = "message_row.ui")]
    pub struct MessageRow {
        #[template_child]
        pub(super) bubble: TemplateChild<gtk::Box>,
        #[template_child]
        pub(super) body_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) meta: TemplateChild<gtk::Box>,
        #[template_child]
        pub(super) state_icon: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) meta_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) resend_button: TemplateChild<gtk::Button>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for MessageRow {
        const NAME: &'static str = "WkMessageRow";
        type Type = super::MessageRow;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for MessageRow {}
    impl WidgetImpl for MessageRow {}
    impl BoxImpl for MessageRow {}
}

glib::wrapper! {
    /// A line of a conversation.
    pub struct MessageRow(ObjectSubclass<imp::MessageRow>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl MessageRow {
    /// A row inside `holder` (the list's row, which takes the line's spoken name).
    pub(crate) fn new(holder: &gtk::ListBoxRow) -> Self {
        let row: Self = glib::Object::new();
        holder.set_child(Some(&row));
        holder.set_activatable(false);
        row
    }

    /// Shows `line` (its state changes as it is delivered).
    pub(crate) fn show(&self, address: &str, correspondent: &str, line: &ChatLine) {
        let imp = self.imp();
        let align = if line.incoming {
            gtk::Align::Start
        } else {
            gtk::Align::End
        };
        imp.bubble.set_halign(align);
        imp.meta.set_halign(align);
        imp.bubble.set_css_classes(&[
            "wk-bubble",
            if line.incoming {
                "wk-theirs"
            } else {
                "wk-ours"
            },
            if line.failed() {
                "wk-failed"
            } else {
                "wk-fine"
            },
        ]);
        imp.body_label.set_label(&line.body);
        let time = time_text(line.at);
        let state = line.state_text();
        let meta = if state.is_empty() {
            time.clone()
        } else {
            format!("{time} · {state}")
        };
        imp.meta_label.set_label(&meta);
        if line.failed() {
            imp.meta_label.set_css_classes(&["caption", "error"]);
        } else {
            imp.meta_label.set_css_classes(&["caption", "dim-label"]);
        }
        let icon = match line.state {
            _ if line.incoming => None,
            wink_ports::DeliveryState::Queued => Some("document-open-recent-symbolic"),
            wink_ports::DeliveryState::Delivered => Some("emblem-ok-symbolic"),
            wink_ports::DeliveryState::Failed => Some("dialog-error-symbolic"),
            _ => None,
        };
        imp.state_icon.set_visible(icon.is_some());
        imp.state_icon.set_icon_name(icon);
        // Red with the words beside it (a failure's icon came out black in the screenshot).
        if line.failed() {
            imp.state_icon.add_css_class("error");
        } else {
            imp.state_icon.remove_css_class("error");
        }
        imp.resend_button.set_visible(line.can_resend());
        if line.can_resend() {
            let parameter = (address.to_owned(), line.key.to_string()).to_variant();
            imp.resend_button.set_action_target_value(Some(&parameter));
            imp.resend_button
                .set_action_name(Some(ChatAction::ResendLine.name()));
            crate::a11y::set_label(
                &*imp.resend_button,
                &format!("Resend “{}”", short(&line.body)),
            );
        }
        if let Some(holder) = self.parent() {
            crate::a11y::set_label(&holder, &line.spoken(correspondent, &time));
        }
    }
}

/// The start of a line, for a button's name.
fn short(text: &str) -> String {
    let first: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(40)
        .collect();
    if first.chars().count() < text.chars().count() {
        format!("{first}…")
    } else {
        first
    }
}
