//! Contacts in ordered groups, the special groups, and search-as-you-type.

mod search;

use serde::{Deserialize, Serialize};
use wink_ports::{
    ContactId, ContactRecord, GroupId, GroupRecord, SipUri, StorageError, StoragePort,
};

pub use search::SearchHit;

/// Why a contact-list change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContactError {
    /// No group with this id.
    #[error("there is no group {0}")]
    UnknownGroup(GroupId),
    /// No contact with this id.
    #[error("there is no contact {0}")]
    UnknownContact(ContactId),
    /// A group with this name exists.
    #[error("a group named {0:?} already exists")]
    DuplicateGroup(String),
    /// A contact with this id exists.
    #[error("a contact with id {0} already exists")]
    DuplicateContact(ContactId),
    /// A name is empty.
    #[error("the name must not be empty")]
    EmptyName,
    /// A SIP address that does not parse.
    #[error("{address:?} is not a valid SIP address: {reason}")]
    BadAddress {
        /// The address.
        address: String,
        /// Why.
        reason: String,
    },
    /// The group still holds contacts.
    #[error("the group {0:?} still has contacts; move or remove them first")]
    GroupNotEmpty(String),
}

/// Which special groups are shown (Preferences → Contacts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpecialGroups {
    /// Contacts marked as favorites.
    pub favorites: bool,
    /// Recent missed calls.
    pub missed_calls: bool,
    /// Clients found on the LAN by the Bonjour account.
    pub bonjour_neighbours: bool,
}

impl Default for SpecialGroups {
    fn default() -> Self {
        Self {
            favorites: true,
            missed_calls: true,
            bonjour_neighbours: false,
        }
    }
}

/// The contact list: groups in order, contacts in order within them.
#[derive(Debug, Clone, Default)]
pub struct ContactList {
    groups: Vec<GroupRecord>,
    contacts: Vec<ContactRecord>,
    index: search::SearchIndex,
}

/// Validates a SIP address as stored on a contact (`user@host`, `sip:` optional).
fn validate_address(address: &str) -> Result<String, ContactError> {
    let full = if address.starts_with("sip:") || address.starts_with("sips:") {
        address.to_owned()
    } else {
        format!("sip:{address}")
    };
    SipUri::parse(&full)
        .map(|uri| uri.address())
        .map_err(|e| ContactError::BadAddress {
            address: address.to_owned(),
            reason: e.to_string(),
        })
}

fn slug(name: &str) -> String {
    let slug: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if slug.is_empty() {
        "group".into()
    } else {
        slug
    }
}

impl ContactList {
    /// A list from stored records (positions are normalised).
    pub fn from_records(mut groups: Vec<GroupRecord>, mut contacts: Vec<ContactRecord>) -> Self {
        groups.sort_by_key(|g| g.position);
        contacts.sort_by_key(|c| c.position);
        let mut list = Self {
            groups,
            contacts,
            index: search::SearchIndex::default(),
        };
        list.renumber();
        list
    }

    /// The groups, in order.
    pub fn groups(&self) -> &[GroupRecord] {
        &self.groups
    }

    /// Every contact.
    pub fn contacts(&self) -> &[ContactRecord] {
        &self.contacts
    }

    /// The contacts of one group, in order.
    pub fn contacts_in<'a>(
        &'a self,
        group: &'a GroupId,
    ) -> impl Iterator<Item = &'a ContactRecord> + 'a {
        self.contacts.iter().filter(move |c| &c.group == group)
    }

    /// One contact.
    pub fn contact(&self, id: &ContactId) -> Option<&ContactRecord> {
        self.contacts.iter().find(|c| &c.id == id)
    }

    /// A group by name (case-insensitive).
    pub fn group_named(&self, name: &str) -> Option<&GroupRecord> {
        self.groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name.trim()))
    }

    fn group_index(&self, id: &GroupId) -> Result<usize, ContactError> {
        self.groups
            .iter()
            .position(|g| &g.id == id)
            .ok_or_else(|| ContactError::UnknownGroup(id.clone()))
    }

    fn contact_index(&self, id: &ContactId) -> Result<usize, ContactError> {
        self.contacts
            .iter()
            .position(|c| &c.id == id)
            .ok_or_else(|| ContactError::UnknownContact(id.clone()))
    }

    /// Adds a group at the end; returns its id.
    ///
    /// # Errors
    /// [`ContactError::EmptyName`], [`ContactError::DuplicateGroup`].
    pub fn add_group(&mut self, name: &str) -> Result<GroupId, ContactError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ContactError::EmptyName);
        }
        if self.group_named(name).is_some() {
            return Err(ContactError::DuplicateGroup(name.to_owned()));
        }
        let base = slug(name);
        let mut candidate = base.clone();
        let mut n = 1;
        while self.groups.iter().any(|g| g.id.as_str() == candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        let id = GroupId::new(candidate).map_err(|_| ContactError::EmptyName)?;
        self.groups.push(GroupRecord {
            id: id.clone(),
            name: name.to_owned(),
            position: 0,
            collapsed: false,
        });
        self.renumber();
        Ok(id)
    }

    /// Renames a group.
    ///
    /// # Errors
    /// [`ContactError::UnknownGroup`], [`ContactError::EmptyName`],
    /// [`ContactError::DuplicateGroup`].
    pub fn rename_group(&mut self, id: &GroupId, name: &str) -> Result<(), ContactError> {
        let index = self.group_index(id)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(ContactError::EmptyName);
        }
        if self.group_named(name).is_some_and(|g| &g.id != id) {
            return Err(ContactError::DuplicateGroup(name.to_owned()));
        }
        self.groups[index].name = name.to_owned();
        Ok(())
    }

    /// Removes an empty group.
    ///
    /// # Errors
    /// [`ContactError::UnknownGroup`], [`ContactError::GroupNotEmpty`].
    pub fn remove_group(&mut self, id: &GroupId) -> Result<GroupRecord, ContactError> {
        let index = self.group_index(id)?;
        if self.contacts.iter().any(|c| &c.group == id) {
            return Err(ContactError::GroupNotEmpty(self.groups[index].name.clone()));
        }
        let removed = self.groups.remove(index);
        self.renumber();
        Ok(removed)
    }

    /// Moves a group to `position` (clamped to the end).
    ///
    /// # Errors
    /// [`ContactError::UnknownGroup`].
    pub fn move_group(&mut self, id: &GroupId, position: usize) -> Result<(), ContactError> {
        let index = self.group_index(id)?;
        let group = self.groups.remove(index);
        self.groups.insert(position.min(self.groups.len()), group);
        self.renumber();
        Ok(())
    }

    /// Collapses or expands a group.
    ///
    /// # Errors
    /// [`ContactError::UnknownGroup`].
    pub fn set_collapsed(&mut self, id: &GroupId, collapsed: bool) -> Result<(), ContactError> {
        let index = self.group_index(id)?;
        self.groups[index].collapsed = collapsed;
        Ok(())
    }

    /// Adds a contact at the end of its group, validating its name and addresses.
    ///
    /// # Errors
    /// [`ContactError::EmptyName`], [`ContactError::BadAddress`],
    /// [`ContactError::UnknownGroup`], [`ContactError::DuplicateContact`].
    pub fn add_contact(&mut self, mut contact: ContactRecord) -> Result<(), ContactError> {
        contact.name = contact.name.trim().to_owned();
        if contact.name.is_empty() {
            return Err(ContactError::EmptyName);
        }
        self.group_index(&contact.group)?;
        if self.contact(&contact.id).is_some() {
            return Err(ContactError::DuplicateContact(contact.id));
        }
        contact.sip_addresses = contact
            .sip_addresses
            .iter()
            .map(|a| validate_address(a))
            .collect::<Result<_, _>>()?;
        self.contacts.push(contact);
        self.renumber();
        Ok(())
    }

    /// Replaces a contact with an edited copy (same id): the same checks as
    /// [`ContactList::add_contact`]; it keeps its place unless its group changed, then it
    /// goes to the end of the new group.
    ///
    /// # Errors
    /// [`ContactError::UnknownContact`], and those of [`ContactList::add_contact`].
    pub fn update_contact(&mut self, mut contact: ContactRecord) -> Result<(), ContactError> {
        let index = self.contact_index(&contact.id)?;
        contact.name = contact.name.trim().to_owned();
        if contact.name.is_empty() {
            return Err(ContactError::EmptyName);
        }
        self.group_index(&contact.group)?;
        contact.sip_addresses = contact
            .sip_addresses
            .iter()
            .map(|a| validate_address(a))
            .collect::<Result<_, _>>()?;
        if self.contacts[index].group == contact.group {
            self.contacts[index] = contact;
        } else {
            self.contacts.remove(index);
            self.contacts.push(contact);
        }
        self.renumber();
        Ok(())
    }

    /// A contact id not used yet (the next number).
    pub fn next_contact_id(&self) -> ContactId {
        let next = self
            .contacts
            .iter()
            .filter_map(|c| c.id.as_str().parse::<u64>().ok())
            .max()
            .map_or(1, |n| n + 1);
        ContactId::new(next.to_string()).unwrap_or_else(|_| unreachable!("a number is a valid id"))
    }

    /// Writes to `store` what differs between its records (`before`) and this list: new
    /// and changed groups first (contacts need them), then contacts, then removed
    /// contacts, then removed groups. Only what changed is written.
    ///
    /// # Errors
    /// The first [`StorageError`] of the store.
    pub async fn save_changes(
        &self,
        store: &dyn StoragePort,
        (groups, contacts): (&[GroupRecord], &[ContactRecord]),
    ) -> Result<(), StorageError> {
        for group in self.groups.iter().filter(|g| !groups.contains(g)) {
            store.save_group(group.clone()).await?;
        }
        for contact in self.contacts.iter().filter(|c| !contacts.contains(c)) {
            store.save_contact(contact.clone()).await?;
        }
        for gone in contacts.iter().filter(|c| self.contact(&c.id).is_none()) {
            store.delete_contact(&gone.id).await?;
        }
        for gone in groups
            .iter()
            .filter(|g| !self.groups.iter().any(|kept| kept.id == g.id))
        {
            store.delete_group(&gone.id).await?;
        }
        Ok(())
    }

    /// Removes a contact.
    ///
    /// # Errors
    /// [`ContactError::UnknownContact`].
    pub fn remove_contact(&mut self, id: &ContactId) -> Result<ContactRecord, ContactError> {
        let index = self.contact_index(id)?;
        let removed = self.contacts.remove(index);
        self.renumber();
        Ok(removed)
    }

    /// Moves a contact to another group (or within its own), at `position` or the end.
    ///
    /// # Errors
    /// [`ContactError::UnknownContact`], [`ContactError::UnknownGroup`].
    pub fn move_contact(
        &mut self,
        id: &ContactId,
        group: &GroupId,
        position: Option<usize>,
    ) -> Result<(), ContactError> {
        self.group_index(group)?;
        let index = self.contact_index(id)?;
        let mut contact = self.contacts.remove(index);
        contact.group = group.clone();
        // Insert before the contact currently at `position` in the target group.
        let insert_at = position
            .and_then(|p| {
                self.contacts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| &c.group == group)
                    .nth(p)
                    .map(|(i, _)| i)
            })
            .unwrap_or(self.contacts.len());
        self.contacts.insert(insert_at, contact);
        self.renumber();
        Ok(())
    }

    /// Marks a contact as favorite or not.
    ///
    /// # Errors
    /// [`ContactError::UnknownContact`].
    pub fn set_favorite(&mut self, id: &ContactId, favorite: bool) -> Result<(), ContactError> {
        let index = self.contact_index(id)?;
        self.contacts[index].favorite = favorite;
        self.index.rebuild(&self.contacts);
        Ok(())
    }

    /// The names of the groups to show, special groups first where enabled.
    pub fn visible_group_names(&self, special: SpecialGroups) -> Vec<String> {
        let mut names = Vec::new();
        if special.bonjour_neighbours {
            names.push("Bonjour Neighbours".to_owned());
        }
        if special.favorites {
            names.push("Favorites".to_owned());
        }
        if special.missed_calls {
            names.push("Missed Calls".to_owned());
        }
        names.extend(self.groups.iter().map(|g| g.name.clone()));
        names
    }

    /// Contacts marked as favorite, for the Favorites group.
    pub fn favorites(&self) -> impl Iterator<Item = &ContactRecord> {
        self.contacts.iter().filter(|c| c.favorite)
    }

    /// Search as you type over names, SIP addresses, phone numbers and aliases; best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit<'_>> {
        self.index.search(&self.contacts, query, limit)
    }

    /// Contacts are kept grouped and ordered; positions count from 0 within each group.
    fn renumber(&mut self) {
        for (position, group) in self.groups.iter_mut().enumerate() {
            group.position = u32::try_from(position).unwrap_or(u32::MAX);
        }
        let order: Vec<GroupId> = self.groups.iter().map(|g| g.id.clone()).collect();
        // Stable: within a group the vector's order is the contacts' order.
        self.contacts.sort_by_key(|c| {
            order
                .iter()
                .position(|g| g == &c.group)
                .unwrap_or(usize::MAX)
        });
        let mut counters: std::collections::HashMap<GroupId, u32> = Default::default();
        for contact in &mut self.contacts {
            let counter = counters.entry(contact.group.clone()).or_default();
            contact.position = *counter;
            *counter += 1;
        }
        self.index.rebuild(&self.contacts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn contact(id: &str, name: &str, group: &GroupId) -> ContactRecord {
        ContactRecord {
            id: ContactId::new(id).unwrap(),
            name: name.into(),
            sip_addresses: vec![],
            phone_numbers: vec![],
            aliases: vec![],
            preferred_media: Default::default(),
            icon: None,
            group: group.clone(),
            position: 0,
            favorite: false,
        }
    }

    fn names_in(list: &ContactList, group: &GroupId) -> Vec<String> {
        list.contacts_in(group).map(|c| c.name.clone()).collect()
    }

    #[test]
    fn groups_keep_their_order_and_move() {
        let mut list = ContactList::default();
        let work = list.add_group("Work").unwrap();
        let family = list.add_group("Family").unwrap();
        let friends = list.add_group("Friends").unwrap();
        assert_eq!(
            list.groups()
                .iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>(),
            ["Work", "Family", "Friends"]
        );
        list.move_group(&friends, 0).unwrap();
        assert_eq!(list.groups()[0].id, friends);
        assert_eq!(
            list.groups().iter().map(|g| g.position).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        list.set_collapsed(&work, true).unwrap();
        assert!(
            list.groups()
                .iter()
                .find(|g| g.id == work)
                .unwrap()
                .collapsed
        );
        list.rename_group(&family, "Home").unwrap();
        assert_eq!(list.group_named("home").unwrap().id, family);
        assert_eq!(
            list.add_group("work"),
            Err(ContactError::DuplicateGroup("work".into()))
        );
        assert_eq!(list.add_group("  "), Err(ContactError::EmptyName));
    }

    #[test]
    fn contacts_move_between_groups_in_order() {
        let mut list = ContactList::default();
        let a = list.add_group("A").unwrap();
        let b = list.add_group("B").unwrap();
        for (id, name) in [("1", "Ann"), ("2", "Bob"), ("3", "Cid")] {
            list.add_contact(contact(id, name, &a)).unwrap();
        }
        list.add_contact(contact("4", "Dee", &b)).unwrap();
        list.move_contact(&ContactId::new("2").unwrap(), &b, Some(0))
            .unwrap();
        assert_eq!(names_in(&list, &a), ["Ann", "Cid"]);
        assert_eq!(names_in(&list, &b), ["Bob", "Dee"]);
        list.move_contact(&ContactId::new("1").unwrap(), &b, None)
            .unwrap();
        assert_eq!(names_in(&list, &b), ["Bob", "Dee", "Ann"]);
        assert_eq!(
            list.contacts_in(&b).map(|c| c.position).collect::<Vec<_>>(),
            [0, 1, 2]
        );
    }

    #[test]
    fn refusals_keep_the_list_intact() {
        let mut list = ContactList::default();
        let a = list.add_group("A").unwrap();
        list.add_contact(contact("1", "Ann", &a)).unwrap();
        assert_eq!(
            list.remove_group(&a),
            Err(ContactError::GroupNotEmpty("A".into()))
        );
        assert_eq!(list.groups().len(), 1);
        let missing = GroupId::new("nope").unwrap();
        assert_eq!(
            list.move_contact(&ContactId::new("1").unwrap(), &missing, None),
            Err(ContactError::UnknownGroup(missing))
        );
        assert_eq!(
            list.contact(&ContactId::new("1").unwrap()).unwrap().group,
            a
        );
        let mut bad = contact("2", "Bad", &a);
        bad.sip_addresses = vec!["not an address".into()];
        assert!(matches!(
            list.add_contact(bad),
            Err(ContactError::BadAddress { .. })
        ));
        assert!(matches!(
            list.add_contact(contact("1", "Dup", &a)),
            Err(ContactError::DuplicateContact(_))
        ));
        list.remove_contact(&ContactId::new("1").unwrap()).unwrap();
        list.remove_group(&a).unwrap();
        assert!(list.groups().is_empty());
    }

    #[test]
    fn addresses_are_normalised() {
        let mut list = ContactList::default();
        let a = list.add_group("A").unwrap();
        let mut c = contact("1", "Ann", &a);
        c.sip_addresses = vec!["sip:Ann@Example.com".into(), "ann@other.org".into()];
        list.add_contact(c).unwrap();
        assert_eq!(
            list.contacts()[0].sip_addresses,
            ["Ann@example.com", "ann@other.org"]
        );
    }

    #[test]
    fn special_groups_can_be_turned_on_and_off() {
        let mut list = ContactList::default();
        list.add_group("Work").unwrap();
        let all = SpecialGroups {
            favorites: true,
            missed_calls: true,
            bonjour_neighbours: true,
        };
        assert_eq!(
            list.visible_group_names(all),
            ["Bonjour Neighbours", "Favorites", "Missed Calls", "Work"]
        );
        let none = SpecialGroups {
            favorites: false,
            missed_calls: false,
            bonjour_neighbours: false,
        };
        assert_eq!(list.visible_group_names(none), ["Work"]);
    }

    #[test]
    fn favorites_are_listed() {
        let mut list = ContactList::default();
        let a = list.add_group("A").unwrap();
        list.add_contact(contact("1", "Ann", &a)).unwrap();
        list.add_contact(contact("2", "Bob", &a)).unwrap();
        list.set_favorite(&ContactId::new("2").unwrap(), true)
            .unwrap();
        assert_eq!(
            list.favorites()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["Bob"]
        );
    }

    #[test]
    fn an_edited_contact_keeps_its_place_or_moves_to_the_end_of_its_new_group() {
        let mut list = ContactList::default();
        let work = list.add_group("Work").unwrap();
        let home = list.add_group("Home").unwrap();
        for (id, name, group) in [("1", "Ann", &work), ("2", "Bob", &work), ("3", "Cy", &home)] {
            list.add_contact(contact(id, name, group)).unwrap();
        }
        let mut ann = list.contact(&ContactId::new("1").unwrap()).unwrap().clone();
        ann.name = "  Ann Lee ".into();
        ann.sip_addresses = vec!["ann@example.com".into()];
        list.update_contact(ann.clone()).unwrap();
        let names: Vec<_> = list.contacts_in(&work).map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ann Lee", "Bob"]);
        assert_eq!(
            list.contact(&ann.id).unwrap().sip_addresses,
            ["ann@example.com"]
        );
        ann.group = home.clone();
        list.update_contact(ann.clone()).unwrap();
        let names: Vec<_> = list.contacts_in(&home).map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Cy", "Ann Lee"]);
        ann.name = " ".into();
        assert_eq!(
            list.update_contact(ann.clone()),
            Err(ContactError::EmptyName)
        );
        ann.id = ContactId::new("9").unwrap();
        ann.name = "Nobody".into();
        assert!(matches!(
            list.update_contact(ann),
            Err(ContactError::UnknownContact(_))
        ));
        assert_eq!(list.next_contact_id().as_str(), "4");
    }
}
