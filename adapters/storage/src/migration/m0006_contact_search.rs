//! Contact search in the database: one lower-cased `search_text` per contact (name,
//! aliases, addresses, and the digits of each phone number, so "555 12" finds
//! "+1 (555) 123-4567"), filled for existing contacts here and kept by every save. On
//! PostgreSQL a trigram index lets `LIKE '%…%'` use it.

use sea_orm::{DbBackend, Statement};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::text;

use super::Contacts;

/// Adds and fills `contacts.search_text`.
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(text(Contacts::SearchText).default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, name, addresses, phones, aliases FROM contacts",
            ))
            .await?;
        for row in rows {
            let id: String = row.try_get("", "id")?;
            let list = |column: &str| -> Result<Vec<String>, DbErr> {
                serde_json::from_str(&row.try_get::<String>("", column)?)
                    .map_err(|e| DbErr::Custom(format!("contact {id}: {column}: {e}")))
            };
            let search = wink_ports::contact_search::haystack(
                &row.try_get::<String>("", "name")?,
                &list("aliases")?,
                &list("addresses")?,
                &list("phones")?,
            );
            let update = Query::update()
                .table(Contacts::Table)
                .value(Contacts::SearchText, search)
                .and_where(Expr::col(Contacts::Id).eq(id.as_str()))
                .to_owned();
            db.execute(&update).await?;
        }
        if backend == DbBackend::Postgres {
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await?;
            db.execute_unprepared(
                "CREATE INDEX IF NOT EXISTS contacts_search_text ON contacts \
                 USING GIN (search_text gin_trgm_ops)",
            )
            .await?;
        }
        Ok(())
    }
}
