//! `history`: the call history from the store; `history clear`.

use anyhow::Context as _;
use wink_ports::{
    CallDirection, ChatMessageRecord, HistoryQuery, HistoryRecord, MediaKind, UnixMillis,
};

use crate::cli::{ExportFormat, HistoryAction, MediaChoice};
use crate::context::Context;

/// What `history` was asked.
pub(crate) struct Request {
    /// Which calls `history` lists.
    pub(crate) filter: HistoryQuery,
    pub(crate) limit: usize,
    pub(crate) search: Option<String>,
    pub(crate) format: ExportFormat,
    pub(crate) action: Option<HistoryAction>,
}

/// The media kind a `--media` choice names.
pub(crate) fn media_kind(choice: MediaChoice) -> MediaKind {
    match choice {
        MediaChoice::Audio => MediaKind::Audio,
        MediaChoice::Chat => MediaKind::Chat,
        MediaChoice::FileTransfer => MediaKind::FileTransfer,
        MediaChoice::ScreenSharing => MediaKind::ScreenSharing,
        MediaChoice::Sms => MediaKind::Sms,
    }
}

fn when(at: UnixMillis) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| "?".into())
}

fn arrow(direction: CallDirection) -> &'static str {
    match direction {
        CallDirection::Incoming => "in ",
        CallDirection::Outgoing => "out",
    }
}

/// One found message per line.
fn message_line(message: &ChatMessageRecord) -> String {
    format!(
        "{} UTC  {}  {}: {}",
        when(message.at),
        arrow(message.direction),
        message.remote,
        message.body.replace('\n', " ")
    )
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// The history as CSV, a header line first.
fn csv(records: &[HistoryRecord]) -> String {
    let mut out = String::from(
        "started_at,answered_at,ended_at,direction,result,account,remote,remote_display,duration_secs,recording\n",
    );
    for r in records {
        let fields = [
            r.started_at.0.to_string(),
            r.answered_at.map(|t| t.0.to_string()).unwrap_or_default(),
            r.ended_at.0.to_string(),
            arrow(r.direction).trim().to_owned(),
            format!("{:?}", r.result),
            r.account.to_string(),
            r.remote.clone(),
            r.remote_display.clone().unwrap_or_default(),
            r.duration_secs().to_string(),
            r.recording
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// One line per call, in a form scripts can grep.
fn line(record: &HistoryRecord) -> String {
    let direction = arrow(record.direction);
    let name = record
        .remote_display
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!(
        "{} UTC  {direction}  {:?}  {}{name}  {} s",
        when(record.started_at),
        record.result,
        record.remote,
        record.duration_secs()
    )
}

pub(super) async fn run(context: &Context, request: Request) -> anyhow::Result<()> {
    let store = context.open_store().await?;
    if let Some(text) = &request.search {
        let found = store
            .search_messages(text, request.limit)
            .await
            .context("cannot search the messages")?;
        if found.is_empty() {
            println!("no message contains {text:?}");
        }
        for message in &found {
            println!("{}", message_line(message));
        }
        return Ok(());
    }
    if request.action == Some(HistoryAction::Export) {
        // Everything the filters match: an export has no page limit.
        let all = store
            .history(HistoryQuery {
                limit: None,
                ..request.filter.clone()
            })
            .await
            .context("cannot read the history")?;
        match request.format {
            ExportFormat::Csv => print!("{}", csv(&all)),
            ExportFormat::Json => println!("{}", serde_json::to_string_pretty(&all)?),
        }
        return Ok(());
    }
    if request.action == Some(HistoryAction::Clear) {
        store
            .clear_history()
            .await
            .context("cannot clear the history")?;
        println!("the call history is empty (chat messages are kept)");
        return Ok(());
    }
    let records = store
        .history(request.filter)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Lee, Ann"), "\"Lee, Ann\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
