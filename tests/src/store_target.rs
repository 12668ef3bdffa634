//! Where the shared behaviour tests run: a SQLite file in a temporary folder, or a new
//! database on the throwaway PostgreSQL server that `scripts/peers/postgres.sh` started
//! (`WINK_TEST_POSTGRES` names it; `make test` sets it). A missing server fails the test
//! with the reason, never skips it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use wink_storage::SqlStore;

/// One empty store location, for one test.
pub enum Target {
    /// A SQLite file (the folder goes when the test ends).
    Sqlite(tempfile::TempDir),
    /// A database of its own on the test server.
    Postgres(String),
}

/// The URL of the test server's administrative database, or a failure saying why not.
fn postgres_server() -> String {
    std::env::var("WINK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "WINK_TEST_POSTGRES is not set: these tests need the PostgreSQL server that \
             scripts/peers/postgres.sh starts; run them with `make test` (or start it and set \
             WINK_TEST_POSTGRES=postgres://wink@127.0.0.1:5432/postgres)"
        )
    })
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (server, _) = url.rsplit_once('/').expect("a database URL has a path");
    format!("{server}/{name}")
}

impl Target {
    /// A new SQLite location.
    pub fn sqlite() -> Self {
        Self::Sqlite(tempfile::tempdir().expect("a temporary folder"))
    }

    /// A new, empty database on the test server.
    pub async fn postgres() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin_url = postgres_server();
        let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("the PostgreSQL test server at {admin_url} cannot be reached: {e}")
        });
        let name = format!(
            "wink_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        admin.close().await.ok();
        Self::Postgres(with_database(&admin_url, &name))
    }

    /// The SQLite file's path (`None` on PostgreSQL).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match self {
            Self::Sqlite(dir) => Some(dir.path().join("wink.sqlite")),
            Self::Postgres(_) => None,
        }
    }

    /// The store URL, as a user would write it in `storage_url`.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite(_) => {
                format!("sqlite://{}", self.sqlite_file().expect("sqlite").display())
            }
            Self::Postgres(url) => url.clone(),
        }
    }

    /// Opens the store (again: a reopen sees what an earlier open committed).
    pub async fn open(&self) -> SqlStore {
        let (store, kept) = SqlStore::open_url(&self.url())
            .await
            .unwrap_or_else(|e| panic!("cannot open the store at {}: {e}", self.url()));
        assert!(kept.is_none(), "a new store has nothing to keep aside");
        store
    }

    /// A bare connection with no migration run (for upgrade tests).
    pub async fn connect_unmigrated(&self) -> DatabaseConnection {
        let url = match self {
            Self::Sqlite(_) => format!("{}?mode=rwc", self.url()),
            Self::Postgres(url) => url.clone(),
        };
        Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
    }
}

/// Runs each named behaviour (an `async fn(Target)`) on SQLite and on PostgreSQL: two tests
/// each, `sqlite::<name>` and `postgres::<name>`.
#[macro_export]
macro_rules! on_both_databases {
    ($($behaviour:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    super::$behaviour($crate::store_target::Target::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    super::$behaviour($crate::store_target::Target::postgres().await).await;
                }
            )*
        }
    };
}
