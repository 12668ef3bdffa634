//! Storage at scale (a bench that prints figures; not a test): 1,000,000 call-history rows,
//! 1,000,000 chat messages and 100,000 contacts, then the queries the app makes; on SQLite,
//! and on PostgreSQL when `WINK_TEST_POSTGRES` names a server (`benches/store-scale.sh`
//! starts a throwaway one and sets it).
//!
//!     cargo bench -p wink-storage --bench store_scale   (ROWS=1000000 CONTACTS=100000)

use std::time::Instant;

use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection, TransactionTrait};
use wink_ports::{
    AccountId, CallDirection, CallResult, ChatMessageRecord, ContactId, ContactRecord,
    DeliveryState, GroupId, GroupRecord, HistoryQuery, HistoryRecord, MediaKind, MessageId,
    SessionId, UnixMillis,
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

const FIRST_NAMES: [&str; 8] = [
    "Ann", "Bob", "Carol", "Dmitri", "Eva", "Farid", "Grace", "Hiro",
];

fn contact(n: u64, group: &GroupId) -> ContactRecord {
    ContactRecord {
        id: ContactId::new(format!("c{n}")).expect("an id"),
        name: format!("{} Person{n}", FIRST_NAMES[(n % 8) as usize]),
        sip_addresses: vec![format!("person{n}@example.com")],
        phone_numbers: vec![format!("+1 (555) {:03}-{:04}", n / 10_000, n % 10_000)],
        aliases: Vec::new(),
        preferred_media: MediaKind::Audio,
        icon: None,
        group: group.clone(),
        position: (n % 1_000) as u32,
        favorite: false,
    }
}

/// Runs a query `RUNS` times; prints the first (cold) and the median time, and what the
/// last run returned, described by `$describe`.
macro_rules! time_query {
    ($label:expr, $query:expr, $describe:expr) => {{
        let mut times = Vec::with_capacity(RUNS);
        let mut result = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            result = Some($query.await.expect("the query runs"));
            times.push(started.elapsed().as_secs_f64() * 1_000.0);
        }
        let first = times[0];
        times.sort_by(f64::total_cmp);
        let result = result.expect("ran");
        println!(
            "  {} ({}): median {:.2} ms, first {:.2} ms",
            $label,
            $describe(&result),
            times[RUNS / 2],
            first
        );
        result
    }};
}

/// How many rows a query returned.
fn rows_found<T>(found: &[T]) -> String {
    format!("{} rows", found.len())
}

/// How often each query runs.
const RUNS: usize = 7;

/// Prints a throughput line.
fn rate(label: &str, count: u64, started: Instant) {
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "  {label}: {count} in {elapsed:.1} s = {:.0} rows/s",
        count as f64 / elapsed
    );
}

/// A new database on the PostgreSQL server at `admin_url`; its URL.
async fn new_postgres_database(admin_url: &str) -> String {
    let admin = Database::connect(admin_url)
        .await
        .expect("the PostgreSQL server answers");
    let name = format!("wink_bench_{}", std::process::id());
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .expect("dropped");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("created");
    let (server, _) = admin_url.rsplit_once('/').expect("a database URL");
    format!("{server}/{name}")
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
    let contacts: u64 = std::env::var("CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 100_000 } else { 1_000 });
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = wink_storage::open_sqlite(&dir.path().join("wink.sqlite"))
            .await
            .expect("the store opens")
            .db;
        println!("SQLite ({rows} rows, {contacts} contacts):");
        scenario(&db, rows, contacts).await;
        match std::env::var("WINK_TEST_POSTGRES") {
            Ok(admin_url) => {
                let url = new_postgres_database(&admin_url).await;
                let db = wink_storage::open_postgres(&url)
                    .await
                    .expect("the store opens");
                println!("PostgreSQL ({rows} rows, {contacts} contacts):");
                scenario(&db, rows, contacts).await;
            }
            Err(_) => println!(
                "PostgreSQL: not measured (WINK_TEST_POSTGRES is not set; benches/store-scale.sh sets it)"
            ),
        }
    });
}

/// Fills the store and times the queries.
async fn scenario(db: &DatabaseConnection, rows: u64, contacts: u64) {
    let started = Instant::now();
    for n in 0..1_000 {
        wink_storage::add_history(db, &call(rows + n))
            .await
            .expect("written");
    }
    rate("history, one transaction per row", 1_000, started);

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
    rate(
        &format!("history, {BATCH} rows per transaction"),
        rows,
        started,
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
    rate(&format!("messages, {BATCH} per transaction"), rows, started);

    let group = GroupRecord {
        id: GroupId::new("everyone").expect("an id"),
        name: "Everyone".into(),
        position: 0,
        collapsed: false,
    };
    wink_storage::save_group(db, &group).await.expect("written");
    let started = Instant::now();
    let txn = db.begin().await.expect("a transaction");
    for n in 0..contacts {
        wink_storage::save_contact(&txn, &contact(n, &group.id))
            .await
            .expect("written");
    }
    txn.commit().await.expect("committed");
    rate("contacts, one transaction", contacts, started);

    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // What autovacuum does soon after a bulk load: statistics and the visibility map.
        let started = Instant::now();
        db.execute_unprepared("VACUUM ANALYZE")
            .await
            .expect("vacuumed");
        println!(
            "  (VACUUM ANALYZE after loading: {:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    let page = HistoryQuery {
        limit: Some(50),
        ..HistoryQuery::default()
    };
    time_query!(
        "first history page, newest first",
        wink_storage::history(db, &page),
        rows_found::<_>
    );
    let missed_page = HistoryQuery {
        missed_only: true,
        limit: Some(50),
        ..HistoryQuery::default()
    };
    time_query!(
        "first page of missed calls",
        wink_storage::history(db, &missed_page),
        rows_found::<_>
    );
    let counted = |n: &u64| format!("{n} missed");
    time_query!(
        "missed-call count over all rows",
        wink_storage::missed_count(db, UnixMillis(0)),
        counted
    );
    // The app counts since the missed calls were last viewed: here the newest 1,000 calls.
    let recent = UnixMillis((rows.saturating_sub(1_000)) as i64 * 1_000);
    time_query!(
        "missed-call count since last viewed",
        wink_storage::missed_count(db, recent),
        counted
    );
    time_query!(
        "first page of a chat text search \"number 9999\"",
        wink_storage::search_messages(db, "number 9999", 50),
        rows_found::<_>
    );
    time_query!(
        "the latest 50 messages with one person",
        wink_storage::messages_with(db, "user42@example.com", 50),
        rows_found::<_>
    );
    let account = AccountId::new("me@example.com").expect("an id");
    time_query!(
        "unsent messages of one account (at registration)",
        wink_storage::unsent_messages(db, &account, 100),
        rows_found::<_>
    );
    for (what, text) in [
        ("a rare name", "person4242"),
        ("a common first name, first 50", "grace"),
        ("a phone number fragment", "555) 004-2"),
        ("two letters", "ev"),
        ("no match", "zzzz"),
    ] {
        time_query!(
            format!("contact search, {what} {text:?}"),
            wink_storage::search_contacts(db, text, 50),
            rows_found::<_>
        );
    }
}
