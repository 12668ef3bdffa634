//! History, messages and contacts kept in memory for one run: the self-test's store, which
//! must leave the user's own store alone. It honours the whole [`StoragePort`] contract.

use std::sync::Mutex;

use wink_ports::{
    AccountId, ChatMessageRecord, ContactId, ContactRecord, DeliveryState, GroupId, GroupRecord,
    HistoryQuery, HistoryRecord, MessageId, StorageError, StoragePort, UnixMillis,
};

#[derive(Default)]
struct Data {
    history: Vec<HistoryRecord>,
    messages: Vec<ChatMessageRecord>,
    contacts: Vec<ContactRecord>,
    groups: Vec<GroupRecord>,
    missed_viewed_at: Option<UnixMillis>,
}

/// An in-memory [`StoragePort`].
#[derive(Default)]
pub struct MemoryStorage {
    data: Mutex<Data>,
}

impl MemoryStorage {
    fn with<T>(&self, f: impl FnOnce(&mut Data) -> T) -> T {
        f(&mut self.data.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait::async_trait]
impl StoragePort for MemoryStorage {
    async fn add_history(&self, record: HistoryRecord) -> Result<(), StorageError> {
        self.with(|d| d.history.push(record));
        Ok(())
    }

    async fn history(&self, query: HistoryQuery) -> Result<Vec<HistoryRecord>, StorageError> {
        Ok(self.with(|d| {
            let mut rows: Vec<HistoryRecord> = d
                .history
                .iter()
                .rev()
                .filter(|r| query.direction.is_none_or(|dir| r.direction == dir))
                .filter(|r| !query.missed_only || r.result.is_missed())
                .filter(|r| {
                    query
                        .remote
                        .as_ref()
                        .is_none_or(|remote| &r.remote == remote)
                })
                .filter(|r| query.media.is_none_or(|media| r.media.contains(&media)))
                .filter(|r| query.since.is_none_or(|since| r.started_at >= since))
                .cloned()
                .collect();
            if let Some(limit) = query.limit {
                rows.truncate(limit);
            }
            rows
        }))
    }

    async fn clear_history(&self) -> Result<(), StorageError> {
        self.with(|d| d.history.clear());
        Ok(())
    }

    async fn missed_count(&self, since: UnixMillis) -> Result<u64, StorageError> {
        Ok(self.with(|d| {
            d.history
                .iter()
                .filter(|r| r.result.is_missed() && r.started_at >= since)
                .count() as u64
        }))
    }

    async fn add_message(&self, message: ChatMessageRecord) -> Result<(), StorageError> {
        self.with(|d| {
            if d.messages.iter().any(|m| m.id == message.id) {
                return Err(StorageError::Conflict(format!(
                    "message {} exists",
                    message.id
                )));
            }
            d.messages.push(message);
            Ok(())
        })
    }

    async fn set_message_state(
        &self,
        id: &MessageId,
        state: DeliveryState,
    ) -> Result<(), StorageError> {
        self.with(|d| match d.messages.iter_mut().find(|m| &m.id == id) {
            Some(message) => {
                message.state = state;
                Ok(())
            }
            None => Err(StorageError::NotFound(format!("message {id}"))),
        })
    }

    async fn messages_with(
        &self,
        remote: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError> {
        Ok(self.with(|d| {
            let matching: Vec<ChatMessageRecord> = d
                .messages
                .iter()
                .filter(|m| m.remote == remote)
                .cloned()
                .collect();
            let skip = matching.len().saturating_sub(limit);
            matching.into_iter().skip(skip).collect()
        }))
    }

    async fn missed_viewed_at(&self) -> Result<Option<UnixMillis>, StorageError> {
        Ok(self.with(|d| d.missed_viewed_at))
    }

    async fn set_missed_viewed_at(&self, at: UnixMillis) -> Result<(), StorageError> {
        self.with(|d| d.missed_viewed_at = Some(at));
        Ok(())
    }

    async fn search_messages(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError> {
        let wanted = text.to_lowercase();
        Ok(self.with(|d| {
            d.messages
                .iter()
                .rev()
                .filter(|m| m.body.to_lowercase().contains(&wanted))
                .take(limit)
                .cloned()
                .collect()
        }))
    }

    async fn contacts(&self) -> Result<Vec<ContactRecord>, StorageError> {
        Ok(self.with(|d| d.contacts.clone()))
    }

    async fn unsent_messages(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<ChatMessageRecord>, StorageError> {
        let mut unsent: Vec<ChatMessageRecord> = self.with(|d| {
            d.messages
                .iter()
                .filter(|m| {
                    &m.account == account
                        && m.direction == wink_ports::CallDirection::Outgoing
                        && matches!(m.state, DeliveryState::Queued | DeliveryState::Failed)
                })
                .cloned()
                .collect()
        });
        unsent.sort_by_key(|m| m.at);
        let skip = unsent.len().saturating_sub(limit);
        Ok(unsent.split_off(skip))
    }

    async fn search_contacts(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ContactRecord>, StorageError> {
        let needles = wink_ports::contact_search::needles(text);
        let mut found: Vec<ContactRecord> = self.with(|d| {
            d.contacts
                .iter()
                .filter(|c| wink_ports::contact_search::matches(&needles, c))
                .cloned()
                .collect()
        });
        found.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        found.truncate(limit);
        Ok(found)
    }

    async fn save_contact(&self, contact: ContactRecord) -> Result<(), StorageError> {
        self.with(|d| {
            if !d.groups.iter().any(|g| g.id == contact.group) {
                return Err(StorageError::NotFound(format!("group {}", contact.group)));
            }
            d.contacts.retain(|c| c.id != contact.id);
            d.contacts.push(contact);
            Ok(())
        })
    }

    async fn delete_contact(&self, id: &ContactId) -> Result<(), StorageError> {
        self.with(|d| {
            let before = d.contacts.len();
            d.contacts.retain(|c| &c.id != id);
            if d.contacts.len() == before {
                Err(StorageError::NotFound(format!("contact {id}")))
            } else {
                Ok(())
            }
        })
    }

    async fn groups(&self) -> Result<Vec<GroupRecord>, StorageError> {
        Ok(self.with(|d| d.groups.clone()))
    }

    async fn save_group(&self, group: GroupRecord) -> Result<(), StorageError> {
        self.with(|d| {
            d.groups.retain(|g| g.id != group.id);
            d.groups.push(group);
        });
        Ok(())
    }

    async fn delete_group(&self, id: &GroupId) -> Result<(), StorageError> {
        self.with(|d| {
            if d.contacts.iter().any(|c| &c.group == id) {
                return Err(StorageError::Conflict(format!(
                    "group {id} still has contacts"
                )));
            }
            let before = d.groups.len();
            d.groups.retain(|g| &g.id != id);
            if d.groups.len() == before {
                Err(StorageError::NotFound(format!("group {id}")))
            } else {
                Ok(())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::{AccountId, CallDirection};

    use super::*;

    #[tokio::test]
    async fn messages_keep_their_state_and_order() {
        let store = MemoryStorage::default();
        for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
            store
                .add_message(ChatMessageRecord {
                    id: MessageId::new(id).unwrap(),
                    account: AccountId::new("me@x.org").unwrap(),
                    remote: "bob@x.org".into(),
                    direction: CallDirection::Outgoing,
                    content_type: "text/plain".into(),
                    body: id.into(),
                    at: UnixMillis(i as i64),
                    state: DeliveryState::Queued,
                })
                .await
                .unwrap();
        }
        store
            .set_message_state(&MessageId::new("b").unwrap(), DeliveryState::Failed)
            .await
            .unwrap();
        let last_two = store.messages_with("bob@x.org", 2).await.unwrap();
        assert_eq!(
            last_two.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert_eq!(last_two[0].state, DeliveryState::Failed);
        assert!(
            store
                .set_message_state(&MessageId::new("zz").unwrap(), DeliveryState::Sent)
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn contact_search_finds_what_the_contract_table_says() {
        use wink_ports::contact_search::examples;
        let store = MemoryStorage::default();
        store.save_group(examples::group()).await.unwrap();
        for contact in examples::address_book() {
            store.save_contact(contact).await.unwrap();
        }
        for &(query, expected) in examples::QUERIES {
            let found = store.search_contacts(query, 100).await.unwrap();
            let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(names, expected, "query {query:?}");
        }
    }
}
