//! Call history: add, query newest first with filters, clear, count missed calls.

use sea_orm::sea_query::{Expr, ExprTrait as _, Func, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use wink_ports::{AccountId, CallResult, HistoryQuery, HistoryRecord, SessionId, UnixMillis};

use crate::codes::{
    MEDIA, bad_row, direction_from, direction_name, media_name, query_error, stored_text,
};
use crate::migration::CallHistory;

fn result_name(result: CallResult) -> &'static str {
    match result {
        CallResult::Answered => "answered",
        CallResult::Missed => "missed",
        CallResult::AnsweredElsewhere => "answered-elsewhere",
        CallResult::Rejected => "rejected",
        CallResult::Busy => "busy",
        CallResult::Cancelled => "cancelled",
        CallResult::Failed => "failed",
    }
}

const RESULTS: [CallResult; 7] = [
    CallResult::Answered,
    CallResult::Missed,
    CallResult::AnsweredElsewhere,
    CallResult::Rejected,
    CallResult::Busy,
    CallResult::Cancelled,
    CallResult::Failed,
];

/// The columns of a history row, in the order `add_history` writes them.
const COLUMNS: [CallHistory; 11] = [
    CallHistory::Session,
    CallHistory::Account,
    CallHistory::Direction,
    CallHistory::Remote,
    CallHistory::RemoteDisplay,
    CallHistory::Media,
    CallHistory::StartedAt,
    CallHistory::AnsweredAt,
    CallHistory::EndedAt,
    CallHistory::Result,
    CallHistory::Recording,
];

/// Appends one call to the history.
///
/// # Errors
/// [`DbErr`] when the database refuses the write.
pub async fn add_history(db: &impl ConnectionTrait, record: &HistoryRecord) -> Result<(), DbErr> {
    let media: Vec<&str> = record.media.iter().map(|&m| media_name(m)).collect();
    let text = |value: &'_ str| stored_text(db.get_database_backend(), value).into_owned();
    let insert = Query::insert()
        .into_table(CallHistory::Table)
        .columns(COLUMNS)
        .values([
            record.session.as_str().into(),
            record.account.as_str().into(),
            direction_name(record.direction).into(),
            text(&record.remote).into(),
            record.remote_display.as_deref().map(text).into(),
            media.join(",").into(),
            record.started_at.0.into(),
            record.answered_at.map(|t| t.0).into(),
            record.ended_at.0.into(),
            result_name(record.result).into(),
            record
                .recording
                .as_ref()
                .map(|p| text(&p.to_string_lossy()))
                .into(),
        ])
        .map_err(query_error)?
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

fn from_row(row: &QueryResult) -> Result<HistoryRecord, DbErr> {
    let text = |column: &str| row.try_get::<String>("", column);
    let direction = direction_from(&text("direction")?)?;
    let result_text = text("result")?;
    let result = RESULTS
        .into_iter()
        .find(|r| result_name(*r) == result_text)
        .ok_or_else(|| bad_row("result", &result_text))?;
    let media = text("media")?
        .split(',')
        .filter(|m| !m.is_empty())
        .map(|name| {
            MEDIA
                .into_iter()
                .find(|m| media_name(*m) == name)
                .ok_or_else(|| bad_row("media kind", name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HistoryRecord {
        session: SessionId::new(text("session")?).map_err(query_error)?,
        account: AccountId::new(text("account")?).map_err(query_error)?,
        direction,
        remote: text("remote")?,
        remote_display: row.try_get::<Option<String>>("", "remote_display")?,
        media,
        started_at: UnixMillis(row.try_get::<i64>("", "started_at")?),
        answered_at: row
            .try_get::<Option<i64>>("", "answered_at")?
            .map(UnixMillis),
        ended_at: UnixMillis(row.try_get::<i64>("", "ended_at")?),
        result,
        recording: row
            .try_get::<Option<String>>("", "recording")?
            .map(Into::into),
    })
}

/// History entries matching `query`, newest first.
///
/// # Errors
/// [`DbErr`] when the database fails or holds a value we cannot read.
pub async fn history(
    db: &impl ConnectionTrait,
    query: &HistoryQuery,
) -> Result<Vec<HistoryRecord>, DbErr> {
    let mut select = Query::select();
    select
        .columns(COLUMNS)
        .from(CallHistory::Table)
        .order_by(CallHistory::StartedAt, Order::Desc)
        .order_by(CallHistory::Id, Order::Desc);
    if let Some(direction) = query.direction {
        select.and_where(Expr::col(CallHistory::Direction).eq(direction_name(direction)));
    }
    if query.missed_only {
        select.and_where(Expr::col(CallHistory::Result).eq(result_name(CallResult::Missed)));
    }
    if let Some(remote) = &query.remote {
        select.and_where(Expr::col(CallHistory::Remote).eq(remote.as_str()));
    }
    if let Some(media) = query.media {
        // The column is a comma-separated list: the name alone, first, last, or inside.
        let name = media_name(media);
        let column = || Expr::col(CallHistory::Media);
        select.and_where(
            column()
                .eq(name)
                .or(column().like(format!("{name},%")))
                .or(column().like(format!("%,{name}")))
                .or(column().like(format!("%,{name},%"))),
        );
    }
    if let Some(since) = query.since {
        select.and_where(Expr::col(CallHistory::StartedAt).gte(since.0));
    }
    if let Some(limit) = query.limit {
        select.limit(limit as u64);
    }
    db.query_all(&select).await?.iter().map(from_row).collect()
}

/// Empties the call history (chat messages stay, as in Blink).
///
/// # Errors
/// [`DbErr`] when the database refuses the write.
pub async fn clear_history(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute(&Query::delete().from_table(CallHistory::Table).to_owned())
        .await?;
    Ok(())
}

/// Missed calls that started at or after `since`.
///
/// # Errors
/// [`DbErr`] when the database fails.
pub async fn missed_count(db: &impl ConnectionTrait, since: UnixMillis) -> Result<u64, DbErr> {
    let count = Query::select()
        .expr_as(Func::count(Expr::col(CallHistory::Id)), "missed")
        .from(CallHistory::Table)
        .and_where(Expr::col(CallHistory::Result).eq(result_name(CallResult::Missed)))
        .and_where(Expr::col(CallHistory::StartedAt).gte(since.0))
        .to_owned();
    let row = db.query_one(&count).await?;
    let missed = row.map_or(Ok(0), |r| r.try_get::<i64>("", "missed"))?;
    Ok(u64::try_from(missed).unwrap_or(0))
}
