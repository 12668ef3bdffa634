//! Versioned schema migrations. Each migration is applied once, in order, and recorded in
//! `seaql_migrations`; opening an older store upgrades it in place, so a "no such column"
//! can never reach a user. Never edit a migration that shipped: add the next one.

mod m0001_initial;
mod m0002_meta;
mod m0003_missed_index;
mod m0004_chat_search;
mod m0005_postgres_search;
mod m0006_contact_search;
mod m0007_contact_trigrams;

pub(crate) use m0001_initial::{CallHistory, ChatMessages, ContactGroups, Contacts};
pub(crate) use m0002_meta::Meta;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Every migration, oldest first.
#[derive(Debug)]
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_meta::Migration),
            Box::new(m0003_missed_index::Migration),
            Box::new(m0004_chat_search::Migration),
            Box::new(m0005_postgres_search::Migration),
            Box::new(m0006_contact_search::Migration),
            Box::new(m0007_contact_trigrams::Migration),
        ]
    }
}
