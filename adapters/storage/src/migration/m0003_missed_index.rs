//! An index for the missed-call count and the missed-calls page: without it both scan the
//! whole history (183 ms over 1,000,000 rows in `benches/store_scale.rs`).

use sea_orm_migration::prelude::*;

use super::CallHistory;

/// Adds `call_history(result, started_at)`.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::create_index(
            manager,
            "call_history_result_started_at",
            CallHistory::Table,
            [CallHistory::Result, CallHistory::StartedAt],
        )
        .await
    }
}
