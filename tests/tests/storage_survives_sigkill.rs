//! A writer killed with SIGKILL in the middle of its inserts, 20 times over 10,000 rows:
//! every time the database opens (on SQLite: passes `integrity_check`, no damaged-file
//! recovery) and holds every row whose commit the writer reported. On SQLite and on
//! PostgreSQL.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wink_ports::{HistoryQuery, StoragePort as _};
use wink_tests::on_both_databases;
use wink_tests::store_target::Target;

const ROWS: u64 = 10_000;
const KILLS: u64 = 20;
const SEED: u64 = 20_261_125;

on_both_databases!(committed_rows_survive_sigkill_and_the_store_stays_sound);

/// The writer's rows in the store (opening it first checks it, on SQLite).
async fn stored_rows(target: &Target) -> std::collections::BTreeSet<i64> {
    if let Some(file) = target.sqlite_file() {
        let opened = wink_storage::open_sqlite(&file)
            .await
            .expect("the store opens");
        assert!(
            opened.kept_damaged_file.is_none(),
            "(seed {SEED}) the database was damaged"
        );
    }
    let rows = target
        .open()
        .await
        .history(HistoryQuery::default())
        .await
        .unwrap();
    let stored: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.started_at.0).collect();
    assert_eq!(stored.len(), rows.len(), "no row twice");
    stored
}

async fn committed_rows_survive_sigkill_and_the_store_stays_sound(target: Target) {
    let url = target.url();
    let mut rng = StdRng::seed_from_u64(SEED);
    // Twenty moments spread over the 10,000 inserts, in order.
    let mut kill_points: Vec<u64> = (0..KILLS).map(|_| rng.random_range(1..ROWS)).collect();
    kill_points.sort_unstable();
    let mut next = 0u64;
    for (kill, point) in kill_points.into_iter().enumerate() {
        // Each writer carries on from the last stored row towards 10,000.
        let mut writer = Command::new(env!("CARGO_BIN_EXE_history-writer"))
            .arg(&url)
            .arg(next.to_string())
            .arg(ROWS.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the writer starts");
        let stdout = writer.stdout.take().expect("piped stdout");
        let mut last_committed = None;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(n) = line
                .strip_prefix("committed ")
                .and_then(|n| n.parse::<u64>().ok())
            {
                last_committed = Some(n);
                if n >= point {
                    break;
                }
            }
        }
        writer.kill().expect("SIGKILL");
        let _ = writer.wait();
        // A writer whose start point is already past this kill point wrote one row.
        let Some(last) = last_committed else {
            panic!("run {kill}: nothing committed")
        };

        let stored = stored_rows(&target).await;
        let missing: Vec<u64> = (0..=last)
            .filter(|n| !stored.contains(&(*n as i64)))
            .collect();
        assert!(
            missing.is_empty(),
            "run {kill} (seed {SEED}): committed rows lost: {:?}",
            &missing[..missing.len().min(10)]
        );
        // The next run starts after whatever got in (a commit may land after the report).
        next = stored.iter().max().map_or(0, |m| *m as u64 + 1);
    }
    // And the last writer finishes the 10,000 undisturbed.
    let status = Command::new(env!("CARGO_BIN_EXE_history-writer"))
        .arg(&url)
        .arg(next.to_string())
        .arg(ROWS.to_string())
        .stdout(Stdio::null())
        .status()
        .expect("the writer runs");
    assert!(status.success());
    assert_eq!(
        stored_rows(&target).await.len() as u64,
        ROWS,
        "every row once, none twice"
    );
}
