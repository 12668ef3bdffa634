//! The first schema: call history, chat messages, file transfers, contacts and groups.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, boolean, integer, pk_auto, string, string_null, text, text_null,
};

/// Call history.
#[derive(DeriveIden)]
pub(crate) enum CallHistory {
    Table,
    Id,
    Session,
    Account,
    Direction,
    Remote,
    RemoteDisplay,
    Media,
    StartedAt,
    AnsweredAt,
    EndedAt,
    Result,
    Recording,
}

/// Chat and short messages.
#[derive(DeriveIden)]
pub(crate) enum ChatMessages {
    Table,
    Id,
    Session,
    Account,
    Direction,
    Remote,
    Sender,
    Body,
    ContentType,
    At,
    State,
}

#[derive(DeriveIden)]
enum FileTransfers {
    Table,
    Id,
    Session,
    Direction,
    Remote,
    Name,
    Size,
    Hash,
    Path,
    State,
    At,
}

/// Contact groups.
#[derive(DeriveIden)]
pub(crate) enum ContactGroups {
    Table,
    Id,
    Name,
    Position,
    Collapsed,
}

/// Contacts.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Contacts {
    Table,
    Id,
    Name,
    Addresses,
    Phones,
    Aliases,
    PreferredMedia,
    Icon,
    GroupId,
    Position,
    Favorite,
    /// Added by m0006.
    SearchText,
}

/// Creates the first schema.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CallHistory::Table)
                    .if_not_exists()
                    .col(pk_auto(CallHistory::Id))
                    .col(string(CallHistory::Session))
                    .col(string(CallHistory::Account))
                    .col(string(CallHistory::Direction))
                    .col(string(CallHistory::Remote))
                    .col(string_null(CallHistory::RemoteDisplay))
                    .col(string(CallHistory::Media))
                    .col(big_integer(CallHistory::StartedAt))
                    .col(big_integer_null(CallHistory::AnsweredAt))
                    .col(big_integer(CallHistory::EndedAt))
                    .col(string(CallHistory::Result))
                    .col(text_null(CallHistory::Recording))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("call_history_started_at")
                    .table(CallHistory::Table)
                    .col(CallHistory::StartedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChatMessages::Table)
                    .if_not_exists()
                    .col(string(ChatMessages::Id).primary_key())
                    .col(string_null(ChatMessages::Session))
                    .col(string(ChatMessages::Account))
                    .col(string(ChatMessages::Direction))
                    .col(string(ChatMessages::Remote))
                    .col(string(ChatMessages::Sender))
                    .col(text(ChatMessages::Body))
                    .col(string(ChatMessages::ContentType))
                    .col(big_integer(ChatMessages::At))
                    .col(string(ChatMessages::State))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("chat_messages_remote_at")
                    .table(ChatMessages::Table)
                    .col(ChatMessages::Remote)
                    .col(ChatMessages::At)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FileTransfers::Table)
                    .if_not_exists()
                    .col(string(FileTransfers::Id).primary_key())
                    .col(string_null(FileTransfers::Session))
                    .col(string(FileTransfers::Direction))
                    .col(string(FileTransfers::Remote))
                    .col(string(FileTransfers::Name))
                    .col(big_integer(FileTransfers::Size))
                    .col(string_null(FileTransfers::Hash))
                    .col(text(FileTransfers::Path))
                    .col(string(FileTransfers::State))
                    .col(big_integer(FileTransfers::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContactGroups::Table)
                    .if_not_exists()
                    .col(string(ContactGroups::Id).primary_key())
                    .col(string(ContactGroups::Name))
                    .col(integer(ContactGroups::Position))
                    .col(boolean(ContactGroups::Collapsed))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .if_not_exists()
                    .col(string(Contacts::Id).primary_key())
                    .col(string(Contacts::Name))
                    .col(text(Contacts::Addresses))
                    .col(text(Contacts::Phones))
                    .col(text(Contacts::Aliases))
                    .col(string_null(Contacts::PreferredMedia))
                    .col(text_null(Contacts::Icon))
                    .col(string(Contacts::GroupId))
                    .col(integer(Contacts::Position))
                    .col(boolean(Contacts::Favorite))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Contacts::Table, Contacts::GroupId)
                            .to(ContactGroups::Table, ContactGroups::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }
}
