//! A small address book and what each query must find in it. Every implementation of
//! contact search (the SQL store on SQLite and PostgreSQL, the in-memory stores, the
//! domain's search-as-you-type) is tested against this one table, so they cannot drift
//! apart again: the store once took "089/123456" for text while the domain took it for a
//! number.

use crate::{ContactId, ContactRecord, GroupId, GroupRecord};

/// `(name, aliases, SIP addresses, phone numbers)` of each contact.
type Person = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const PEOPLE: &[Person] = &[
    (
        "Ann Lee",
        &["Annie"],
        &["ann@example.com"],
        &["+44 20 7946 0001"],
    ),
    ("Bernd Huber", &[], &["bernd@example.de"], &["089/123456"]),
    ("Carla Diaz", &[], &[], &["0044 20 7946 0002"]),
    ("Dan Roe", &[], &[], &["(555) 004-2187"]),
    ("Eve Stone", &["12abc"], &[], &[]),
    ("Meeting Room A1", &[], &["sip:4420@pbx.example.com"], &[]),
];

/// Each query and the names of the contacts it finds in [`address_book`], sorted.
pub const QUERIES: &[(&str, &[&str])] = &[
    ("+44 20 7946", &["Ann Lee", "Carla Diaz"]),
    ("0044 20", &["Ann Lee", "Carla Diaz", "Meeting Room A1"]),
    ("4420", &["Ann Lee", "Carla Diaz", "Meeting Room A1"]),
    ("7946-0002", &["Carla Diaz"]),
    ("089/123456", &["Bernd Huber"]),
    ("089 123456", &["Bernd Huber"]),
    ("089\u{a0}123456", &["Bernd Huber"]),
    ("(555) 004-2", &["Dan Roe"]),
    ("00", &["Ann Lee", "Carla Diaz", "Dan Roe"]),
    ("ann", &["Ann Lee"]),
    ("ANN\tLEE", &["Ann Lee"]),
    ("a1", &["Meeting Room A1"]),
    ("12ab", &["Eve Stone"]),
    ("example", &["Ann Lee", "Bernd Huber", "Meeting Room A1"]),
    (
        "e",
        &[
            "Ann Lee",
            "Bernd Huber",
            "Dan Roe",
            "Eve Stone",
            "Meeting Room A1",
        ],
    ),
    ("+", &[]),
    ("lee annie", &[]),
    ("   ", &[]),
];

/// The group that holds the [`address_book`].
pub fn group() -> GroupRecord {
    GroupRecord {
        id: GroupId::new("examples").expect("a constant id is valid"),
        name: "Examples".into(),
        position: 0,
        collapsed: false,
    }
}

/// The contacts the [`QUERIES`] search, in [`group`], with ids "1", "2", ….
pub fn address_book() -> Vec<ContactRecord> {
    let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
    PEOPLE
        .iter()
        .enumerate()
        .map(
            |(index, &(name, aliases, addresses, phones))| ContactRecord {
                id: ContactId::new((index + 1).to_string()).expect("a number is a valid id"),
                name: name.into(),
                sip_addresses: strings(addresses),
                phone_numbers: strings(phones),
                aliases: strings(aliases),
                preferred_media: Default::default(),
                icon: None,
                group: group().id,
                position: u32::try_from(index).unwrap_or(u32::MAX),
                favorite: false,
            },
        )
        .collect()
}
