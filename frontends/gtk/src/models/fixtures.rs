//! Test fixtures shared by the view-model tests: groups and contacts.

use wink_ports::{ContactId, ContactRecord, GroupId, GroupRecord, MediaKind};

/// A group `id` named `name`, unfolded.
pub(crate) fn group(id: &str, name: &str) -> GroupRecord {
    GroupRecord {
        id: GroupId::new(id).unwrap(),
        name: name.into(),
        position: 0,
        collapsed: false,
    }
}

/// A contact `id` named `name` in group `group`, with one address (none when empty).
pub(crate) fn contact(id: &str, name: &str, group: &str, address: &str) -> ContactRecord {
    ContactRecord {
        id: ContactId::new(id).unwrap(),
        name: name.into(),
        sip_addresses: if address.is_empty() {
            vec![]
        } else {
            vec![address.into()]
        },
        phone_numbers: vec![],
        aliases: vec![],
        preferred_media: MediaKind::Audio,
        icon: None,
        group: GroupId::new(group).unwrap(),
        position: 0,
        favorite: false,
    }
}
