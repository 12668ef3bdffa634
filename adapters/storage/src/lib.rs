//! The [`StoragePort`](wink_ports::StoragePort) adapter (issue 5, in progress): SQLite
//! through sea-orm, with versioned migrations and recovery from a damaged file.
//!
//! Done so far: opening (WAL, `synchronous=NORMAL`, `integrity_check`), moving a damaged
//! file aside as `wink.sqlite.corrupt-<time>`, the first schema, and call history.

mod history;
pub mod migration;
mod open;

pub use history::{add_history, clear_history, history, missed_count};
pub use open::{Opened, StoreError, open_sqlite};
