//! Small facts about the user's store, by key (when the missed calls were last viewed).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string;

/// Key–value facts.
#[derive(DeriveIden)]
pub(crate) enum Meta {
    Table,
    Key,
    Value,
}

/// Adds the `meta` table.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Meta::Table)
                    .if_not_exists()
                    .col(string(Meta::Key).primary_key())
                    .col(string(Meta::Value))
                    .to_owned(),
            )
            .await
    }
}
