//! A writer for the crash test: adds history rows `FROM..TO` to the store at `URL`
//! (`sqlite:///path` or `postgres://…`), one transaction each, and prints `committed N`
//! after each commit. The test kills it with SIGKILL at a random moment.
//!
//!     history-writer URL FROM TO

use std::io::Write as _;

use wink_ports::{
    AccountId, CallDirection, CallResult, HistoryRecord, MediaKind, SessionId, StoragePort as _,
    UnixMillis,
};

fn record(n: u64) -> HistoryRecord {
    HistoryRecord {
        session: SessionId::new(format!("s{n}")).expect("a valid id"),
        account: AccountId::new("me@example.com").expect("a valid id"),
        direction: CallDirection::Incoming,
        remote: format!("caller{n}@example.com"),
        remote_display: None,
        media: vec![MediaKind::Audio],
        started_at: UnixMillis(n as i64),
        answered_at: None,
        ended_at: UnixMillis(n as i64 + 1),
        result: CallResult::Missed,
        recording: None,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(from), Some(to)) = (
        args.get(1),
        args.get(2).and_then(|a| a.parse::<u64>().ok()),
        args.get(3).and_then(|a| a.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: history-writer URL FROM TO");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (store, _) = wink_storage::SqlStore::open_url(url)
            .await
            .expect("the store opens");
        let mut out = std::io::stdout().lock();
        for n in from..to {
            store
                .add_history(record(n))
                .await
                .expect("the row is written");
            // Printed only once the transaction committed.
            let _ = writeln!(out, "committed {n}");
            let _ = out.flush();
        }
    });
}
