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
mod m0008_unsent_index;

pub(crate) use m0001_initial::{CallHistory, ChatMessages, ContactGroups, Contacts};
pub(crate) use m0002_meta::Meta;

use sea_orm::{ConnectionTrait as _, DbBackend};
use sea_orm_migration::prelude::{DbErr, Iden, Index, SchemaManager};
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
            Box::new(m0008_unsent_index::Migration),
        ]
    }
}

/// An SQLite FTS5 index named `index` over `table.column` (external content: the index
/// keeps no copy of the text), kept in step by triggers, and filled with what the table
/// already holds. `tokenizer` is an FTS5 `tokenize` option, or empty for the default.
pub(crate) fn external_fts5(
    index: &str,
    table: &str,
    column: &str,
    tokenizer: &str,
) -> Vec<String> {
    let tokenize = if tokenizer.is_empty() {
        String::new()
    } else {
        format!(", tokenize='{tokenizer}'")
    };
    let remove = format!(
        "INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.rowid, old.{column});"
    );
    let add = format!("INSERT INTO {index}(rowid, {column}) VALUES (new.rowid, new.{column});");
    vec![
        format!(
            "CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5(\
             {column}, content='{table}', content_rowid='rowid'{tokenize})"
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} BEGIN {add} END"
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} BEGIN {remove} END"
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE OF {column} ON {table} \
             BEGIN {remove} {add} END"
        ),
        format!("INSERT INTO {index}({index}) VALUES ('rebuild')"),
    ]
}

/// Runs `statements` in order when the store is on `backend`; on any other database, nothing.
pub(crate) async fn execute_on(
    manager: &SchemaManager<'_>,
    backend: DbBackend,
    statements: &[impl AsRef<str>],
) -> Result<(), DbErr> {
    if manager.get_database_backend() != backend {
        return Ok(());
    }
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement.as_ref()).await?;
    }
    Ok(())
}

/// Creates index `name` on `table(columns)` unless it exists.
pub(crate) async fn create_index<T, C>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr>
where
    T: Iden + 'static,
    C: Iden + 'static,
{
    let mut index = Index::create();
    index.name(name).table(table).if_not_exists();
    for column in columns {
        index.col(column);
    }
    manager.create_index(index).await
}
