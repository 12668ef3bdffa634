//! The contact editor's form: what was typed, turned into a change of the contact list
//! (add or edit), with each refusal as a sentence. Lists (addresses, numbers, aliases) are
//! typed with commas between the entries.

use std::path::PathBuf;

use wink_domain::{ContactError, ContactList};
use wink_ports::{ContactId, ContactRecord, MediaKind};

/// The group a contact goes to when none is typed.
pub(crate) const DEFAULT_GROUP: &str = "Contacts";

/// What a double click on the contact starts, in the order the editor lists them.
pub(crate) const MEDIA_CHOICES: [(MediaKind, &str); 3] = [
    (MediaKind::Audio, "Audio call"),
    (MediaKind::Chat, "Chat"),
    (MediaKind::Sms, "Short message"),
];

/// What the contact editor holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ContactForm {
    /// The name shown.
    pub(crate) name: String,
    /// SIP addresses, comma-separated.
    pub(crate) addresses: String,
    /// Phone numbers, comma-separated.
    pub(crate) numbers: String,
    /// Chat aliases, comma-separated.
    pub(crate) aliases: String,
    /// The group's name (made when it does not exist).
    pub(crate) group: String,
    /// What a double click starts.
    pub(crate) preferred: MediaKind,
    /// A favorite.
    pub(crate) favorite: bool,
    /// A picture file.
    pub(crate) icon: Option<PathBuf>,
}

impl ContactForm {
    /// The form for an existing contact in `list`.
    pub(crate) fn of(contact: &ContactRecord, list: &ContactList) -> Self {
        let group = list
            .groups()
            .iter()
            .find(|g| g.id == contact.group)
            .map(|g| g.name.clone())
            .unwrap_or_default();
        Self {
            name: contact.name.clone(),
            addresses: contact.sip_addresses.join(", "),
            numbers: contact.phone_numbers.join(", "),
            aliases: contact.aliases.join(", "),
            group,
            preferred: contact.preferred_media,
            favorite: contact.favorite,
            icon: contact.icon.clone(),
        }
    }

    /// A new contact with one address or number already typed (from the search bar).
    pub(crate) fn with_target(target: &str) -> Self {
        let mut form = Self::default();
        if crate::models::contact_rows::is_dialable(target) && !target.contains('@') {
            form.numbers = target.to_owned();
        } else {
            form.addresses = target.to_owned();
        }
        form
    }

    /// Adds the contact to `list` (`editing: None`) or replaces the one being edited;
    /// returns its id.
    ///
    /// # Errors
    /// A sentence saying what to correct.
    pub(crate) fn apply(
        &self,
        list: &mut ContactList,
        editing: Option<&ContactId>,
    ) -> Result<ContactId, String> {
        if self.name.trim().is_empty() {
            return Err("Give the contact a name.".into());
        }
        let addresses = split(&self.addresses);
        let numbers = split(&self.numbers);
        if addresses.is_empty() && numbers.is_empty() {
            return Err("Give the contact a SIP address or a phone number to call.".into());
        }
        let group_name = match self.group.trim() {
            "" => DEFAULT_GROUP,
            name => name,
        };
        let group = match list.group_named(group_name) {
            Some(group) => group.id.clone(),
            None => list.add_group(group_name).map_err(sentence)?,
        };
        let id = editing.cloned().unwrap_or_else(|| list.next_contact_id());
        let position = editing
            .and_then(|id| list.contact(id))
            .map_or(0, |c| c.position);
        let record = ContactRecord {
            id: id.clone(),
            name: self.name.clone(),
            sip_addresses: addresses,
            phone_numbers: numbers,
            aliases: split(&self.aliases),
            preferred_media: self.preferred,
            icon: self.icon.clone(),
            group,
            position,
            favorite: self.favorite,
        };
        match editing {
            Some(_) => list.update_contact(record),
            None => list.add_contact(record),
        }
        .map_err(sentence)?;
        Ok(id)
    }
}

/// `a, b,, c ` → `["a", "b", "c"]`.
fn split(text: &str) -> Vec<String> {
    text.split([',', '\n', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

fn sentence(error: ContactError) -> String {
    crate::sentence::sentence(&error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, addresses: &str) -> ContactForm {
        ContactForm {
            name: name.into(),
            addresses: addresses.into(),
            ..ContactForm::default()
        }
    }

    #[test]
    fn a_new_contact_goes_to_the_default_group_with_its_lists_split() {
        let mut list = ContactList::default();
        let mut ann = form("Ann Lee", "ann@example.com, sip:ann@work.example.org");
        ann.numbers = "+44 20 7946 0001 ,, 555".into();
        ann.aliases = "annie".into();
        let id = ann.apply(&mut list, None).unwrap();
        let stored = list.contact(&id).unwrap();
        assert_eq!(
            stored.sip_addresses,
            ["ann@example.com", "ann@work.example.org"]
        );
        assert_eq!(stored.phone_numbers, ["+44 20 7946 0001", "555"]);
        assert_eq!(stored.aliases, ["annie"]);
        assert_eq!(list.groups()[0].name, DEFAULT_GROUP);
        assert_eq!(
            ContactForm::of(stored, &list).addresses,
            "ann@example.com, ann@work.example.org"
        );
    }

    #[test]
    fn an_edit_changes_the_same_contact_and_can_make_a_group() {
        let mut list = ContactList::default();
        let id = form("Bob", "bob@example.com")
            .apply(&mut list, None)
            .unwrap();
        let mut edit = ContactForm::of(list.contact(&id).unwrap(), &list);
        edit.name = "Bob Marley".into();
        edit.group = "Music".into();
        edit.favorite = true;
        assert_eq!(edit.apply(&mut list, Some(&id)).unwrap(), id);
        assert_eq!(list.contacts().len(), 1);
        let bob = list.contact(&id).unwrap();
        assert_eq!((bob.name.as_str(), bob.favorite), ("Bob Marley", true));
        assert_eq!(list.group_named("Music").unwrap().id, bob.group);
    }

    #[test]
    fn refusals_say_what_to_correct() {
        let mut list = ContactList::default();
        assert_eq!(
            form(" ", "a@b.c").apply(&mut list, None).unwrap_err(),
            "Give the contact a name."
        );
        assert!(
            form("Ann", "")
                .apply(&mut list, None)
                .unwrap_err()
                .contains("SIP address or a phone number")
        );
        let bad = form("Ann", "not an address")
            .apply(&mut list, None)
            .unwrap_err();
        assert!(bad.ends_with('.'), "{bad}");
        assert!(list.contacts().is_empty());
    }

    #[test]
    fn a_typed_number_or_address_prefills_the_right_field() {
        assert_eq!(
            ContactForm::with_target("+44 20 7946").numbers,
            "+44 20 7946"
        );
        assert_eq!(
            ContactForm::with_target("dave@example.org").addresses,
            "dave@example.org"
        );
    }
}
