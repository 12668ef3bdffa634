//! `history`: the call history from the store; `history clear`.

use anyhow::Context as _;
use wink_config::open_store;
use wink_ports::{CallDirection, HistoryQuery, HistoryRecord};

use crate::cli::HistoryAction;
use crate::context::Context;

fn when(record: &HistoryRecord) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(record.started_at.0) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| "?".into())
}

/// One line per call, in a form scripts can grep.
fn line(record: &HistoryRecord) -> String {
    let direction = match record.direction {
        CallDirection::Incoming => "in ",
        CallDirection::Outgoing => "out",
    };
    let name = record
        .remote_display
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!(
        "{} UTC  {direction}  {:?}  {}{name}  {} s",
        when(record),
        record.result,
        record.remote,
        record.duration_secs()
    )
}

pub(super) async fn run(
    context: &Context,
    missed: bool,
    limit: usize,
    action: Option<HistoryAction>,
) -> anyhow::Result<()> {
    let opened = open_store(&context.settings, &context.paths).await?;
    if let Some(kept) = &opened.kept_damaged_file {
        eprintln!(
            "warning: the history database was damaged; it was kept as {} and a new one started",
            kept.display()
        );
    }
    if action == Some(HistoryAction::Clear) {
        opened
            .store
            .clear_history()
            .await
            .context("cannot clear the history")?;
        println!("the call history is empty (chat messages are kept)");
        return Ok(());
    }
    let query = HistoryQuery {
        missed_only: missed,
        limit: Some(limit),
        ..HistoryQuery::default()
    };
    let records = opened
        .store
        .history(query)
        .await
        .context("cannot read the history")?;
    if records.is_empty() {
        println!("no calls");
    }
    for record in &records {
        println!("{}", line(record));
    }
    Ok(())
}
