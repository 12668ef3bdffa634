//! A writer killed with SIGKILL in the middle of its inserts, 20 times over 10,000 rows:
//! every time the database opens, passes `integrity_check` (no damaged-file recovery), and
//! holds every row whose commit the writer reported.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wink_ports::HistoryQuery;

const ROWS: u64 = 10_000;
const KILLS: u64 = 20;
const SEED: u64 = 20_261_125;

#[tokio::test]
async fn committed_rows_survive_sigkill_and_the_file_stays_sound() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wink.sqlite");
    let mut rng = StdRng::seed_from_u64(SEED);
    // Twenty moments spread over the 10,000 inserts, in order.
    let mut kill_points: Vec<u64> = (0..KILLS).map(|_| rng.random_range(1..ROWS)).collect();
    kill_points.sort_unstable();
    let mut next = 0u64;
    for (kill, point) in kill_points.into_iter().enumerate() {
        // Each writer carries on from the last stored row towards 10,000.
        let mut writer = Command::new(env!("CARGO_BIN_EXE_history-writer"))
            .arg(&path)
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

        let opened = wink_storage::open_sqlite(&path)
            .await
            .expect("the store opens");
        assert!(
            opened.kept_damaged_file.is_none(),
            "run {kill} (seed {SEED}): the database was damaged"
        );
        let rows = wink_storage::history(&opened.db, &HistoryQuery::default())
            .await
            .unwrap();
        let stored: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.started_at.0).collect();
        let missing: Vec<u64> = (0..=last)
            .filter(|n| !stored.contains(&(*n as i64)))
            .collect();
        assert!(
            missing.is_empty(),
            "run {kill} (seed {SEED}): committed rows lost: {:?}",
            &missing[..missing.len().min(10)]
        );
        drop(opened);
        // The next run starts after whatever got in (a commit may land after the report).
        next = stored.iter().max().map_or(0, |m| *m as u64 + 1);
    }
    // And the last writer finishes the 10,000 undisturbed.
    let status = Command::new(env!("CARGO_BIN_EXE_history-writer"))
        .arg(&path)
        .arg(next.to_string())
        .arg(ROWS.to_string())
        .stdout(Stdio::null())
        .status()
        .expect("the writer runs");
    assert!(status.success());
    let opened = wink_storage::open_sqlite(&path).await.unwrap();
    let all = wink_storage::history(&opened.db, &HistoryQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len() as u64, ROWS, "every row once, none twice");
}
