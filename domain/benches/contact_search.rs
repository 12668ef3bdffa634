//! Search-as-you-type over 100,000 generated contacts (`make bench`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use wink_domain::ContactList;
use wink_ports::{ContactId, ContactRecord, GroupId, GroupRecord};

const CONTACTS: usize = 100_000;
const FIRST: [&str; 16] = [
    "Ann", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
    "Niaj", "Olivia", "Peggy", "Rupert", "Sybil",
];
const LAST: [&str; 8] = [
    "Smith", "Jones", "Taylor", "Brown", "Lee", "Walker", "Wright", "Green",
];

/// A deterministic address book: names, two addresses, a phone number, sometimes an alias.
fn address_book() -> ContactList {
    let (groups, contacts) = records();
    ContactList::from_records(groups, contacts)
}

/// The address book's groups and contacts.
fn records() -> (Vec<GroupRecord>, Vec<ContactRecord>) {
    let groups: Vec<GroupRecord> = (0..20)
        .map(|g| GroupRecord {
            id: GroupId::new(format!("g{g}")).unwrap(),
            name: format!("Group {g}"),
            position: g,
            collapsed: false,
        })
        .collect();
    let contacts = (0..CONTACTS)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            ContactRecord {
                id: ContactId::new(i.to_string()).unwrap(),
                name: format!("{first} {last} {i}"),
                sip_addresses: vec![format!(
                    "{}.{}{i}@example{}.com",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    i % 7
                )],
                phone_numbers: vec![format!(
                    "+44 20 {:04} {:04}",
                    i % 10_000,
                    (i * 7919) % 10_000
                )],
                aliases: if i % 5 == 0 {
                    vec![format!("{}{i}", first.to_lowercase())]
                } else {
                    vec![]
                },
                preferred_media: Default::default(),
                icon: None,
                group: groups[i % groups.len()].id.clone(),
                position: 0,
                favorite: i % 97 == 0,
            }
        })
        .collect();
    (groups, contacts)
}

/// Building the list and its search index, as after loading or an edit.
fn index(c: &mut Criterion) {
    let (groups, contacts) = records();
    c.bench_function("contact_list_100k/build", |b| {
        b.iter(|| ContactList::from_records(black_box(groups.clone()), black_box(contacts.clone())))
    });
}

fn search(c: &mut Criterion) {
    let list = address_book();
    let mut group = c.benchmark_group("contact_search_100k");
    for (label, query) in [
        ("one_letter", "a"),
        ("two_letters", "ol"),
        ("name_prefix", "gra"),
        ("full_name", "olivia wright 4242"),
        ("address", "sybil.green"),
        ("phone_digits", "0044 20 1234"),
        ("one_digit", "2"),
        ("two_digits", "20"),
        ("no_match", "zzzzzz"),
    ] {
        group.bench_function(label, |b| {
            b.iter(|| black_box(list.search(black_box(query), 50).len()))
        });
    }
    group.finish();
}

criterion_group!(benches, search, index);
criterion_main!(benches);
