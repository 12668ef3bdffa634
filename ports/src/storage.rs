//! [`StoragePort`]: call history, chat messages, contacts and groups.

use crate::{
    AccountId, ChatMessageRecord, ContactId, ContactRecord, DeliveryState, GroupId, GroupRecord,
    HistoryQuery, HistoryRecord, MessageId, UnixMillis,
};

/// Why storage failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The store cannot be opened or written.
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    /// The record refers to something that does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A write conflicts with what is stored (e.g. a duplicate id).
    #[error("conflict: {0}")]
    Conflict(String),
}

/// Persistent state: history, chat, contacts.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait StoragePort: Send + Sync {
    /// Appends one entry to the call history.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn add_history(&self, record: HistoryRecord) -> Result<(), StorageError>;

    /// History entries matching `query`, newest first.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn history(&self, query: HistoryQuery) -> Result<Vec<HistoryRecord>, StorageError>;

    /// Empties the call history (chat messages stay).
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn clear_history(&self) -> Result<(), StorageError>;

    /// The number of missed calls since `since`.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn missed_count(&self, since: UnixMillis) -> Result<u64, StorageError>;

    /// When the user last looked at the missed calls (`None`: never).
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn missed_viewed_at(&self) -> Result<Option<UnixMillis>, StorageError>;

    /// Remembers that the user looked at the missed calls at `at`.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn set_missed_viewed_at(&self, at: UnixMillis) -> Result<(), StorageError>;

    /// Stores a chat or short message.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`], [`StorageError::Conflict`] for a duplicate id.
    async fn add_message(&self, message: ChatMessageRecord) -> Result<(), StorageError>;

    /// Changes the delivery state of a stored message.
    ///
    /// # Errors
    /// [`StorageError::NotFound`], [`StorageError::Unavailable`].
    async fn set_message_state(
        &self,
        id: &MessageId,
        state: DeliveryState,
    ) -> Result<(), StorageError>;

    /// Messages exchanged with `remote`, oldest first, at most `limit`.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn messages_with(
        &self,
        remote: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError>;

    /// Messages whose text contains `text` (case-insensitive), newest first, at most
    /// `limit`.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn search_messages(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError>;

    /// Every contact.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn contacts(&self) -> Result<Vec<ContactRecord>, StorageError>;

    /// What the user wrote from `account` that never got out: outgoing messages still
    /// queued (the app stopped while sending) or failed, oldest first, at most `limit`.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn unsent_messages(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError>;

    /// Contacts whose name, alias or SIP address contains `text` (any case), or whose phone
    /// number holds its digits when it looks like a number; by name, at most `limit`. The
    /// exact rule is [`contact_search`](crate::contact_search).
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn search_contacts(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ContactRecord>, StorageError>;

    /// Inserts or replaces a contact.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`], [`StorageError::NotFound`] if its group is missing.
    async fn save_contact(&self, contact: ContactRecord) -> Result<(), StorageError>;

    /// Deletes a contact.
    ///
    /// # Errors
    /// [`StorageError::NotFound`], [`StorageError::Unavailable`].
    async fn delete_contact(&self, id: &ContactId) -> Result<(), StorageError>;

    /// Every group.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn groups(&self) -> Result<Vec<GroupRecord>, StorageError>;

    /// Inserts or replaces a group.
    ///
    /// # Errors
    /// [`StorageError::Unavailable`].
    async fn save_group(&self, group: GroupRecord) -> Result<(), StorageError>;

    /// Deletes an empty group.
    ///
    /// # Errors
    /// [`StorageError::NotFound`], [`StorageError::Conflict`] if it still holds contacts.
    async fn delete_group(&self, id: &GroupId) -> Result<(), StorageError>;
}
