//! Opens the store the settings choose: SQLite at `$XDG_DATA_HOME/wink/wink.sqlite`, or the
//! database `storage_url` names (PostgreSQL, or SQLite elsewhere). Contacts that earlier
//! versions kept in the settings file move into the store on the first open.

use std::path::PathBuf;
use std::sync::Arc;

use wink_ports::StoragePort;
use wink_storage::SqlStore;

use super::AssembleError;
use crate::{Paths, Settings};

/// The store, and what the user should hear about opening it.
pub struct OpenedStore {
    /// The store.
    pub store: Arc<dyn StoragePort>,
    /// Set when the database could not be opened or failed its integrity check: it was
    /// moved here and a new one created.
    pub kept_damaged_file: Option<PathBuf>,
    /// How many contacts were moved from the settings file into the store by this open:
    /// the caller removes them from the settings file (they are safe in the store).
    pub imported_contacts: Option<usize>,
}

/// Opens the history/chat/contacts store and imports the settings file's contacts once.
///
/// # Errors
/// [`AssembleError::Storage`] when no store can be opened (the message says where and
/// why, never a password), or the contacts could not be imported (then nothing was, and
/// the settings file still holds them).
pub async fn open_store(settings: &Settings, paths: &Paths) -> Result<OpenedStore, AssembleError> {
    let (store, kept_damaged_file) = match &settings.storage_url {
        Some(url) => SqlStore::open_url(url).await,
        None => SqlStore::open(&paths.database_file()).await,
    }
    .map_err(|e| AssembleError::Storage(e.to_string()))?;
    let stored = &settings.contacts;
    let imported_contacts = if stored.contacts.is_empty() && stored.groups.is_empty() {
        None
    } else {
        store
            .import_contacts_once(&stored.groups, &stored.contacts)
            .await
            .map_err(|e| {
                AssembleError::Storage(format!(
                    "the contacts in the settings file could not be moved into the store \
                     (they are still in the settings file): {e}"
                ))
            })?
    };
    Ok(OpenedStore {
        store: Arc::new(store),
        kept_damaged_file,
        imported_contacts,
    })
}
