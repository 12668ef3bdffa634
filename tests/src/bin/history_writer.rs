//! A writer for the crash test: adds history rows `FROM..TO` to the store at `PATH`, one
//! transaction each, and prints `committed N` after each commit. The test kills it with
//! SIGKILL at a random moment.
//!
//!     history-writer PATH FROM TO

use std::io::Write as _;

use wink_ports::{
    AccountId, CallDirection, CallResult, HistoryRecord, MediaKind, SessionId, UnixMillis,
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
    let (Some(path), Some(from), Some(to)) = (
        args.get(1),
        args.get(2).and_then(|a| a.parse::<u64>().ok()),
        args.get(3).and_then(|a| a.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: history-writer PATH FROM TO");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let opened = wink_storage::open_sqlite(std::path::Path::new(path))
            .await
            .expect("the store opens");
        let mut out = std::io::stdout().lock();
        for n in from..to {
            wink_storage::add_history(&opened.db, &record(n))
                .await
                .expect("the row is written");
            // Printed only once the transaction committed.
            let _ = writeln!(out, "committed {n}");
            let _ = out.flush();
        }
    });
}
