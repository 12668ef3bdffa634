//! Contact search on SQLite without a full scan: an FTS5 index of `contacts.search_text`
//! with the trigram tokenizer (SQLite 3.34+), so any substring of three or more characters
//! is looked up, not scanned for (a LIKE scan took 10–19 ms over 100,000 contacts in
//! `benches/store_scale.rs`). Kept in step by triggers; existing contacts indexed once.
//! PostgreSQL has its trigram index from m0006. (An index on `contacts(name, id)` to read
//! many matches in name order was tried and dropped: it made common queries 2–3× slower
//! on both databases, walking names in order with a table lookup each.)

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// Adds the SQLite contact search index (nothing on other databases).
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = super::external_fts5("contacts_fts", "contacts", "search_text", "trigram");
        super::execute_on(manager, DbBackend::Sqlite, &statements).await
    }
}
