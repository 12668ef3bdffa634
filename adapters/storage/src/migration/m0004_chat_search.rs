//! Full-text search over chat messages (SQLite FTS5, an external-content index kept in step
//! by triggers; existing messages are indexed once). A LIKE scan took 156 ms over 1,000,000
//! messages in `benches/store_scale.rs`.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// Adds the chat search index (SQLite only; other databases search without it).
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = super::external_fts5("chat_messages_fts", "chat_messages", "body", "");
        super::execute_on(manager, DbBackend::Sqlite, &statements).await
    }
}
