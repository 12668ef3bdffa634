//! Opening the SQLite store: a damaged file is moved aside, never overwritten, and a new
//! one created; the caller is told where the old one went.

use std::path::{Path, PathBuf};

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

pub use crate::checkpoint::Checkpointer;
use crate::checkpoint::checkpoint_in_background;
use crate::migration::Migrator;
use crate::without_password;

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// The settings name a store that is not a PostgreSQL or SQLite URL.
    #[error(
        "{url} is not a store URL: use postgres://user@host/database or sqlite:///path/to/file"
    )]
    NotAStoreUrl {
        /// What was given (without a password).
        url: String,
    },
    /// The database server could not be reached or refused us.
    #[error("cannot reach the store at {url}: {reason}")]
    Unreachable {
        /// Where (without the password).
        url: String,
        /// What the server or network said.
        reason: String,
    },
    /// The file could not be moved aside or its folder created.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// An open, migrated store.
#[derive(Debug)]
pub struct Opened {
    /// The connection.
    pub db: DatabaseConnection,
    /// Where a damaged earlier file was kept, if the store had to start over.
    pub kept_damaged_file: Option<PathBuf>,
    /// Copies the write-ahead log back into the file in the background for as long as it
    /// is kept (commits never do): keep it with `db`.
    pub checkpointer: Checkpointer,
}

pub(crate) async fn connect(path: &Path) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut options = ConnectOptions::new(url);
    // On every connection the pool opens, not only the first (the pool holds one and
    // replaces it after 30 min; a PRAGMA run through it reached only the first): WAL, so readers never block the writer and a crash keeps
    // every committed transaction; NORMAL sync, which WAL makes safe; foreign keys; no
    // checkpoint inside a commit (`checkpoint.rs` does them in the background).
    options.sqlx_logging(false).map_sqlx_sqlite_opts(|sqlite| {
        sqlite
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .pragma("wal_autocheckpoint", "0")
    });
    Database::connect(options).await
}

async fn is_healthy(db: &DatabaseConnection) -> bool {
    let Ok(Some(row)) = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "PRAGMA integrity_check;",
        ))
        .await
    else {
        return false;
    };
    row.try_get_by_index::<String>(0)
        .is_ok_and(|verdict| verdict == "ok")
}

fn corrupt_name(path: &Path) -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_else(|_| "unknown-time".into());
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".corrupt-{stamp}"));
    let mut candidate = PathBuf::from(&name);
    let mut n = 1;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}-{n}", name.to_string_lossy()));
        n += 1;
    }
    candidate
}

/// Moves `path` (and its WAL and shared-memory files) aside; returns where it went.
fn keep_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let kept = corrupt_name(path);
    std::fs::rename(path, &kept).map_err(|e| StoreError::File {
        path: path.to_owned(),
        reason: format!("cannot move the damaged database aside: {e}"),
    })?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            let mut target = kept.as_os_str().to_owned();
            target.push(suffix);
            let _ = std::fs::rename(&side, PathBuf::from(target));
        }
    }
    Ok(kept)
}

/// Opens (or creates) the store at `path`, migrated to the latest schema. A file that
/// cannot be opened or fails `PRAGMA integrity_check` is kept as
/// `<name>.corrupt-<time>` and a new store is created.
///
/// # Errors
/// [`StoreError`] when even a new store cannot be created.
pub async fn open_sqlite(path: &Path) -> Result<Opened, StoreError> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| StoreError::File {
            path: folder.to_owned(),
            reason: e.to_string(),
        })?;
    }
    let mut kept_damaged_file = None;
    let db = match connect(path).await {
        Ok(db) if is_healthy(&db).await => Some(db),
        Ok(db) => {
            let _ = db.close().await;
            None
        }
        Err(_) => None,
    };
    let db = match db {
        Some(db) => db,
        None => {
            let kept = keep_aside(path)?;
            tracing::warn!(target: "storage", kept = %kept.display(), "the database was damaged; a new one was created");
            kept_damaged_file = Some(kept);
            connect(path).await?
        }
    };
    Migrator::up(&db, None).await?;
    let checkpointer = checkpoint_in_background(path).await?;
    Ok(Opened {
        db,
        kept_damaged_file,
        checkpointer,
    })
}

/// Opens the PostgreSQL store at `url` (`postgres://user:password@host/database`), migrated
/// to the latest schema. The server keeps its data safe itself; nothing is moved aside.
///
/// # Errors
/// [`StoreError::Unreachable`] when the server cannot be reached or refuses us (the
/// message never holds the password), [`StoreError::Database`] when a migration fails.
pub async fn open_postgres(url: &str) -> Result<DatabaseConnection, StoreError> {
    // One plain connection first: the pool below retries a refused connection until its
    // timeout and then says only "pool timed out"; this says why, at once.
    let probe = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        <sea_orm::sqlx::PgConnection as sea_orm::sqlx::Connection>::connect(url),
    )
    .await
    .ok();
    let unreachable = |reason: String| StoreError::Unreachable {
        url: without_password(url),
        reason,
    };
    match probe {
        Some(Ok(connection)) => {
            let _ = sea_orm::sqlx::Connection::close(connection).await;
        }
        Some(Err(error)) => return Err(unreachable(error.to_string())),
        None => return Err(unreachable("no answer within 10 s".into())),
    }
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .max_connections(4)
        .connect_timeout(std::time::Duration::from_secs(10));
    let db = Database::connect(options)
        .await
        .map_err(|error| StoreError::Unreachable {
            url: without_password(url),
            reason: error.to_string(),
        })?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_connection_syncs_normally_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let opened = open_sqlite(&dir.path().join("wink.sqlite")).await.unwrap();
        for (pragma, expected) in [("synchronous", 1), ("foreign_keys", 1)] {
            let row = opened
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    opened.db.get_database_backend(),
                    format!("PRAGMA {pragma};"),
                ))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                row.try_get_by_index::<i32>(0).unwrap(),
                expected,
                "{pragma}"
            );
        }
    }

    #[tokio::test]
    async fn a_new_store_is_created_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/wink.sqlite");
        let opened = open_sqlite(&path).await.unwrap();
        assert!(opened.kept_damaged_file.is_none());
        let row = opened
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                opened.db.get_database_backend(),
                "PRAGMA journal_mode;",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "wal");
        // Opening again keeps the same file.
        drop(opened);
        assert!(
            open_sqlite(&path)
                .await
                .unwrap()
                .kept_damaged_file
                .is_none()
        );
    }

    #[tokio::test]
    async fn garbage_is_kept_aside_byte_for_byte_and_a_new_store_starts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wink.sqlite");
        let garbage = b"this is not a database, but someone's data all the same".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let opened = open_sqlite(&path).await.unwrap();
        let kept = opened
            .kept_damaged_file
            .clone()
            .expect("the garbage was kept");
        assert!(kept.to_string_lossy().contains("wink.sqlite.corrupt-"));
        assert_eq!(std::fs::read(&kept).unwrap(), garbage);
        assert!(is_healthy(&opened.db).await);
    }
}
