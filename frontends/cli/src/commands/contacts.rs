//! `contacts add|list|remove|move|group ...`: contacts live in the store (SQLite or the
//! database of `storage_url`); every change goes through the domain's `ContactList` rules
//! and only what changed is written back.

use anyhow::{Context as _, bail};
use wink_domain::ContactList;
use wink_ports::{ContactId, ContactRecord, GroupId, StoragePort};

use crate::cli::{ContactsCommand, GroupCommand};
use crate::context::Context;

const DEFAULT_GROUP: &str = "Contacts";
const SEARCH_LIMIT: usize = 50;

pub(super) async fn run(context: &Context, command: ContactsCommand) -> anyhow::Result<()> {
    let store = context.open_store().await?;
    let before_groups = store.groups().await.context("cannot read the groups")?;
    let before_contacts = store.contacts().await.context("cannot read the contacts")?;
    let mut list = ContactList::from_records(before_groups.clone(), before_contacts.clone());
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
            let id = list.next_contact_id();
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
                Some(text) => print_search(store.as_ref(), &text).await?,
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
        list.save_changes(store.as_ref(), (&before_groups, &before_contacts))
            .await
            .context("cannot save the contacts")?;
    }
    Ok(())
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

/// The store's search: a million contacts need not be loaded to find one.
async fn print_search(store: &dyn StoragePort, text: &str) -> anyhow::Result<()> {
    let hits = store
        .search_contacts(text, SEARCH_LIMIT)
        .await
        .context("cannot search the contacts")?;
    if hits.is_empty() {
        println!("no contact matches {text:?}");
    }
    for contact in &hits {
        println!("{}", describe(contact));
    }
    Ok(())
}
