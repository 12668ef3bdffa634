//! The contact list as the window shows it: one flat list of rows (group headers and
//! contacts, collapsed groups folded away) or, while something is typed in the search
//! bar, the best matches with the typed text itself first when it can be dialed.
//!
//! Plain Rust over the domain's [`ContactList`] (its search index makes a keystroke cost
//! one scan); the GObject list model only hands these rows to `GtkListView`, which creates
//! widgets for the visible ones alone, so 100,000 contacts stay smooth.

use std::collections::{HashMap, HashSet};

use wink_domain::ContactList;
use wink_ports::{ContactId, ContactRecord, GroupId, GroupRecord, contact_search};

/// How many matches the search shows (a person reads the first screenful).
pub(crate) const SEARCH_LIMIT: usize = 200;

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Row {
    /// A group header: its index in the groups, how many contacts, folded or not.
    Group {
        /// Index into [`ContactRows::groups`].
        group: usize,
        /// Contacts in it.
        count: usize,
        /// Folded.
        collapsed: bool,
    },
    /// A contact: its index in [`ContactRows::contacts`].
    Contact(usize),
    /// The typed text, to call as it is (an address or a number).
    Typed(String),
}

/// The list's state: contacts, which groups are folded, what is typed.
#[derive(Debug, Default)]
pub(crate) struct ContactRows {
    list: ContactList,
    by_id: HashMap<ContactId, usize>,
    collapsed: HashSet<GroupId>,
    query: String,
    rows: Vec<Row>,
}

impl ContactRows {
    /// Rows over stored groups and contacts (folded groups as stored).
    pub(crate) fn new(groups: Vec<GroupRecord>, contacts: Vec<ContactRecord>) -> Self {
        let collapsed = groups
            .iter()
            .filter(|g| g.collapsed)
            .map(|g| g.id.clone())
            .collect();
        let mut rows = Self {
            list: ContactList::from_records(groups, contacts),
            collapsed,
            ..Self::default()
        };
        rows.by_id = rows
            .list
            .contacts()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        rows.rebuild();
        rows
    }

    /// The rows, top to bottom.
    pub(crate) fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The list with its rules (for the contact editor).
    pub(crate) fn list(&self) -> &ContactList {
        &self.list
    }

    /// The groups, in order.
    pub(crate) fn groups(&self) -> &[GroupRecord] {
        self.list.groups()
    }

    /// The contacts, grouped and in order.
    pub(crate) fn contacts(&self) -> &[ContactRecord] {
        self.list.contacts()
    }

    /// What is typed.
    pub(crate) fn query(&self) -> &str {
        &self.query
    }

    /// Sets the typed text and recomputes the rows.
    pub(crate) fn set_query(&mut self, query: &str) {
        if self.query != query {
            query.clone_into(&mut self.query);
            self.rebuild();
        }
    }

    /// Folds or unfolds a group; `false` if there is no such group.
    pub(crate) fn set_collapsed(&mut self, group: &GroupId, collapsed: bool) -> bool {
        if !self.list.groups().iter().any(|g| &g.id == group) {
            return false;
        }
        if collapsed {
            self.collapsed.insert(group.clone());
        } else {
            self.collapsed.remove(group);
        }
        self.rebuild();
        true
    }

    /// What Enter in the search bar calls: the typed text when it is an address or a phone
    /// number or nothing matches it, else the best match's first address or number.
    pub(crate) fn enter_target(&self) -> Option<String> {
        let typed = self.query.trim();
        if typed.is_empty() {
            return None;
        }
        if is_dialable(typed) {
            return Some(typed.to_owned());
        }
        let best = self.rows.iter().find_map(|row| match row {
            Row::Contact(index) => self.list.contacts().get(*index),
            _ => None,
        });
        match best {
            Some(contact) => contact_target(contact),
            None => Some(typed.to_owned()),
        }
    }

    fn rebuild(&mut self) {
        let query = self.query.trim();
        self.rows = if query.is_empty() {
            self.grouped_rows()
        } else {
            self.search_rows(query)
        };
    }

    fn grouped_rows(&self) -> Vec<Row> {
        let contacts = self.list.contacts();
        let mut rows = Vec::with_capacity(contacts.len() + self.list.groups().len());
        // Contacts are kept sorted by group, so each group is one run.
        let mut start = 0;
        for (index, group) in self.list.groups().iter().enumerate() {
            let count = contacts[start..]
                .iter()
                .take_while(|c| c.group == group.id)
                .count();
            let collapsed = self.collapsed.contains(&group.id);
            rows.push(Row::Group {
                group: index,
                count,
                collapsed,
            });
            if !collapsed {
                rows.extend((start..start + count).map(Row::Contact));
            }
            start += count;
        }
        rows
    }

    fn search_rows(&self, query: &str) -> Vec<Row> {
        let mut rows = Vec::with_capacity(SEARCH_LIMIT + 1);
        if is_dialable(query) {
            rows.push(Row::Typed(query.to_owned()));
        }
        rows.extend(
            self.list
                .search(query, SEARCH_LIMIT)
                .iter()
                .filter_map(|hit| self.by_id.get(&hit.contact.id))
                .map(|&index| Row::Contact(index)),
        );
        rows
    }
}

/// Whether typed text is something to call as it is: a SIP address or a phone number
/// (the one number rule of `wink_ports::contact_search`).
pub(crate) fn is_dialable(typed: &str) -> bool {
    typed.contains('@')
        || typed.starts_with("sip:")
        || typed.starts_with("sips:")
        || typed.starts_with("tel:")
        || contact_search::looks_like_number(typed)
}

/// What calling a contact dials: its first SIP address, else its first number.
pub(crate) fn contact_target(contact: &ContactRecord) -> Option<String> {
    contact
        .sip_addresses
        .first()
        .or_else(|| contact.phone_numbers.first())
        .cloned()
}

#[cfg(test)]
mod tests {
    use wink_ports::MediaKind;

    use super::*;

    fn group(id: &str, name: &str) -> GroupRecord {
        GroupRecord {
            id: GroupId::new(id).unwrap(),
            name: name.into(),
            position: 0,
            collapsed: false,
        }
    }

    fn contact(id: &str, name: &str, group: &str, address: &str) -> ContactRecord {
        ContactRecord {
            id: ContactId::new(id).unwrap(),
            name: name.into(),
            sip_addresses: vec![address.into()],
            phone_numbers: vec![],
            aliases: vec![],
            preferred_media: MediaKind::Audio,
            icon: None,
            group: GroupId::new(group).unwrap(),
            position: 0,
            favorite: false,
        }
    }

    fn sample() -> ContactRows {
        let mut work = group("work", "Work");
        work.position = 1;
        let mut ann = contact("ann", "Ann Lee", "friends", "ann@example.com");
        ann.phone_numbers = vec!["+44 20 7946 0001".into()];
        ContactRows::new(
            vec![work, group("friends", "Friends")],
            vec![
                contact("bob", "Bob", "work", "bob@example.com"),
                ann,
                contact("carl", "Carl", "work", "carl@example.com"),
            ],
        )
    }

    fn names(rows: &ContactRows) -> Vec<String> {
        rows.rows()
            .iter()
            .map(|row| match row {
                Row::Group { group, count, .. } => {
                    format!("[{} {count}]", rows.groups()[*group].name)
                }
                Row::Contact(i) => rows.contacts()[*i].name.clone(),
                Row::Typed(text) => format!("call {text}"),
            })
            .collect()
    }

    #[test]
    fn groups_come_in_order_with_their_contacts_and_fold() {
        let mut rows = sample();
        assert_eq!(
            names(&rows),
            ["[Friends 1]", "Ann Lee", "[Work 2]", "Bob", "Carl"]
        );
        assert!(rows.set_collapsed(&GroupId::new("work").unwrap(), true));
        assert_eq!(names(&rows), ["[Friends 1]", "Ann Lee", "[Work 2]"]);
        assert!(!rows.set_collapsed(&GroupId::new("nope").unwrap(), true));
        rows.set_collapsed(&GroupId::new("work").unwrap(), false);
        assert_eq!(rows.rows().len(), 5);
    }

    #[test]
    fn typing_finds_contacts_and_offers_an_address_or_number_as_typed() {
        let mut rows = sample();
        rows.set_query("ann");
        assert_eq!(names(&rows), ["Ann Lee"]);
        assert_eq!(rows.enter_target().as_deref(), Some("ann@example.com"));
        rows.set_query("0044 20 7946");
        assert_eq!(names(&rows), ["call 0044 20 7946", "Ann Lee"]);
        assert_eq!(rows.enter_target().as_deref(), Some("0044 20 7946"));
        rows.set_query("dave@example.org");
        assert_eq!(names(&rows), ["call dave@example.org"]);
        assert_eq!(rows.enter_target().as_deref(), Some("dave@example.org"));
        rows.set_query("zed");
        assert!(rows.rows().is_empty());
        assert_eq!(rows.enter_target().as_deref(), Some("zed"));
        rows.set_query("  ");
        assert_eq!(rows.rows().len(), 5);
        assert_eq!(rows.enter_target(), None);
    }

    #[test]
    fn a_folded_group_still_finds_its_contacts() {
        let mut rows = sample();
        rows.set_collapsed(&GroupId::new("work").unwrap(), true);
        rows.set_query("carl");
        assert_eq!(names(&rows), ["Carl"]);
    }

    #[test]
    fn a_hundred_thousand_contacts_search_within_the_limit() {
        let contacts: Vec<_> = (0..100_000)
            .map(|i| {
                contact(
                    &format!("c{i}"),
                    &format!("Person {i}"),
                    "friends",
                    &format!("p{i}@example.com"),
                )
            })
            .collect();
        let mut rows = ContactRows::new(vec![group("friends", "Friends")], contacts);
        assert_eq!(rows.rows().len(), 100_001);
        rows.set_query("person 4");
        assert_eq!(rows.rows().len(), SEARCH_LIMIT);
        rows.set_query("p99999@");
        assert_eq!(rows.rows()[0], Row::Typed("p99999@".into()));
        assert_eq!(rows.rows().len(), 2);
    }
}
