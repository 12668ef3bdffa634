//! Chat and short messages: stored as written, with their delivery state, so queued and
//! failed ones survive a restart and can be sent again.

use sea_orm::sea_query::{Expr, ExprTrait as _, LikeExpr, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};
use wink_ports::{
    AccountId, CallDirection, ChatMessageRecord, DeliveryState, MessageId, UnixMillis,
};

use crate::codes::{direction_from, direction_name, query_error, stored_text};
use crate::migration::ChatMessages;
use crate::query_text::{contains_pattern, plain_text};

fn state_name(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Queued => "queued",
        DeliveryState::Sent => "sent",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed => "failed",
        DeliveryState::Received => "received",
    }
}

fn state_from(name: &str) -> Result<DeliveryState, DbErr> {
    [
        DeliveryState::Queued,
        DeliveryState::Sent,
        DeliveryState::Delivered,
        DeliveryState::Failed,
        DeliveryState::Received,
    ]
    .into_iter()
    .find(|s| state_name(*s) == name)
    .ok_or_else(|| crate::codes::bad_row("delivery state", name))
}

/// Stores a message.
///
/// # Errors
/// [`DbErr`] (a duplicate id is a unique-key violation).
pub async fn add_message(
    db: &impl ConnectionTrait,
    message: &ChatMessageRecord,
) -> Result<(), DbErr> {
    let sender = match message.direction {
        CallDirection::Incoming => message.remote.as_str(),
        CallDirection::Outgoing => message.account.as_str(),
    };
    let text = |value: &'_ str| stored_text(db.get_database_backend(), value).into_owned();
    let insert = Query::insert()
        .into_table(ChatMessages::Table)
        .columns([
            ChatMessages::Id,
            ChatMessages::Account,
            ChatMessages::Direction,
            ChatMessages::Remote,
            ChatMessages::Sender,
            ChatMessages::Body,
            ChatMessages::ContentType,
            ChatMessages::At,
            ChatMessages::State,
        ])
        .values([
            message.id.as_str().into(),
            message.account.as_str().into(),
            direction_name(message.direction).into(),
            text(&message.remote).into(),
            text(sender).into(),
            text(&message.body).into(),
            text(&message.content_type).into(),
            message.at.0.into(),
            state_name(message.state).into(),
        ])
        .map_err(query_error)?
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

/// Changes a message's delivery state; `false` when there is no such message.
///
/// # Errors
/// [`DbErr`] when the database refuses the write.
pub async fn set_message_state(
    db: &impl ConnectionTrait,
    id: &MessageId,
    state: DeliveryState,
) -> Result<bool, DbErr> {
    let update = Query::update()
        .table(ChatMessages::Table)
        .value(ChatMessages::State, state_name(state))
        .and_where(Expr::col(ChatMessages::Id).eq(id.as_str()))
        .to_owned();
    Ok(db.execute(&update).await?.rows_affected() > 0)
}

fn from_row(row: &QueryResult) -> Result<ChatMessageRecord, DbErr> {
    let text = |column: &str| row.try_get::<String>("", column);
    Ok(ChatMessageRecord {
        id: MessageId::new(text("id")?).map_err(query_error)?,
        account: AccountId::new(text("account")?).map_err(query_error)?,
        remote: text("remote")?,
        direction: direction_from(&text("direction")?)?,
        content_type: text("content_type")?,
        body: text("body")?,
        at: UnixMillis(row.try_get::<i64>("", "at")?),
        state: state_from(&text("state")?)?,
    })
}

/// Every column `from_row` reads, newest first, at most `limit` (callers add the filter).
fn latest_messages(limit: usize) -> SelectStatement {
    Query::select()
        .columns([
            ChatMessages::Id,
            ChatMessages::Account,
            ChatMessages::Remote,
            ChatMessages::Direction,
            ChatMessages::ContentType,
            ChatMessages::Body,
            ChatMessages::At,
            ChatMessages::State,
        ])
        .from(ChatMessages::Table)
        .order_by(ChatMessages::At, Order::Desc)
        .limit(limit as u64)
        .to_owned()
}

/// Runs a [`latest_messages`] query and turns its rows oldest first.
async fn oldest_first(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<Vec<ChatMessageRecord>, DbErr> {
    let mut messages: Vec<ChatMessageRecord> = db
        .query_all(select)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    messages.reverse();
    Ok(messages)
}

/// The latest `limit` messages with `remote`, oldest first.
///
/// # Errors
/// [`DbErr`] when the database fails or holds a value we cannot read.
pub async fn messages_with(
    db: &impl ConnectionTrait,
    remote: &str,
    limit: usize,
) -> Result<Vec<ChatMessageRecord>, DbErr> {
    let select = latest_messages(limit)
        .and_where(Expr::col(ChatMessages::Remote).eq(remote))
        .to_owned();
    oldest_first(db, &select).await
}

/// Outgoing messages of `account` still queued or failed, oldest first, at most `limit`
/// (the newest ones when there are more).
///
/// # Errors
/// [`DbErr`] when the database fails or holds a value we cannot read.
pub async fn unsent_messages(
    db: &impl ConnectionTrait,
    account: &AccountId,
    limit: usize,
) -> Result<Vec<ChatMessageRecord>, DbErr> {
    let select = latest_messages(limit)
        .and_where(Expr::col(ChatMessages::State).is_in([
            state_name(DeliveryState::Queued),
            state_name(DeliveryState::Failed),
        ]))
        .and_where(Expr::col(ChatMessages::Account).eq(account.as_str()))
        .and_where(Expr::col(ChatMessages::Direction).eq(direction_name(CallDirection::Outgoing)))
        .to_owned();
    oldest_first(db, &select).await
}

/// `text` as an FTS5 query: one phrase (quotes doubled, so operators are plain text),
/// its last word a prefix (typing "pelic" finds "pelican").
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"*", text.replace('"', "\"\""))
}

const COLUMNS: &str =
    "m.id, m.account, m.remote, m.direction, m.content_type, m.body, m.at, m.state";

/// Messages that contain the words of `text` in that order (the last one as a prefix),
/// newest first, whatever the case and accents: SQLite's FTS5 index, PostgreSQL's GIN
/// index (migration m0005); any other database scans with LIKE.
///
/// # Errors
/// [`DbErr`] when the database fails or holds a value we cannot read.
pub async fn search_messages(
    db: &impl ConnectionTrait,
    text: &str,
    limit: usize,
) -> Result<Vec<ChatMessageRecord>, DbErr> {
    let text = &plain_text(text);
    if text.split_whitespace().next().is_none() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let (sql, query) = match backend {
        DbBackend::Sqlite => (
            format!(
                "SELECT {COLUMNS} FROM chat_messages m \
                 JOIN chat_messages_fts f ON f.rowid = m.rowid \
                 WHERE chat_messages_fts MATCH ? ORDER BY m.at DESC LIMIT ?"
            ),
            fts_phrase(text),
        ),
        DbBackend::Postgres => {
            let Some(query) = search_words(text) else {
                return Ok(Vec::new());
            };
            (
                format!(
                    "SELECT {COLUMNS} FROM chat_messages m \
                     WHERE wink_search_words(m.body) @@ wink_search_query($1) \
                     ORDER BY m.at DESC LIMIT $2"
                ),
                query,
            )
        }
        _ => return search_messages_by_scan(db, text, limit).await,
    };
    let statement =
        Statement::from_sql_and_values(backend, sql, [query.into(), (limit as i64).into()]);
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The words of `text` (runs of letters and digits) separated by single spaces, for
/// PostgreSQL's `wink_search_query`; `None` when it has none.
fn search_words(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The same search as a LIKE scan (databases without a word index).
async fn search_messages_by_scan(
    db: &impl ConnectionTrait,
    text: &str,
    limit: usize,
) -> Result<Vec<ChatMessageRecord>, DbErr> {
    let select = latest_messages(limit)
        .and_where(
            Expr::col(ChatMessages::Body).like(LikeExpr::new(contains_pattern(text)).escape('\\')),
        )
        .to_owned();
    db.query_all(&select).await?.iter().map(from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open_sqlite;

    /// The FTS5 index is kept by triggers: a deleted or edited message must not be found by
    /// its old words (the shared behaviour suite covers everything else on both databases).
    #[tokio::test]
    async fn the_sqlite_word_index_follows_edits_and_deletions() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_sqlite(&dir.path().join("wink.sqlite"))
            .await
            .unwrap()
            .db;
        let message = ChatMessageRecord {
            id: MessageId::new("m1").unwrap(),
            account: AccountId::new("me@example.com").unwrap(),
            remote: "ann@example.com".into(),
            direction: CallDirection::Outgoing,
            content_type: "text/plain".into(),
            body: "old words".into(),
            at: UnixMillis(1),
            state: DeliveryState::Sent,
        };
        add_message(&db, &message).await.unwrap();
        db.execute(
            &Query::update()
                .table(ChatMessages::Table)
                .value(ChatMessages::Body, "new text")
                .to_owned(),
        )
        .await
        .unwrap();
        assert!(search_messages(&db, "old", 10).await.unwrap().is_empty());
        assert_eq!(search_messages(&db, "new", 10).await.unwrap().len(), 1);
        db.execute(&Query::delete().from_table(ChatMessages::Table).to_owned())
            .await
            .unwrap();
        assert!(search_messages(&db, "new", 10).await.unwrap().is_empty());
    }
}
