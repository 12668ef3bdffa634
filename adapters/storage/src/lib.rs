//! The [`StoragePort`](wink_ports::StoragePort) adapter: call history, chat messages,
//! contacts and groups through sea-orm, on SQLite (the default: WAL,
//! `synchronous=NORMAL`, `integrity_check` on open, a damaged file moved aside as
//! `wink.sqlite.corrupt-<time>`) or PostgreSQL (a URL), with versioned migrations that
//! upgrade any earlier store in place. Queries are built with sea-query so one code serves
//! both; only the chat word index differs (FTS5 on SQLite, a GIN index on PostgreSQL).

mod checkpoint;
mod codes;
mod contacts;
mod history;
mod messages;
mod meta;
pub mod migration;
mod open;
mod query_text;
mod store;
mod store_url;

pub use checkpoint::CHECKPOINT_PERIOD;
pub use contacts::{
    contacts, contacts_in, delete_contact, delete_group, groups, save_contact, save_group,
    search_contacts,
};
pub use history::{add_history, clear_history, history, missed_count};
pub use messages::{
    add_message, messages_with, search_messages, set_message_state, unsent_messages,
};
pub use open::{Checkpointer, Opened, StoreError, open_postgres, open_sqlite};
pub use store::SqlStore;
pub use store_url::{split_password, with_password, without_password};
