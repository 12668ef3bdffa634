//! `contacts add|list|remove|move|group ...`: contacts live in the settings file until the
//! storage adapter lands; every change goes through the domain's `ContactList` rules.

use anyhow::{Context as _, bail};
use wink_domain::ContactList;
use wink_ports::{ContactId, ContactRecord, GroupId};

use crate::cli::{ContactsCommand, GroupCommand};
use crate::context::Context;

const DEFAULT_GROUP: &str = "Contacts";
const SEARCH_LIMIT: usize = 50;

pub(super) fn run(context: &mut Context, command: ContactsCommand) -> anyhow::Result<()> {
    let stored = &context.settings.contacts;
    let mut list = ContactList::from_records(stored.groups.clone(), stored.contacts.clone());
    let changed = match command {
        ContactsCommand::Add {
            name,
            addresses,
            phones,
            aliases,
            group,
        } => {
            let group_name = group.as_deref().unwrap_or(DEFAULT_GROUP);
            let group = match list.group_named(group_name) {
                Some(g) => g.id.clone(),
                None => list.add_group(group_name)?,
            };
            let id = next_contact_id(&list);
            list.add_contact(ContactRecord {
                id: id.clone(),
                name,
                sip_addresses: addresses,
                phone_numbers: phones,
                aliases,
                preferred_media: Default::default(),
                icon: None,
                group,
                position: 0,
                favorite: false,
            })?;
            println!("added contact {id}");
            true
        }
        ContactsCommand::List { search } => {
            match search {
                Some(text) => print_search(&list, &text),
                None => print_groups(&list),
            }
            false
        }
        ContactsCommand::Remove { contact } => {
            let id = find_contact(&list, &contact)?;
            let removed = list.remove_contact(&id)?;
            println!("removed contact {} ({})", removed.name, removed.id);
            true
        }
        ContactsCommand::Move {
            contact,
            to,
            position,
        } => {
            let id = find_contact(&list, &contact)?;
            let group = find_group(&list, &to)?;
            list.move_contact(&id, &group, position)?;
            println!("moved contact {id} to {to}");
            true
        }
        ContactsCommand::Group(GroupCommand::Add { name }) => {
            list.add_group(&name)?;
            println!("added group {}", name.trim());
            true
        }
        ContactsCommand::Group(GroupCommand::Rename { name, new_name }) => {
            let group = find_group(&list, &name)?;
            list.rename_group(&group, &new_name)?;
            println!("renamed group {name} to {}", new_name.trim());
            true
        }
        ContactsCommand::Group(GroupCommand::Remove { name }) => {
            let group = find_group(&list, &name)?;
            list.remove_group(&group)?;
            println!("removed group {name}");
            true
        }
    };
    if changed {
        context.settings.contacts.groups = list.groups().to_vec();
        context.settings.contacts.contacts = list.contacts().to_vec();
        context.save()?;
    }
    Ok(())
}

fn next_contact_id(list: &ContactList) -> ContactId {
    let next = list
        .contacts()
        .iter()
        .filter_map(|c| c.id.as_str().parse::<u64>().ok())
        .max()
        .map_or(1, |n| n + 1);
    ContactId::new(next.to_string()).expect("a number is a valid id")
}

fn find_contact(list: &ContactList, wanted: &str) -> anyhow::Result<ContactId> {
    if let Some(contact) = ContactId::new(wanted).ok().and_then(|id| list.contact(&id)) {
        return Ok(contact.id.clone());
    }
    let matches: Vec<&ContactRecord> = list
        .contacts()
        .iter()
        .filter(|c| c.name.eq_ignore_ascii_case(wanted.trim()))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => bail!("there is no contact {wanted:?}"),
        many => bail!(
            "{} contacts are named {wanted:?}; use an id: {}",
            many.len(),
            many.iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn find_group(list: &ContactList, name: &str) -> anyhow::Result<GroupId> {
    list.group_named(name)
        .map(|g| g.id.clone())
        .with_context(|| format!("there is no group {name:?}"))
}

fn describe(contact: &ContactRecord) -> String {
    let mut parts: Vec<String> = contact.sip_addresses.clone();
    parts.extend(contact.phone_numbers.iter().cloned());
    parts.extend(contact.aliases.iter().map(|a| format!("alias {a}")));
    format!("{:>4}  {}  {}", contact.id, contact.name, parts.join(", "))
}

fn print_groups(list: &ContactList) {
    if list.groups().is_empty() {
        println!("no contacts; add one with 'contacts add NAME --address user@domain'");
    }
    for group in list.groups() {
        println!(
            "{}{}",
            group.name,
            if group.collapsed { " (collapsed)" } else { "" }
        );
        for contact in list.contacts_in(&group.id) {
            println!("{}", describe(contact));
        }
    }
}

fn print_search(list: &ContactList, text: &str) {
    let hits = list.search(text, SEARCH_LIMIT);
    if hits.is_empty() {
        println!("no contact matches {text:?}");
    }
    for hit in hits {
        println!("{}", describe(hit.contact));
    }
}
