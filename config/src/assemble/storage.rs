//! Opens the store the settings choose: SQLite at `$XDG_DATA_HOME/wink/wink.sqlite`.

use std::path::PathBuf;
use std::sync::Arc;

use wink_ports::StoragePort;
use wink_storage::SqlStore;

use super::AssembleError;
use crate::{Paths, Settings};

/// The store, and where a damaged earlier database was kept (tell the user).
pub struct OpenedStore {
    /// The store.
    pub store: Arc<dyn StoragePort>,
    /// Set when the database could not be opened or failed its integrity check: it was
    /// moved here and a new one created.
    pub kept_damaged_file: Option<PathBuf>,
}

/// Opens the history/chat/contacts store.
///
/// # Errors
/// [`AssembleError::Storage`] when no store can be opened, or the settings ask for a
/// database URL (PostgreSQL is not supported yet).
pub async fn open_store(settings: &Settings, paths: &Paths) -> Result<OpenedStore, AssembleError> {
    if let Some(url) = &settings.storage_url {
        return Err(AssembleError::Storage(format!(
            "storage_url {url:?}: only the built-in SQLite store is supported in this version; \
             remove storage_url from the settings to use it"
        )));
    }
    let (store, kept_damaged_file) = SqlStore::open(&paths.database_file())
        .await
        .map_err(|e| AssembleError::Storage(e.to_string()))?;
    Ok(OpenedStore {
        store: Arc::new(store),
        kept_damaged_file,
    })
}
