//! One account in the account selector: its address and registration state.

use std::cell::RefCell;

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

use super::account_status::AccountStatus;

mod imp {
    use super::*;

    #[derive(Debug, Default, glib::Properties)]
    #[properties(wrapper_type = super::AccountItem)]
    pub struct AccountItem {
        /// The account id (its address).
        #[property(get, construct_only)]
        id: RefCell<String>,
        /// What the selector shows for it.
        #[property(get, construct_only)]
        title: RefCell<String>,
        /// The registration state in words.
        #[property(get, set)]
        status_text: RefCell<String>,
        /// The style class that colours the state.
        #[property(get, set)]
        status_class: RefCell<String>,
        /// What a failure means and what to try; empty otherwise.
        #[property(get, set)]
        advice: RefCell<String>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for AccountItem {
        const NAME: &'static str = "WkAccountItem";
        type Type = super::AccountItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for AccountItem {}
}

glib::wrapper! {
    /// An account as the selector lists it.
    pub struct AccountItem(ObjectSubclass<imp::AccountItem>);
}

impl AccountItem {
    /// The account `id`, not registered yet.
    pub(crate) fn new(id: &str) -> Self {
        let item: Self = glib::Object::builder()
            .property("id", id)
            .property("title", id)
            .build();
        item.show(&AccountStatus::of(
            &wink_ports::RegistrationState::Unregistered,
        ));
        item
    }

    /// Shows a registration status (properties notify only when they change).
    pub(crate) fn show(&self, status: &AccountStatus) {
        // The text goes last: watchers of `status-text` read the class and advice with it.
        if self.status_class() != status.tone.css_class() {
            self.set_status_class(status.tone.css_class());
        }
        let advice = status.advice.clone().unwrap_or_default();
        if self.advice() != advice {
            self.set_advice(advice);
        }
        if self.status_text() != status.text {
            self.set_status_text(status.text.as_str());
        }
    }
}
