//! One row of the file transfers window: the file, the other party, a progress bar, the
//! speed and time left (or how it ended, in plain words), and the buttons that fit: Cancel
//! while it runs, Open and Show in Folder once the file is there.

use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;

use crate::actions::TransferAction;
use crate::models::transfers::TransferView;

mod imp {
    use super::*;

    #[derive(Debug, Default, gtk::CompositeTemplate)]
    #[template(file = "transfer_row.ui")]
    pub struct TransferRow {
        #[template_child]
        pub(super) icon: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) name_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) party_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) progress: TemplateChild<gtk::ProgressBar>,
        #[template_child]
        pub(super) status_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) cancel_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) open_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) folder_button: TemplateChild<gtk::Button>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for TransferRow {
        const NAME: &'static str = "WkTransferRow";
        type Type = super::TransferRow;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for TransferRow {}
    impl WidgetImpl for TransferRow {}
    impl BoxImpl for TransferRow {}
}

glib::wrapper! {
    /// A file transfer.
    pub struct TransferRow(ObjectSubclass<imp::TransferRow>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl TransferRow {
    /// A row inside `holder` (the list's row, which takes the transfer's spoken name).
    pub(crate) fn new(holder: &gtk::ListBoxRow) -> Self {
        let row: Self = glib::Object::new();
        holder.set_child(Some(&row));
        holder.set_activatable(false);
        row
    }

    /// Shows `transfer` as it is now.
    pub(crate) fn show(&self, transfer: &TransferView) {
        let imp = self.imp();
        let name = &transfer.name;
        imp.name_label.set_label(name);
        imp.party_label.set_label(&transfer.party_text());
        imp.progress.set_fraction(transfer.fraction());
        imp.status_label.set_label(&transfer.status_text());
        let class = if transfer.failed() {
            "error"
        } else {
            "dim-label"
        };
        imp.status_label
            .set_css_classes(&["caption", "numeric", class]);
        imp.icon.set_icon_name(Some(if transfer.failed() {
            "dialog-error-symbolic"
        } else if transfer.incoming {
            "folder-download-symbolic"
        } else {
            "document-send-symbolic"
        }));
        imp.progress
            .set_visible(transfer.is_running() || transfer.file().is_some());
        crate::a11y::set_label(&*imp.progress, &format!("Progress of {name}"));
        let session = transfer.session.as_str().to_variant();
        let buttons = [
            (
                &*imp.cancel_button,
                TransferAction::Cancel,
                transfer.is_running(),
                format!("Cancel {name}"),
            ),
            (
                &*imp.open_button,
                TransferAction::Open,
                transfer.file().is_some(),
                format!("Open {name}"),
            ),
            (
                &*imp.folder_button,
                TransferAction::ShowInFolder,
                transfer.file().is_some(),
                format!("Show {name} in Folder"),
            ),
        ];
        for (button, action, visible, label) in buttons {
            button.set_visible(visible);
            // The target first: an action name without its target warns.
            button.set_action_target_value(Some(&session));
            button.set_action_name(Some(action.name()));
            crate::a11y::set_label(button, &label);
        }
        if let Some(holder) = self.parent() {
            crate::a11y::set_label(&holder, &transfer.spoken());
        }
    }
}
