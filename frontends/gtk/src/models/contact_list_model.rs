//! The contact list as a `gio::ListModel`: rows from [`ContactRows`], objects made on
//! demand, one `items-changed` per change.

use std::cell::RefCell;

use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};
use wink_ports::{ContactRecord, GroupId, GroupRecord};

use super::contact_form::ContactForm;
use super::contact_item::ContactItem;
use super::contact_rows::ContactRows;

mod imp {
    use super::*;

    #[derive(Debug, Default)]
    pub struct ContactListModel {
        pub(super) rows: RefCell<ContactRows>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ContactListModel {
        const NAME: &'static str = "WkContactListModel";
        type Type = super::ContactListModel;
        type Interfaces = (gio::ListModel,);
    }

    impl ObjectImpl for ContactListModel {}

    impl ListModelImpl for ContactListModel {
        fn item_type(&self) -> glib::Type {
            ContactItem::static_type()
        }

        fn n_items(&self) -> u32 {
            u32::try_from(self.rows.borrow().rows().len()).unwrap_or(u32::MAX)
        }

        fn item(&self, position: u32) -> Option<glib::Object> {
            let rows = self.rows.borrow();
            let row = rows.rows().get(usize::try_from(position).ok()?)?;
            Some(ContactItem::for_row(&rows, row).upcast())
        }
    }
}

glib::wrapper! {
    /// The rows of the contact list.
    pub struct ContactListModel(ObjectSubclass<imp::ContactListModel>)
        @implements gio::ListModel;
}

impl Default for ContactListModel {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ContactListModel {
    /// Replaces the contacts (after loading or an edit).
    pub(crate) fn set_contacts(&self, groups: Vec<GroupRecord>, contacts: Vec<ContactRecord>) {
        self.change(|rows| {
            let query = rows.query().to_owned();
            *rows = ContactRows::new(groups, contacts);
            rows.set_query(&query);
        });
    }

    /// Filters by what is typed in the search bar.
    pub(crate) fn set_query(&self, query: &str) {
        self.change(|rows| rows.set_query(query));
    }

    /// Folds or unfolds a group.
    pub(crate) fn set_collapsed(&self, group: &GroupId, collapsed: bool) {
        self.change(|rows| {
            rows.set_collapsed(group, collapsed);
        });
    }

    /// The editor's form for a contact.
    pub(crate) fn form_for(&self, id: &str) -> Option<ContactForm> {
        let rows = self.imp().rows.borrow();
        let id = wink_ports::ContactId::new(id).ok()?;
        let contact = rows.list().contact(&id)?;
        Some(ContactForm::of(contact, rows.list()))
    }

    /// A contact's name and what calling it dials.
    pub(crate) fn name_and_target(&self, id: &str) -> Option<(String, String)> {
        let rows = self.imp().rows.borrow();
        let id = wink_ports::ContactId::new(id).ok()?;
        let contact = rows.list().contact(&id)?;
        Some((
            contact.name.clone(),
            super::contact_rows::contact_target(contact).unwrap_or_default(),
        ))
    }

    /// What is typed in the search bar.
    pub(crate) fn query(&self) -> String {
        self.imp().rows.borrow().query().to_owned()
    }

    /// What Enter in the search bar calls.
    pub(crate) fn enter_target(&self) -> Option<String> {
        self.imp().rows.borrow().enter_target()
    }

    fn change(&self, change: impl FnOnce(&mut ContactRows)) {
        let (before, after) = {
            let mut rows = self.imp().rows.borrow_mut();
            let before = rows.rows().len();
            change(&mut rows);
            (before, rows.rows().len())
        };
        self.items_changed(
            0,
            u32::try_from(before).unwrap_or(u32::MAX),
            u32::try_from(after).unwrap_or(u32::MAX),
        );
    }
}
