//! Storage at scale (a bench that prints figures; not a test): 1,000,000 call-history rows
//! and 1,000,000 chat messages in a SQLite store, then the queries the app makes.
//!
//!     cargo bench -p wink-storage --bench store_scale        (ROWS=1000000 by default)

use std::time::Instant;

use sea_orm::TransactionTrait;
use wink_ports::{
    AccountId, CallDirection, CallResult, ChatMessageRecord, DeliveryState, HistoryQuery,
    HistoryRecord, MediaKind, MessageId, SessionId, UnixMillis,
};

const BATCH: u64 = 10_000;

fn call(n: u64) -> HistoryRecord {
    HistoryRecord {
        session: SessionId::new(format!("s{n}")).expect("an id"),
        account: AccountId::new("me@example.com").expect("an id"),
        direction: if n.is_multiple_of(3) {
            CallDirection::Incoming
        } else {
            CallDirection::Outgoing
        },
        remote: format!("user{}@example.com", n % 5_000),
        remote_display: Some(format!("User {}", n % 5_000)),
        media: vec![MediaKind::Audio],
        started_at: UnixMillis(n as i64 * 1_000),
        answered_at: None,
        ended_at: UnixMillis(n as i64 * 1_000 + 30_000),
        result: if n.is_multiple_of(7) {
            CallResult::Missed
        } else {
            CallResult::Answered
        },
        recording: None,
    }
}

fn message(n: u64) -> ChatMessageRecord {
    ChatMessageRecord {
        id: MessageId::new(format!("m{n}")).expect("an id"),
        account: AccountId::new("me@example.com").expect("an id"),
        remote: format!("user{}@example.com", n % 5_000),
        direction: CallDirection::Outgoing,
        content_type: "text/plain".into(),
        body: format!("message number {n} about the quarterly numbers and lunch"),
        at: UnixMillis(n as i64 * 1_000),
        state: DeliveryState::Delivered,
    }
}

fn main() {
    // `cargo test --all-targets` runs this too (without `--bench`): then a quick smoke run.
    let benching = std::env::args().any(|a| a == "--bench");
    let rows: u64 = std::env::var("ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 1_000_000 } else { BATCH });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = wink_storage::open_sqlite(&dir.path().join("wink.sqlite"))
            .await
            .expect("the store opens")
            .db;

        let started = Instant::now();
        for n in 0..1_000 {
            wink_storage::add_history(&db, &call(rows + n))
                .await
                .expect("written");
        }
        let single = started.elapsed();
        println!(
            "history, one transaction per row: {:.0} rows/s",
            1_000.0 / single.as_secs_f64()
        );

        let started = Instant::now();
        for batch in 0..rows / BATCH {
            let txn = db.begin().await.expect("a transaction");
            for n in batch * BATCH..(batch + 1) * BATCH {
                wink_storage::add_history(&txn, &call(n))
                    .await
                    .expect("written");
            }
            txn.commit().await.expect("committed");
        }
        let elapsed = started.elapsed();
        println!(
            "history, {BATCH} rows per transaction: {rows} rows in {:.1} s = {:.0} rows/s",
            elapsed.as_secs_f64(),
            rows as f64 / elapsed.as_secs_f64()
        );

        let started = Instant::now();
        for batch in 0..rows / BATCH {
            let txn = db.begin().await.expect("a transaction");
            for n in batch * BATCH..(batch + 1) * BATCH {
                wink_storage::add_message(&txn, &message(n))
                    .await
                    .expect("written");
            }
            txn.commit().await.expect("committed");
        }
        let elapsed = started.elapsed();
        println!(
            "messages, {BATCH} per transaction: {rows} in {:.1} s = {:.0} rows/s",
            elapsed.as_secs_f64(),
            rows as f64 / elapsed.as_secs_f64()
        );

        let page = HistoryQuery {
            limit: Some(50),
            ..HistoryQuery::default()
        };
        let timed = |label: &str, started: Instant| {
            println!(
                "{label}: {:.2} ms",
                started.elapsed().as_secs_f64() * 1_000.0
            );
        };
        let started = Instant::now();
        let first = wink_storage::history(&db, &page).await.expect("a page");
        timed("first history page (50 rows, newest first)", started);
        assert_eq!(first.len(), 50);
        let missed_page = HistoryQuery {
            missed_only: true,
            limit: Some(50),
            ..HistoryQuery::default()
        };
        let started = Instant::now();
        wink_storage::history(&db, &missed_page)
            .await
            .expect("a page");
        timed("first page of missed calls", started);
        let started = Instant::now();
        let missed = wink_storage::missed_count(&db, UnixMillis(0))
            .await
            .expect("a count");
        timed(
            &format!("missed-call count ({missed} over all rows)"),
            started,
        );
        let started = Instant::now();
        let found = wink_storage::search_messages(&db, "number 99999 ", 50)
            .await
            .expect("a search");
        timed(
            &format!("first page of a chat text search ({} found)", found.len()),
            started,
        );
        let started = Instant::now();
        wink_storage::messages_with(&db, "user42@example.com", 50)
            .await
            .expect("a conversation");
        timed("the latest 50 messages with one person", started);
    });
}
