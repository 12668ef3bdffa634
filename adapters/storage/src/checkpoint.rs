//! WAL checkpoints off the writers' path.
//!
//! SQLite copies the write-ahead log back into the database file (a checkpoint, with an
//! fsync) inside whichever commit crosses 1,000 pages of log. That commit then takes up to
//! 275 ms instead of well under one: measured as the history write at the end of a call,
//! which stalled the phone's event loop so that at 400 calls/s calls piled up unanswered
//! and got 486 (`benches/sip-cps.sh`). The store's connections never checkpoint
//! (`wal_autocheckpoint=0`, set in `open.rs`); this task does it every
//! [`CHECKPOINT_PERIOD`] on a connection of its own, `PASSIVE` (it never waits for, nor
//! blocks, a reader or a writer), so a commit only appends to the log.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::task::JoinHandle;

/// How often the log is copied back. The log stays at most about this many seconds of
/// writes long; a crash loses nothing either way (WAL keeps every committed transaction).
pub const CHECKPOINT_PERIOD: Duration = Duration::from_secs(1);

/// The background checkpointing of one SQLite file; stops when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct Checkpointer {
    /// Held for its `Drop`: the task stops with the last clone.
    _task: Arc<StopOnDrop>,
}

#[derive(Debug)]
struct StopOnDrop(JoinHandle<()>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Checkpointer {
    /// Starts checkpointing `db` (a connection of its own to the store's file).
    pub(crate) fn start(db: DatabaseConnection) -> Self {
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(CHECKPOINT_PERIOD);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = db
                    .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE);")
                    .await
                {
                    tracing::warn!(target: "storage", %error, "WAL checkpoint failed; tried again later");
                }
            }
        });
        Self {
            _task: Arc::new(StopOnDrop(task)),
        }
    }
}

/// Opens the checkpointer's own connection to `path` and starts it.
///
/// # Errors
/// The database error when the connection cannot be opened.
pub(crate) async fn checkpoint_in_background(path: &Path) -> Result<Checkpointer, sea_orm::DbErr> {
    Ok(Checkpointer::start(crate::open::connect(path).await?))
}

#[cfg(test)]
mod tests {
    use sea_orm::Statement;

    use super::*;

    async fn number(db: &DatabaseConnection, sql: &str) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }

    /// The store's own connection never checkpoints, and what it writes still reaches the
    /// database file: the background task copied it there.
    #[tokio::test]
    async fn commits_never_checkpoint_and_the_log_still_reaches_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wink.sqlite");
        let opened = crate::open_sqlite(&path).await.unwrap();
        let db = &opened.db;
        assert_eq!(number(db, "PRAGMA wal_autocheckpoint;").await, 0);
        db.execute_unprepared("CREATE TABLE filler (bytes BLOB);")
            .await
            .unwrap();
        // 1,500 pages of 4 KiB: past the 1,000 at which a commit would have checkpointed.
        for _ in 0..100 {
            db.execute_unprepared("INSERT INTO filler VALUES (randomblob(60000));")
                .await
                .unwrap();
        }
        let written = 100 * 60_000;
        let mut waited = Duration::ZERO;
        while std::fs::metadata(&path).unwrap().len() < written {
            assert!(
                waited < CHECKPOINT_PERIOD * 5,
                "the log was not copied back within {waited:?}: file {} bytes",
                std::fs::metadata(&path).unwrap().len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += Duration::from_millis(100);
        }
    }
}
