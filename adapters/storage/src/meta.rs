//! Key–value facts in the `meta` table.

use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};

use crate::codes::query_error;
use crate::migration::Meta;

/// The key of the time the missed calls were last viewed (Unix ms).
pub(crate) const MISSED_VIEWED_AT: &str = "missed_viewed_at";

/// The key set when the settings file's contacts were imported (what was imported).
pub(crate) const CONTACTS_IMPORTED: &str = "contacts_imported";

/// The value stored under `key`.
///
/// # Errors
/// [`DbErr`] when the database fails.
pub(crate) async fn get_meta(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<String>, DbErr> {
    let select = Query::select()
        .column(Meta::Value)
        .from(Meta::Table)
        .and_where(Expr::col(Meta::Key).eq(key))
        .to_owned();
    db.query_one(&select)
        .await?
        .map(|row| row.try_get::<String>("", "value"))
        .transpose()
}

/// Stores `value` under `key`.
///
/// # Errors
/// [`DbErr`] when the database refuses the write.
pub(crate) async fn set_meta(
    db: &impl ConnectionTrait,
    key: &str,
    value: &str,
) -> Result<(), DbErr> {
    let upsert = Query::insert()
        .into_table(Meta::Table)
        .columns([Meta::Key, Meta::Value])
        .values([key.into(), value.into()])
        .map_err(query_error)?
        .on_conflict(
            OnConflict::column(Meta::Key)
                .update_column(Meta::Value)
                .to_owned(),
        )
        .to_owned();
    db.execute(&upsert).await?;
    Ok(())
}
