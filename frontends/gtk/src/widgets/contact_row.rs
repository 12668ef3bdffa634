//! One row of the contact list: a group header (fold arrow, name, count), a contact
//! (picture, name, address) or the typed text to call.

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

use crate::models::contact_item::{ContactItem, RowKind};

mod imp {
    use super::*;

    #[derive(Debug, Default, gtk::CompositeTemplate)]
    #[template(file = "contact_row.ui")]
    pub struct ContactRow {
        #[template_child]
        pub(super) expander: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) avatar: TemplateChild<adw::Avatar>,
        #[template_child]
        pub(super) title_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) subtitle_label: TemplateChild<gtk::Label>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ContactRow {
        const NAME: &'static str = "WkContactRow";
        type Type = super::ContactRow;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ContactRow {}
    impl WidgetImpl for ContactRow {}
    impl BoxImpl for ContactRow {}
}

glib::wrapper! {
    /// A row of the contact list.
    pub struct ContactRow(ObjectSubclass<imp::ContactRow>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for ContactRow {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ContactRow {
    /// Shows `item` (rows are recycled as the list scrolls).
    pub(crate) fn show(&self, item: &ContactItem) {
        let imp = self.imp();
        let kind = item.kind();
        imp.title_label.set_label(&item.title());
        imp.subtitle_label.set_label(&item.subtitle());
        imp.expander.set_visible(kind == RowKind::Group);
        imp.avatar.set_visible(kind != RowKind::Group);
        imp.expander.set_icon_name(Some(if item.collapsed() {
            "pan-end-symbolic"
        } else {
            "pan-down-symbolic"
        }));
        match kind {
            RowKind::Group => {
                imp.title_label.set_css_classes(&["heading"]);
                self.set_margin_start(0);
            }
            RowKind::Contact => {
                imp.title_label.set_css_classes(&[]);
                imp.avatar.set_text(Some(&item.title()));
                imp.avatar.set_icon_name(None);
                self.set_margin_start(12);
            }
            RowKind::Typed => {
                imp.title_label.set_css_classes(&[]);
                imp.avatar.set_text(None);
                imp.avatar.set_icon_name(Some("call-start-symbolic"));
                self.set_margin_start(0);
            }
        }
        // The list item around the row (recycled as the list scrolls) reads as the row.
        let name = match kind {
            RowKind::Group if item.collapsed() => {
                format!("Group {}, {}, folded", item.title(), item.subtitle())
            }
            RowKind::Group => format!("Group {}, {}", item.title(), item.subtitle()),
            RowKind::Contact | RowKind::Typed => format!("{}, {}", item.title(), item.subtitle()),
        };
        if let Some(list_item) = self.parent() {
            crate::a11y::set_label(&list_item, &name);
        }
    }
}
