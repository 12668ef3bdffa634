//! Contacts and their groups.

use sea_orm::sea_query::{Expr, ExprTrait as _, Iden, LikeExpr, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};
use wink_ports::{ContactId, ContactRecord, GroupId, GroupRecord, contact_search};

use crate::codes::{media_from, media_name, query_error};
use crate::migration::{ContactGroups, Contacts};
use crate::query_text::contains_pattern;

fn json(list: &[String]) -> Result<String, DbErr> {
    serde_json::to_string(list).map_err(query_error)
}

fn list(row: &QueryResult, column: &str) -> Result<Vec<String>, DbErr> {
    serde_json::from_str(&row.try_get::<String>("", column)?).map_err(query_error)
}

/// A list position as the `integer` column holds it (32 bits on PostgreSQL).
fn stored_position(position: u32) -> i32 {
    i32::try_from(position).unwrap_or(i32::MAX)
}

/// Inserts or replaces a group.
///
/// # Errors
/// [`DbErr`] when the database refuses the write.
pub async fn save_group(db: &impl ConnectionTrait, group: &GroupRecord) -> Result<(), DbErr> {
    let upsert = Query::insert()
        .into_table(ContactGroups::Table)
        .columns([
            ContactGroups::Id,
            ContactGroups::Name,
            ContactGroups::Position,
            ContactGroups::Collapsed,
        ])
        .values([
            group.id.as_str().into(),
            group.name.as_str().into(),
            stored_position(group.position).into(),
            group.collapsed.into(),
        ])
        .map_err(query_error)?
        .on_conflict(
            OnConflict::column(ContactGroups::Id)
                .update_columns([
                    ContactGroups::Name,
                    ContactGroups::Position,
                    ContactGroups::Collapsed,
                ])
                .to_owned(),
        )
        .to_owned();
    db.execute(&upsert).await?;
    Ok(())
}

/// Every group, in list order.
///
/// # Errors
/// [`DbErr`] when the database fails.
pub async fn groups(db: &impl ConnectionTrait) -> Result<Vec<GroupRecord>, DbErr> {
    let select = Query::select()
        .columns([
            ContactGroups::Id,
            ContactGroups::Name,
            ContactGroups::Position,
            ContactGroups::Collapsed,
        ])
        .from(ContactGroups::Table)
        .order_by(ContactGroups::Position, Order::Asc)
        .to_owned();
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| {
            Ok(GroupRecord {
                id: GroupId::new(row.try_get::<String>("", "id")?).map_err(query_error)?,
                name: row.try_get("", "name")?,
                position: u32::try_from(row.try_get::<i32>("", "position")?).unwrap_or(0),
                collapsed: row.try_get("", "collapsed")?,
            })
        })
        .collect()
}

/// How many contacts a group holds.
///
/// # Errors
/// [`DbErr`] when the database fails.
pub async fn contacts_in(db: &impl ConnectionTrait, id: &GroupId) -> Result<u64, DbErr> {
    let count = Query::select()
        .expr_as(
            sea_orm::sea_query::Func::count(Expr::col(Contacts::Id)),
            "members",
        )
        .from(Contacts::Table)
        .and_where(Expr::col(Contacts::GroupId).eq(id.as_str()))
        .to_owned();
    let members = db
        .query_one(&count)
        .await?
        .map_or(Ok(0), |row| row.try_get::<i64>("", "members"))?;
    Ok(u64::try_from(members).unwrap_or(0))
}

/// Deletes a group; `Ok(false)` when there was none. A group that still holds contacts is
/// refused by the database (the foreign key): check [`contacts_in`] first.
///
/// # Errors
/// [`DbErr`] when the database refuses.
pub async fn delete_group(db: &impl ConnectionTrait, id: &GroupId) -> Result<bool, DbErr> {
    let delete = Query::delete()
        .from_table(ContactGroups::Table)
        .and_where(Expr::col(ContactGroups::Id).eq(id.as_str()))
        .to_owned();
    Ok(db.execute(&delete).await?.rows_affected() > 0)
}

/// Inserts or replaces a contact (its group must exist).
///
/// # Errors
/// [`DbErr`] when the database refuses the write (a missing group included).
pub async fn save_contact(db: &impl ConnectionTrait, contact: &ContactRecord) -> Result<(), DbErr> {
    // Every column but the id, which the upsert keeps.
    let columns = || {
        READ_COLUMNS[1..]
            .iter()
            .copied()
            .chain([Contacts::SearchText])
    };
    let upsert = Query::insert()
        .into_table(Contacts::Table)
        .columns(READ_COLUMNS.into_iter().chain([Contacts::SearchText]))
        .values([
            contact.id.as_str().into(),
            contact.name.as_str().into(),
            json(&contact.sip_addresses)?.into(),
            json(&contact.phone_numbers)?.into(),
            json(&contact.aliases)?.into(),
            media_name(contact.preferred_media).into(),
            contact
                .icon
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
                .into(),
            contact.group.as_str().into(),
            stored_position(contact.position).into(),
            contact.favorite.into(),
            contact_search::haystack(
                &contact.name,
                &contact.aliases,
                &contact.sip_addresses,
                &contact.phone_numbers,
            )
            .into(),
        ])
        .map_err(query_error)?
        .on_conflict(
            OnConflict::column(Contacts::Id)
                .update_columns(columns())
                .to_owned(),
        )
        .to_owned();
    db.execute(&upsert).await?;
    Ok(())
}

fn contact_from(row: &QueryResult) -> Result<ContactRecord, DbErr> {
    Ok(ContactRecord {
        id: ContactId::new(row.try_get::<String>("", "id")?).map_err(query_error)?,
        name: row.try_get("", "name")?,
        sip_addresses: list(row, "addresses")?,
        phone_numbers: list(row, "phones")?,
        aliases: list(row, "aliases")?,
        preferred_media: media_from(&row.try_get::<String>("", "preferred_media")?)?,
        icon: row.try_get::<Option<String>>("", "icon")?.map(Into::into),
        group: GroupId::new(row.try_get::<String>("", "group_id")?).map_err(query_error)?,
        position: u32::try_from(row.try_get::<i32>("", "position")?).unwrap_or(0),
        favorite: row.try_get("", "favorite")?,
    })
}

/// Every column [`contact_from`] reads.
const READ_COLUMNS: [Contacts; 10] = [
    Contacts::Id,
    Contacts::Name,
    Contacts::Addresses,
    Contacts::Phones,
    Contacts::Aliases,
    Contacts::PreferredMedia,
    Contacts::Icon,
    Contacts::GroupId,
    Contacts::Position,
    Contacts::Favorite,
];

/// Contacts whose name, alias or address contains `text` (any case), or whose phone
/// number's digits contain the digits of `text` when it looks like a number ("+1 555-12",
/// "0044 20" for "+44 20");
/// by name, at most `limit`.
///
/// # Errors
/// [`DbErr`] when the database fails or holds a value we cannot read.
pub async fn search_contacts(
    db: &impl ConnectionTrait,
    text: &str,
    limit: usize,
) -> Result<Vec<ContactRecord>, DbErr> {
    let alternatives = contact_search::needles(text);
    if alternatives.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    // The trigram index finds substrings of three characters or more.
    if backend == DbBackend::Sqlite && alternatives.iter().all(|a| a.chars().count() >= 3) {
        let phrases: Vec<String> = alternatives
            .iter()
            .map(|a| format!("\"{}\"", a.replace('"', "\"\"")))
            .collect();
        let sql = format!(
            "SELECT {} FROM contacts WHERE rowid IN \
             (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?) \
             ORDER BY name, id LIMIT ?",
            READ_COLUMNS
                .iter()
                .map(Iden::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let statement = Statement::from_sql_and_values(
            backend,
            sql,
            [phrases.join(" OR ").into(), (limit as i64).into()],
        );
        return db
            .query_all_raw(statement)
            .await?
            .iter()
            .map(contact_from)
            .collect();
    }
    let column = || Expr::col(Contacts::SearchText);
    let like = |text: &str| column().like(LikeExpr::new(contains_pattern(text)).escape('\\'));
    let mut matches = like(&alternatives[0]);
    for digits in &alternatives[1..] {
        matches = matches.or(like(digits));
    }
    let select = Query::select()
        .columns(READ_COLUMNS)
        .from(Contacts::Table)
        .and_where(matches)
        .order_by(Contacts::Name, Order::Asc)
        .order_by(Contacts::Id, Order::Asc)
        .limit(limit as u64)
        .to_owned();
    db.query_all(&select)
        .await?
        .iter()
        .map(contact_from)
        .collect()
}

/// Every contact, by group then position.
///
/// # Errors
/// [`DbErr`] when the database fails or holds a value we cannot read.
pub async fn contacts(db: &impl ConnectionTrait) -> Result<Vec<ContactRecord>, DbErr> {
    let select = Query::select()
        .columns(READ_COLUMNS)
        .from(Contacts::Table)
        .order_by(Contacts::GroupId, Order::Asc)
        .order_by(Contacts::Position, Order::Asc)
        .to_owned();
    db.query_all(&select)
        .await?
        .iter()
        .map(contact_from)
        .collect()
}

/// Deletes a contact; `Ok(false)` when there was none.
///
/// # Errors
/// [`DbErr`] when the database refuses.
pub async fn delete_contact(db: &impl ConnectionTrait, id: &ContactId) -> Result<bool, DbErr> {
    let delete = Query::delete()
        .from_table(Contacts::Table)
        .and_where(Expr::col(Contacts::Id).eq(id.as_str()))
        .to_owned();
    Ok(db.execute(&delete).await?.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use wink_ports::contact_search::examples;

    use super::*;
    use crate::open_sqlite;

    /// The SQL search (the FTS5 trigram index for needles of three characters or more, a
    /// LIKE scan for shorter ones) finds what the contract's reference finds, on the table
    /// the domain's search is held to as well. The behaviour suite in `tests/` runs the same
    /// table on PostgreSQL.
    #[tokio::test]
    async fn sqlite_search_finds_what_the_contract_finds() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_sqlite(&dir.path().join("wink.sqlite"))
            .await
            .unwrap()
            .db;
        save_group(&db, &examples::group()).await.unwrap();
        let book = examples::address_book();
        for contact in &book {
            save_contact(&db, contact).await.unwrap();
        }
        for &(query, expected) in examples::QUERIES {
            let found: Vec<String> = search_contacts(&db, query, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect();
            let needles = contact_search::needles(query);
            let reference: Vec<&str> = book
                .iter()
                .filter(|c| contact_search::matches(&needles, c))
                .map(|c| c.name.as_str())
                .collect();
            assert_eq!(
                found, reference,
                "query {query:?}: SQL and contract disagree"
            );
            assert_eq!(found, expected, "query {query:?}");
        }
    }
}
