//! Contact search on SQLite without a full scan: an FTS5 index of `contacts.search_text`
//! with the trigram tokenizer (SQLite 3.34+), so any substring of three or more characters
//! is looked up, not scanned for (a LIKE scan took 10–19 ms over 100,000 contacts in
//! `benches/store_scale.rs`). Kept in step by triggers; existing contacts indexed once.
//! PostgreSQL has its trigram index from m0006.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// The index, its triggers, and the first fill.
const CREATE: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS contacts_fts USING fts5(\
        search_text, content='contacts', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS contacts_fts_insert AFTER INSERT ON contacts BEGIN \
        INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS contacts_fts_delete AFTER DELETE ON contacts BEGIN \
        INSERT INTO contacts_fts(contacts_fts, rowid, search_text) \
        VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS contacts_fts_update AFTER UPDATE OF search_text ON contacts \
        BEGIN INSERT INTO contacts_fts(contacts_fts, rowid, search_text) \
        VALUES ('delete', old.rowid, old.search_text); \
        INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')",
];

/// Adds the SQLite contact search index (nothing on other databases).
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        for statement in CREATE {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
