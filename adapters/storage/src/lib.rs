//! The [`StoragePort`](wink_ports::StoragePort) adapter (issue 5, in progress): SQLite
//! through sea-orm, with versioned migrations and recovery from a damaged file.
//!
//! Done so far: opening (WAL, `synchronous=NORMAL`, `integrity_check`), moving a damaged
//! file aside as `wink.sqlite.corrupt-<time>`, the first schema, and the whole port on
//! SQLite ([`SqlStore`]): history, messages, contacts and groups.

mod codes;
mod contacts;
mod history;
mod messages;
mod meta;
pub mod migration;
mod open;
mod store;

pub use contacts::{
    contacts, contacts_in, delete_contact, delete_group, groups, save_contact, save_group,
    search_contacts,
};
pub use history::{add_history, clear_history, history, missed_count};
pub use messages::{add_message, messages_with, search_messages, set_message_state};
pub use open::{Opened, StoreError, open_postgres, open_sqlite, without_password};
pub use store::SqlStore;
