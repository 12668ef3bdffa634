//! Drag and drop in the contact list: a contact dropped on a group goes to its end, on
//! Favorites becomes a favorite, on a contact goes before it (in that contact's group); a
//! group dropped on a group (or on one of its contacts) takes that group's place. What is dragged travels as text
//! (`contact:ID`, `group:ID`).

use wink_domain::ContactList;
use wink_ports::{ContactId, GroupId};

use super::contact_rows::FAVORITES;

/// One end of a drag: a contact row or a group header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowRef {
    /// A contact.
    Contact(ContactId),
    /// A group header.
    Group(GroupId),
}

impl RowRef {
    /// The text a drag carries.
    pub(crate) fn encode(&self) -> String {
        match self {
            RowRef::Contact(id) => format!("contact:{id}"),
            RowRef::Group(id) => format!("group:{id}"),
        }
    }

    /// The row a dragged text names; `None` for anything else (text from another app).
    pub(crate) fn decode(text: &str) -> Option<Self> {
        match text.split_once(':')? {
            ("contact", id) => ContactId::new(id).ok().map(RowRef::Contact),
            ("group", id) => GroupId::new(id).ok().map(RowRef::Group),
            _ => None,
        }
    }
}

/// Applies a drop of `dragged` on `target` to `list`.
///
/// # Errors
/// A sentence when a row is not there any more.
pub(crate) fn apply_drop(
    list: &mut ContactList,
    dragged: &RowRef,
    target: &RowRef,
) -> Result<(), String> {
    let gone = || "That contact or group is not there any more.".to_owned();
    let sentence = |e: wink_domain::ContactError| crate::sentence::sentence(&e.to_string());
    match (dragged, target) {
        (RowRef::Contact(id), RowRef::Group(group)) if group.as_str() == FAVORITES => {
            list.set_favorite(id, true).map_err(sentence)
        }
        (RowRef::Contact(id), RowRef::Group(group)) => {
            list.move_contact(id, group, None).map_err(sentence)
        }
        (RowRef::Contact(id), RowRef::Contact(before)) => {
            if id == before {
                return Ok(());
            }
            let target = list.contact(before).ok_or_else(gone)?;
            let group = target.group.clone();
            let position = list.contacts_in(&group).position(|c| &c.id == before);
            list.move_contact(id, &group, position).map_err(sentence)
        }
        (RowRef::Group(id), _) if id.as_str() == FAVORITES => Ok(()),
        (RowRef::Group(id), RowRef::Group(group)) if group.as_str() == FAVORITES => {
            // Favorites stay first: a group dropped there goes to the top.
            list.move_group(id, 0).map_err(sentence)
        }
        (RowRef::Group(id), target) => {
            let group = match target {
                RowRef::Group(group) => group.clone(),
                RowRef::Contact(contact) => list.contact(contact).ok_or_else(gone)?.group.clone(),
            };
            let position = list
                .groups()
                .iter()
                .position(|g| g.id == group)
                .ok_or_else(gone)?;
            list.move_group(id, position).map_err(sentence)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::fixtures;

    fn list() -> ContactList {
        let mut list = ContactList::default();
        let work = list.add_group("Work").unwrap();
        let home = list.add_group("Home").unwrap();
        for (id, name, group) in [("1", "Ann", &work), ("2", "Bob", &work), ("3", "Cy", &home)] {
            list.add_contact(fixtures::contact(id, name, group.as_str(), ""))
                .unwrap();
        }
        list
    }

    fn names(list: &ContactList, group: &str) -> Vec<String> {
        let group = list.group_named(group).unwrap().id.clone();
        list.contacts_in(&group).map(|c| c.name.clone()).collect()
    }

    fn contact(id: &str) -> RowRef {
        RowRef::Contact(ContactId::new(id).unwrap())
    }

    #[test]
    fn a_dragged_row_travels_as_text_and_foreign_text_is_ignored() {
        let row = contact("42");
        assert_eq!(RowRef::decode(&row.encode()), Some(row));
        assert_eq!(RowRef::decode("https://example.com"), None);
        assert_eq!(RowRef::decode("plain text"), None);
    }

    #[test]
    fn a_contact_moves_to_a_group_or_before_another_contact() {
        let mut list = list();
        let home = RowRef::Group(list.group_named("Home").unwrap().id.clone());
        apply_drop(&mut list, &contact("1"), &home).unwrap();
        assert_eq!(names(&list, "Home"), ["Cy", "Ann"]);
        assert_eq!(names(&list, "Work"), ["Bob"]);
        apply_drop(&mut list, &contact("2"), &contact("3")).unwrap();
        assert_eq!(names(&list, "Home"), ["Bob", "Cy", "Ann"]);
        apply_drop(&mut list, &contact("2"), &contact("2")).unwrap();
        assert_eq!(names(&list, "Home"), ["Bob", "Cy", "Ann"]);
    }

    #[test]
    fn a_group_takes_the_place_of_the_group_it_is_dropped_on() {
        let mut list = list();
        let work = RowRef::Group(list.group_named("Work").unwrap().id.clone());
        let home = RowRef::Group(list.group_named("Home").unwrap().id.clone());
        apply_drop(&mut list, &home, &work).unwrap();
        let order: Vec<_> = list.groups().iter().map(|g| g.name.clone()).collect();
        assert_eq!(order, ["Home", "Work"]);
        apply_drop(&mut list, &home, &contact("1")).unwrap();
        let order: Vec<_> = list.groups().iter().map(|g| g.name.clone()).collect();
        assert_eq!(order, ["Work", "Home"]);
        assert!(apply_drop(&mut list, &contact("9"), &home).is_err());
        let favorites = RowRef::Group(GroupId::new(FAVORITES).unwrap());
        apply_drop(&mut list, &contact("3"), &favorites).unwrap();
        assert!(
            list.contact(&ContactId::new("3").unwrap())
                .unwrap()
                .favorite
        );
    }
}
