//! The contact list as the window shows it, in two views: the grouped rows (group headers
//! and contacts, folded groups left out) and, while something is typed in the search bar,
//! the results (the best matches, the typed text itself first when it can be dialed).
//!
//! Two views, not one list that is refilled: a keystroke changes only the results (at
//! most a few hundred rows), so `GtkListView` never digests 100,000 removed and re-added
//! rows per key; folding a group changes only the rows of that group. Plain Rust over the
//! domain's [`ContactList`] (its search index makes a keystroke cost one scan).

use std::collections::HashSet;

use wink_domain::{ContactList, SpecialGroups};
use wink_ports::{ContactRecord, GroupId, GroupRecord, contact_search};

/// How many matches the search shows (a person reads the first screenful).
pub(crate) const SEARCH_LIMIT: usize = 50;

/// The id under which the Favorites section folds (no group's id can look like it: group
/// ids are made of letters, digits and dashes).
pub(crate) const FAVORITES: &str = "@favorites";

/// The id under which the Missed Calls section folds.
pub(crate) const MISSED_CALLS: &str = "@missed-calls";

/// How many missed callers the Missed Calls section lists.
pub(crate) const MISSED_LIMIT: usize = 10;

/// A caller who was missed, newest first (one entry per address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MissedCaller {
    /// The caller's address.
    pub(crate) address: String,
    /// The name the call carried, if any.
    pub(crate) display: Option<String>,
    /// When the latest missed call came (Unix milliseconds).
    pub(crate) at_ms: i64,
    /// How many calls from them were missed.
    pub(crate) count: usize,
}

/// Missed callers from history records (newest first): one entry per address, at most
/// [`MISSED_LIMIT`].
pub(crate) fn missed_callers(records: &[wink_ports::HistoryRecord]) -> Vec<MissedCaller> {
    let mut callers: Vec<MissedCaller> = Vec::new();
    for record in records.iter().filter(|r| r.result.is_missed()) {
        if let Some(caller) = callers.iter_mut().find(|c| c.address == record.remote) {
            caller.count += 1;
        } else if callers.len() < MISSED_LIMIT {
            callers.push(MissedCaller {
                address: record.remote.clone(),
                display: record.remote_display.clone(),
                at_ms: record.started_at.0,
                count: 1,
            });
        }
    }
    callers
}

/// A headed section of the grouped view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    /// The contacts marked as favorites (a special group, first, when shown).
    Favorites,
    /// The latest missed calls, one row per caller (a special group, when shown).
    MissedCalls,
    /// A group: its index in [`ContactRows::groups`].
    Group(usize),
}

impl Section {
    /// How a member of the section is shown.
    fn member_row(self) -> fn(usize) -> Row {
        match self {
            Section::MissedCalls => Row::Missed,
            Section::Favorites | Section::Group(_) => Row::Contact,
        }
    }
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Row {
    /// A section header: which, how many contacts, folded or not.
    Group {
        /// The section.
        section: Section,
        /// Contacts in it.
        count: usize,
        /// Folded.
        collapsed: bool,
    },
    /// A contact: its index in [`ContactRows::contacts`].
    Contact(usize),
    /// A missed caller: its index in [`ContactRows::missed`].
    Missed(usize),
    /// The typed text, to call as it is (an address or a number).
    Typed(String),
}

/// Which rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum View {
    /// Groups and their contacts.
    #[default]
    Grouped,
    /// What the search found.
    Results,
}

/// A change of the grouped rows: at `position`, `removed` rows went and `added` came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Splice {
    /// Where.
    pub(crate) position: usize,
    /// Rows removed there.
    pub(crate) removed: usize,
    /// Rows added there.
    pub(crate) added: usize,
}

/// The list's state: contacts, which groups are folded, what is typed.
#[derive(Debug, Default)]
pub(crate) struct ContactRows {
    list: ContactList,
    collapsed: HashSet<GroupId>,
    special: SpecialGroups,
    missed: Vec<MissedCaller>,
    query: String,
    grouped: Vec<Row>,
    results: Vec<Row>,
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
        rows.grouped = rows.grouped_rows();
        rows
    }

    /// The rows of a view, top to bottom.
    pub(crate) fn rows(&self, view: View) -> &[Row] {
        match view {
            View::Grouped => &self.grouped,
            View::Results => &self.results,
        }
    }

    /// Whether something is typed (the results show instead of the groups).
    pub(crate) fn is_searching(&self) -> bool {
        !self.query.trim().is_empty()
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

    /// Sets the typed text and recomputes the results.
    pub(crate) fn set_query(&mut self, query: &str) {
        if self.query != query {
            query.clone_into(&mut self.query);
            let query = self.query.trim().to_owned();
            self.results = if query.is_empty() {
                Vec::new()
            } else {
                self.search_rows(&query)
            };
        }
    }

    /// The missed callers.
    pub(crate) fn missed(&self) -> &[MissedCaller] {
        &self.missed
    }

    /// The name of the contact with this address, if any.
    pub(crate) fn name_of(&self, address: &str) -> Option<&str> {
        let bare = address.strip_prefix("sip:").unwrap_or(address);
        self.list
            .contacts()
            .iter()
            .find(|c| c.sip_addresses.iter().any(|a| a == bare))
            .map(|c| c.name.as_str())
    }

    /// Replaces the missed callers (the Missed Calls section follows).
    pub(crate) fn set_missed(&mut self, missed: Vec<MissedCaller>) {
        self.missed = missed;
        self.grouped = self.grouped_rows();
    }

    /// Which special groups show (Favorites, Missed Calls).
    pub(crate) fn set_special(&mut self, special: SpecialGroups) {
        self.special = special;
        self.grouped = self.grouped_rows();
    }

    /// Folds or unfolds a section (a group's id, or [`FAVORITES`]); returns the change of
    /// the grouped rows (its header included), or `None` if there is no such section or
    /// nothing changes.
    pub(crate) fn set_collapsed(&mut self, key: &GroupId, collapsed: bool) -> Option<Splice> {
        let header = self.grouped.iter().position(
            |row| matches!(row, Row::Group { section, .. } if &self.section_key(*section) == key),
        )?;
        let Row::Group {
            section,
            collapsed: was,
            ..
        } = self.grouped[header]
        else {
            return None;
        };
        if was == collapsed {
            return None;
        }
        if collapsed {
            self.collapsed.insert(key.clone());
        } else {
            self.collapsed.remove(key);
        }
        let members = self.members(section);
        let count = members.len();
        self.grouped[header] = Row::Group {
            section,
            count,
            collapsed,
        };
        let (hidden, shown) = if collapsed { (count, 0) } else { (0, count) };
        let added = if collapsed { Vec::new() } else { members };
        let row = section.member_row();
        self.grouped
            .splice(header + 1..header + 1 + hidden, added.into_iter().map(row));
        Some(Splice {
            position: header,
            removed: 1 + hidden,
            added: 1 + shown,
        })
    }

    /// The id a section folds under.
    pub(crate) fn section_key(&self, section: Section) -> GroupId {
        match section {
            Section::Group(index) => self.list.groups()[index].id.clone(),
            Section::Favorites => {
                GroupId::new(FAVORITES).unwrap_or_else(|_| unreachable!("a valid constant id"))
            }
            Section::MissedCalls => {
                GroupId::new(MISSED_CALLS).unwrap_or_else(|_| unreachable!("a valid constant id"))
            }
        }
    }

    /// The contacts of a section, in order.
    fn members(&self, section: Section) -> Vec<usize> {
        let contacts = self.list.contacts();
        match section {
            Section::Favorites => (0..contacts.len())
                .filter(|&i| contacts[i].favorite)
                .collect(),
            Section::MissedCalls => (0..self.missed.len()).collect(),
            Section::Group(index) => {
                let id = &self.list.groups()[index].id;
                (0..contacts.len())
                    .filter(|&i| &contacts[i].group == id)
                    .collect()
            }
        }
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
        let best = self.results.iter().find_map(|row| match row {
            Row::Contact(index) => self.list.contacts().get(*index),
            _ => None,
        });
        match best {
            Some(contact) => contact_target(contact),
            None => Some(typed.to_owned()),
        }
    }

    fn grouped_rows(&self) -> Vec<Row> {
        let contacts = self.list.contacts();
        let mut rows = Vec::with_capacity(contacts.len() + self.list.groups().len() + 1);
        for (shown, section) in [
            (self.special.favorites, Section::Favorites),
            (self.special.missed_calls, Section::MissedCalls),
        ] {
            let members = self.members(section);
            if shown && !members.is_empty() {
                self.push_section(&mut rows, section, members.into_iter());
            }
        }
        // Contacts are kept sorted by group, so each group is one run.
        let mut start = 0;
        for (index, group) in self.list.groups().iter().enumerate() {
            let count = contacts[start..]
                .iter()
                .take_while(|c| c.group == group.id)
                .count();
            self.push_section(&mut rows, Section::Group(index), start..start + count);
            start += count;
        }
        rows
    }

    fn push_section(
        &self,
        rows: &mut Vec<Row>,
        section: Section,
        members: impl ExactSizeIterator<Item = usize>,
    ) {
        let collapsed = self.collapsed.contains(&self.section_key(section));
        rows.push(Row::Group {
            section,
            count: members.len(),
            collapsed,
        });
        if !collapsed {
            rows.extend(members.map(section.member_row()));
        }
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
                .map(|hit| Row::Contact(hit.index)),
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
    use crate::models::fixtures::{contact, group};

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

    /// What the window shows: the results while searching, else the groups.
    fn shown(rows: &ContactRows) -> &[Row] {
        rows.rows(if rows.is_searching() {
            View::Results
        } else {
            View::Grouped
        })
    }

    fn names(rows: &ContactRows) -> Vec<String> {
        shown(rows)
            .iter()
            .map(|row| match row {
                Row::Group {
                    section: Section::Group(group),
                    count,
                    ..
                } => format!("[{} {count}]", rows.groups()[*group].name),
                Row::Group {
                    section: Section::MissedCalls,
                    count,
                    ..
                } => format!("[Missed {count}]"),
                Row::Group { count, .. } => format!("[Favorites {count}]"),
                Row::Missed(i) => format!("missed {}", rows.missed()[*i].address),
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
        let work = GroupId::new("work").unwrap();
        // Folding Work: its header (row 2) and two contacts become the header alone.
        let splice = rows.set_collapsed(&work, true).unwrap();
        assert_eq!((splice.position, splice.removed, splice.added), (2, 3, 1));
        assert_eq!(names(&rows), ["[Friends 1]", "Ann Lee", "[Work 2]"]);
        assert_eq!(rows.set_collapsed(&work, true), None);
        assert_eq!(
            rows.set_collapsed(&GroupId::new("nope").unwrap(), true),
            None
        );
        let splice = rows.set_collapsed(&work, false).unwrap();
        assert_eq!((splice.position, splice.removed, splice.added), (2, 1, 3));
        assert_eq!(
            names(&rows),
            ["[Friends 1]", "Ann Lee", "[Work 2]", "Bob", "Carl"]
        );
        let friends = GroupId::new("friends").unwrap();
        rows.set_collapsed(&friends, true);
        assert_eq!(names(&rows), ["[Friends 1]", "[Work 2]", "Bob", "Carl"]);
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
        assert!(shown(&rows).is_empty());
        assert_eq!(rows.enter_target().as_deref(), Some("zed"));
        rows.set_query("  ");
        assert!(!rows.is_searching());
        assert_eq!(shown(&rows).len(), 5);
        assert!(rows.rows(View::Results).is_empty());
        assert_eq!(rows.enter_target(), None);
    }

    #[test]
    fn favorites_come_first_when_shown_and_fold_on_their_own() {
        let mut list = sample();
        let contacts: Vec<_> = list
            .contacts()
            .iter()
            .cloned()
            .map(|mut c| {
                c.favorite = c.name == "Carl";
                c
            })
            .collect();
        let groups = list.groups().to_vec();
        list = ContactRows::new(groups, contacts);
        assert_eq!(
            names(&list),
            [
                "[Favorites 1]",
                "Carl",
                "[Friends 1]",
                "Ann Lee",
                "[Work 2]",
                "Bob",
                "Carl"
            ]
        );
        let favorites = GroupId::new(FAVORITES).unwrap();
        let splice = list.set_collapsed(&favorites, true).unwrap();
        assert_eq!((splice.position, splice.removed, splice.added), (0, 2, 1));
        assert_eq!(names(&list)[..2], ["[Favorites 1]", "[Friends 1]"]);
        list.set_special(SpecialGroups {
            favorites: false,
            ..SpecialGroups::default()
        });
        assert_eq!(names(&list)[0], "[Friends 1]");
    }

    fn missed_record(remote: &str, at: i64) -> wink_ports::HistoryRecord {
        wink_ports::HistoryRecord {
            session: wink_ports::SessionId::new(format!("s{at}")).unwrap(),
            account: wink_ports::AccountId::new("me@example.com").unwrap(),
            direction: wink_ports::CallDirection::Incoming,
            remote: remote.into(),
            remote_display: None,
            media: vec![MediaKind::Audio],
            started_at: wink_ports::UnixMillis(at),
            answered_at: None,
            ended_at: wink_ports::UnixMillis(at + 1),
            result: wink_ports::CallResult::Missed,
            recording: None,
        }
    }

    #[test]
    fn missed_callers_show_once_each_newest_first_after_favorites() {
        let callers = missed_callers(&[
            missed_record("ann@example.com", 30),
            missed_record("zed@example.org", 20),
            missed_record("ann@example.com", 10),
        ]);
        assert_eq!(callers.len(), 2);
        assert_eq!(
            (
                callers[0].address.as_str(),
                callers[0].count,
                callers[0].at_ms
            ),
            ("ann@example.com", 2, 30)
        );
        let mut rows = sample();
        rows.set_missed(callers);
        assert_eq!(
            names(&rows)[..4],
            [
                "[Missed 2]",
                "missed ann@example.com",
                "missed zed@example.org",
                "[Friends 1]"
            ]
        );
        assert_eq!(rows.name_of("sip:ann@example.com"), Some("Ann Lee"));
        let missed = GroupId::new(MISSED_CALLS).unwrap();
        rows.set_collapsed(&missed, true).unwrap();
        assert_eq!(names(&rows)[..2], ["[Missed 2]", "[Friends 1]"]);
        rows.set_special(SpecialGroups {
            missed_calls: false,
            ..SpecialGroups::default()
        });
        assert_eq!(names(&rows)[0], "[Friends 1]");
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
        assert_eq!(rows.rows(View::Grouped).len(), 100_001);
        rows.set_query("person 4");
        assert_eq!(rows.rows(View::Results).len(), SEARCH_LIMIT);
        rows.set_query("p99999@");
        assert_eq!(rows.rows(View::Results)[0], Row::Typed("p99999@".into()));
        assert_eq!(rows.rows(View::Results).len(), 2);
        // Typing never touches the 100,001 grouped rows.
        assert_eq!(rows.rows(View::Grouped).len(), 100_001);
    }
}
