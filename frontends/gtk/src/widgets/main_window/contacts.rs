//! The main window's contacts: adding, editing and deleting them (the editor and the
//! confirmation), after which the list shows the store's new state.

use adw::prelude::*;
use gtk::glib;
use gtk::subclass::prelude::*;
use wink_ports::ContactId;

use super::MainWindow;
use crate::models::contact_drop::{RowRef, apply_drop};
use crate::models::contact_form::ContactForm;
use crate::widgets::ContactEditor;

impl MainWindow {
    /// The editor for a new contact, with what the search bar holds when it is an address
    /// or a number.
    pub(super) fn add_contact(&self) {
        let typed = self.imp().contacts.query();
        let form = if crate::models::contact_rows::is_dialable(typed.trim()) {
            ContactForm::with_target(typed.trim())
        } else {
            ContactForm {
                name: typed.trim().to_owned(),
                ..ContactForm::default()
            }
        };
        self.open_editor(&form, None);
    }

    pub(super) fn edit_contact(&self, id: &str) {
        let (Some(form), Ok(id)) = (self.imp().contacts.form_for(id), ContactId::new(id)) else {
            return;
        };
        self.open_editor(&form, Some(id));
    }

    fn open_editor(&self, form: &ContactForm, editing: Option<ContactId>) {
        if self.core().phone().is_none() {
            self.show_problem("Add an account first: contacts are kept with Wink's history.");
            return;
        }
        let editor = ContactEditor::new(self, self.core(), form, editing);
        editor.connect_saved(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |stored| window.show_contacts(stored)
        ));
        editor.present();
    }

    /// Asks, then deletes the contact.
    pub(super) fn delete_contact(&self, id: &str) {
        let Some((name, _)) = self.imp().contacts.name_and_target(id) else {
            return;
        };
        let Ok(id) = ContactId::new(id) else {
            return;
        };
        let dialog = adw::MessageDialog::new(
            Some(self),
            Some(&format!("Delete {name}?")),
            Some("The contact is removed from your contact list. Your history with them stays."),
        );
        dialog.add_responses(&[("cancel", "Cancel"), ("delete", "Delete")]);
        dialog.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        dialog.connect_response(
            None,
            glib::clone!(
                #[weak(rename_to = window)]
                self,
                move |_, response| {
                    if response == "delete" {
                        window.remove_contact(id.clone());
                    }
                }
            ),
        );
        dialog.present();
    }

    fn remove_contact(&self, id: ContactId) {
        self.change_contacts(move |list| {
            list.remove_contact(&id)
                .map(|_| ())
                .map_err(|e| crate::sentence::sentence(&e.to_string()))
        });
    }

    /// Marks a contact as favorite, or no longer.
    pub(super) fn toggle_favorite(&self, id: &str) {
        let favorite = !self.imp().contacts.is_favorite(id);
        let Ok(id) = ContactId::new(id) else {
            return;
        };
        self.change_contacts(move |list| {
            list.set_favorite(&id, favorite)
                .map_err(|e| crate::sentence::sentence(&e.to_string()))
        });
    }

    /// A contact or group dropped on a row (texts of `RowRef`).
    pub(super) fn drop_on_row(&self, dragged: &str, target: &str) {
        let (Some(dragged), Some(target)) = (RowRef::decode(dragged), RowRef::decode(target))
        else {
            return;
        };
        self.change_contacts(move |list| apply_drop(list, &dragged, &target));
    }

    /// Changes the contact list through the core; the list shows the result, or the bar
    /// says why not.
    fn change_contacts(
        &self,
        change: impl FnOnce(&mut wink_domain::ContactList) -> Result<(), String> + Send + 'static,
    ) {
        let core = self.core();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                match core.change_contacts(change).await {
                    Ok(stored) => window.show_contacts(stored),
                    Err(error) => window.show_problem(&format!("{error:#}")),
                }
            }
        ));
    }
}
