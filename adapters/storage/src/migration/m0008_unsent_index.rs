//! An index for finding what never got out (queued and failed messages) when an account
//! registers again: without it that is a scan of every message.

use sea_orm_migration::prelude::*;

use super::ChatMessages;

/// Adds `chat_messages(state, account, at)`.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::create_index(
            manager,
            "chat_messages_state_account_at",
            ChatMessages::Table,
            [ChatMessages::State, ChatMessages::Account, ChatMessages::At],
        )
        .await
    }
}
