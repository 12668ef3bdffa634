//! [`SqlStore`]: the [`StoragePort`] over one database connection.

use std::path::Path;

use sea_orm::{DatabaseConnection, DbErr, SqlErr};
use wink_ports::{
    AccountId, ChatMessageRecord, ContactId, ContactRecord, DeliveryState, GroupId, GroupRecord,
    HistoryQuery, HistoryRecord, MessageId, StorageError, StoragePort, UnixMillis,
};

use crate::{Opened, StoreError, open_sqlite};

/// The store the app uses.
#[derive(Debug, Clone)]
pub struct SqlStore {
    db: DatabaseConnection,
    /// SQLite: the background checkpoints, for as long as the store is open.
    _checkpointer: Option<crate::Checkpointer>,
}

fn unavailable(error: DbErr) -> StorageError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) => StorageError::Conflict(detail),
        Some(SqlErr::ForeignKeyConstraintViolation(detail)) => StorageError::Conflict(detail),
        _ => StorageError::Unavailable(error.to_string()),
    }
}

impl SqlStore {
    /// Opens (or creates, or rebuilds after damage) the SQLite store at `path`; the second
    /// value says where a damaged file was kept, for the user.
    ///
    /// # Errors
    /// [`StoreError`] when no store can be opened at all.
    pub async fn open(path: &Path) -> Result<(Self, Option<std::path::PathBuf>), StoreError> {
        let Opened {
            db,
            kept_damaged_file,
            checkpointer,
        } = open_sqlite(path).await?;
        let store = Self {
            db,
            _checkpointer: Some(checkpointer),
        };
        Ok((store, kept_damaged_file))
    }

    /// Opens the store a URL names: `postgres://…` (or `postgresql://…`) for a PostgreSQL
    /// server, `sqlite:///path/to/file` for a SQLite file elsewhere than the default.
    ///
    /// # Errors
    /// [`StoreError`] when the URL is of another kind or no store can be opened there.
    pub async fn open_url(url: &str) -> Result<(Self, Option<std::path::PathBuf>), StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let db = crate::open_postgres(url).await?;
            let store = Self {
                db,
                _checkpointer: None,
            };
            return Ok((store, None));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            return Self::open(Path::new(path)).await;
        }
        Err(StoreError::NotAStoreUrl {
            url: crate::without_password(url),
        })
    }

    /// Copies contacts and groups kept elsewhere (the settings file of earlier versions)
    /// into the store, once: all in one transaction with a mark that it was done, so a
    /// crash leaves either everything or nothing, and a second call imports nothing.
    /// Returns how many contacts were imported (`None`: done before).
    ///
    /// # Errors
    /// [`StorageError`] when the database refuses; then nothing was imported.
    pub async fn import_contacts_once(
        &self,
        groups: &[GroupRecord],
        contacts: &[ContactRecord],
    ) -> Result<Option<usize>, StorageError> {
        use sea_orm::TransactionTrait as _;
        let transaction = self.db.begin().await.map_err(unavailable)?;
        if crate::meta::get_meta(&transaction, crate::meta::CONTACTS_IMPORTED)
            .await
            .map_err(unavailable)?
            .is_some()
        {
            return Ok(None);
        }
        for group in groups {
            crate::save_group(&transaction, group)
                .await
                .map_err(unavailable)?;
        }
        for contact in contacts {
            crate::save_contact(&transaction, contact)
                .await
                .map_err(unavailable)?;
        }
        let done = format!("{} contacts, {} groups", contacts.len(), groups.len());
        crate::meta::set_meta(&transaction, crate::meta::CONTACTS_IMPORTED, &done)
            .await
            .map_err(unavailable)?;
        transaction.commit().await.map_err(unavailable)?;
        Ok(Some(contacts.len()))
    }
}

#[async_trait::async_trait]
impl StoragePort for SqlStore {
    async fn add_history(&self, record: HistoryRecord) -> Result<(), StorageError> {
        crate::add_history(&self.db, &record)
            .await
            .map_err(unavailable)
    }

    async fn history(&self, query: HistoryQuery) -> Result<Vec<HistoryRecord>, StorageError> {
        crate::history(&self.db, &query).await.map_err(unavailable)
    }

    async fn clear_history(&self) -> Result<(), StorageError> {
        crate::clear_history(&self.db).await.map_err(unavailable)
    }

    async fn missed_count(&self, since: UnixMillis) -> Result<u64, StorageError> {
        crate::missed_count(&self.db, since)
            .await
            .map_err(unavailable)
    }

    async fn missed_viewed_at(&self) -> Result<Option<UnixMillis>, StorageError> {
        let value = crate::meta::get_meta(&self.db, crate::meta::MISSED_VIEWED_AT)
            .await
            .map_err(unavailable)?;
        Ok(value.and_then(|v| v.parse().ok()).map(UnixMillis))
    }

    async fn set_missed_viewed_at(&self, at: UnixMillis) -> Result<(), StorageError> {
        crate::meta::set_meta(&self.db, crate::meta::MISSED_VIEWED_AT, &at.0.to_string())
            .await
            .map_err(unavailable)
    }

    async fn add_message(&self, message: ChatMessageRecord) -> Result<(), StorageError> {
        crate::add_message(&self.db, &message)
            .await
            .map_err(unavailable)
    }

    async fn set_message_state(
        &self,
        id: &MessageId,
        state: DeliveryState,
    ) -> Result<(), StorageError> {
        match crate::set_message_state(&self.db, id, state).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(StorageError::NotFound(format!("message {id}"))),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn messages_with(
        &self,
        remote: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError> {
        crate::messages_with(&self.db, remote, limit)
            .await
            .map_err(unavailable)
    }

    async fn unsent_messages(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError> {
        crate::unsent_messages(&self.db, account, limit)
            .await
            .map_err(unavailable)
    }

    async fn search_messages(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError> {
        crate::search_messages(&self.db, text, limit)
            .await
            .map_err(unavailable)
    }

    async fn contacts(&self) -> Result<Vec<ContactRecord>, StorageError> {
        crate::contacts(&self.db).await.map_err(unavailable)
    }

    async fn search_contacts(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ContactRecord>, StorageError> {
        crate::search_contacts(&self.db, text, limit)
            .await
            .map_err(unavailable)
    }

    async fn save_contact(&self, contact: ContactRecord) -> Result<(), StorageError> {
        let known = crate::groups(&self.db)
            .await
            .map_err(unavailable)?
            .iter()
            .any(|g| g.id == contact.group);
        if !known {
            return Err(StorageError::NotFound(format!("group {}", contact.group)));
        }
        crate::save_contact(&self.db, &contact)
            .await
            .map_err(unavailable)
    }

    async fn delete_contact(&self, id: &ContactId) -> Result<(), StorageError> {
        match crate::delete_contact(&self.db, id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(StorageError::NotFound(format!("contact {id}"))),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn groups(&self) -> Result<Vec<GroupRecord>, StorageError> {
        crate::groups(&self.db).await.map_err(unavailable)
    }

    async fn save_group(&self, group: GroupRecord) -> Result<(), StorageError> {
        crate::save_group(&self.db, &group)
            .await
            .map_err(unavailable)
    }

    async fn delete_group(&self, id: &GroupId) -> Result<(), StorageError> {
        let members = crate::contacts_in(&self.db, id)
            .await
            .map_err(unavailable)?;
        if members > 0 {
            return Err(StorageError::Conflict(format!(
                "group {id} still holds {members} contacts"
            )));
        }
        match crate::delete_group(&self.db, id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(StorageError::NotFound(format!("group {id}"))),
            Err(error) => Err(unavailable(error)),
        }
    }
}
