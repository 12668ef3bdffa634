//! One row of the contact list, made when `GtkListView` asks for it (only visible rows
//! exist as objects).

use std::cell::{Cell, RefCell};

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

use super::contact_rows::{ContactRows, Row, contact_target};

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, glib::Enum)]
#[enum_type(name = "WkContactRowKind")]
pub enum RowKind {
    /// A group header.
    #[default]
    Group,
    /// A contact.
    Contact,
    /// The typed text, to call as it is.
    Typed,
}

mod imp {
    use super::*;

    #[derive(Debug, Default, glib::Properties)]
    #[properties(wrapper_type = super::ContactItem)]
    pub struct ContactItem {
        /// Group, contact or typed text.
        #[property(get, construct_only, builder(RowKind::Group))]
        kind: Cell<RowKind>,
        /// The group's or contact's name, or "Call …".
        #[property(get, construct_only)]
        title: RefCell<String>,
        /// A contact's address or number; a group's contact count.
        #[property(get, construct_only)]
        subtitle: RefCell<String>,
        /// The group's id (of a header) or the contact's id.
        #[property(get, construct_only)]
        id: RefCell<String>,
        /// What calling this row dials (empty for a group).
        #[property(get, construct_only)]
        target: RefCell<String>,
        /// A folded group.
        #[property(get, construct_only)]
        collapsed: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ContactItem {
        const NAME: &'static str = "WkContactItem";
        type Type = super::ContactItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for ContactItem {}
}

glib::wrapper! {
    /// A row of the contact list.
    pub struct ContactItem(ObjectSubclass<imp::ContactItem>);
}

impl ContactItem {
    /// The object for `row` of `rows`.
    pub(crate) fn for_row(rows: &ContactRows, row: &Row) -> Self {
        let builder = glib::Object::builder::<Self>();
        match row {
            Row::Group {
                group,
                count,
                collapsed,
            } => {
                let group = &rows.groups()[*group];
                builder
                    .property("kind", RowKind::Group)
                    .property("title", group.name.as_str())
                    .property("subtitle", count_text(*count))
                    .property("id", group.id.as_str())
                    .property("collapsed", *collapsed)
            }
            Row::Contact(index) => {
                let contact = &rows.contacts()[*index];
                let target = contact_target(contact).unwrap_or_default();
                builder
                    .property("kind", RowKind::Contact)
                    .property("title", contact.name.as_str())
                    .property("subtitle", target.as_str())
                    .property("id", contact.id.as_str())
                    .property("target", target.as_str())
            }
            Row::Typed(text) => builder
                .property("kind", RowKind::Typed)
                .property("title", format!("Call {text}"))
                .property("subtitle", "Press Enter to call this address or number")
                .property("target", text.as_str()),
        }
        .build()
    }
}

fn count_text(count: usize) -> String {
    match count {
        0 => "empty".into(),
        1 => "1 contact".into(),
        n => format!("{n} contacts"),
    }
}
