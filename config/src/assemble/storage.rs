//! Opens the store the settings choose: SQLite at `$XDG_DATA_HOME/wink/wink.sqlite`, or the
//! database `storage_url` names (PostgreSQL, or SQLite elsewhere). Contacts that earlier
//! versions kept in the settings file move into the store on the first open. A database
//! password lives in the secret store (keyring or file), under the URL the settings keep.

use std::path::PathBuf;
use std::sync::Arc;

use wink_ports::{AccountId, Password, StoragePort};
use wink_storage::{SqlStore, split_password, with_password};

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
        Some(url) => SqlStore::open_url(&with_stored_password(settings, paths, url).await?).await,
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

/// The secret store's key for the password of the store at `url` (the URL without it).
fn password_key(url: &str) -> Result<AccountId, AssembleError> {
    AccountId::new(url).map_err(|e| AssembleError::Storage(format!("storage_url: {e}")))
}

/// `url` with the password the secret store keeps for it; as it is when it already holds
/// one, none is kept, or the secret store cannot be reached (PostgreSQL then tries
/// `~/.pgpass`, peer or trust authentication, and says so if none lets us in).
async fn with_stored_password(
    settings: &Settings,
    paths: &Paths,
    url: &str,
) -> Result<String, AssembleError> {
    if !url.starts_with("postgres") || split_password(url).1.is_some() {
        return Ok(url.to_owned());
    }
    let key = password_key(url)?;
    let stored = match super::build_secret_store(settings, paths).await {
        Ok(secrets) => secrets.get_password(&key).await,
        Err(error) => Err(error),
    };
    Ok(match stored {
        Ok(Some(password)) => with_password(url, password.expose()),
        Ok(None) => url.to_owned(),
        Err(error) => {
            tracing::warn!(target: "storage", %error, "no stored password for the store; trying without");
            url.to_owned()
        }
    })
}

/// Points the settings at the store at `url` (`None`: the default SQLite file), once it
/// opens: a URL that does not work changes nothing and stores nothing. A password in the
/// URL goes to the secret store and the settings keep the URL without it. The caller saves
/// the settings.
///
/// # Errors
/// [`AssembleError::Storage`] when the store cannot be opened, [`AssembleError::Secrets`]
/// when its password cannot be kept; the settings are unchanged then.
pub async fn set_store_url(
    settings: &mut Settings,
    paths: &Paths,
    url: Option<&str>,
) -> Result<OpenedStore, AssembleError> {
    let mut trial = settings.clone();
    trial.storage_url = url.map(str::to_owned);
    let opened = open_store(&trial, paths).await?;
    if let Some(url) = url {
        let (bare, password) = split_password(url);
        if let Some(password) = password {
            let secrets = super::build_secret_store(settings, paths).await?;
            secrets
                .set_password(&password_key(&bare)?, &Password::new(password))
                .await?;
        }
        trial.storage_url = Some(bare);
    }
    settings.storage_url = trial.storage_url;
    Ok(opened)
}
