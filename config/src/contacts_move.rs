//! Contacts that earlier versions kept in the settings file: once [`crate::open_store`] has
//! imported them, they leave the file — but only when every one of them is in the store,
//! so nothing is ever dropped. Shared by both frontends; each words the outcome itself.

use wink_ports::{StorageError, StoragePort};

use crate::{ConfigError, ConfigFile, Settings};

/// Why the settings file's contacts could not be checked or removed (they stay in it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContactsMoveError {
    /// The store could not be read.
    #[error("the contacts in the store cannot be read: {0}")]
    Store(#[from] StorageError),
    /// The settings could not be saved.
    #[error(transparent)]
    Save(#[from] ConfigError),
}

/// What happened to the settings file's contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactsMove {
    /// The file held none.
    Nothing,
    /// They are all in the store and left the file.
    Moved {
        /// Contacts moved.
        contacts: usize,
        /// Groups moved.
        groups: usize,
    },
    /// This many contacts or groups of the file are not in the store: the file keeps them.
    Kept(usize),
}

/// Removes the settings file's contacts when the store holds every one of them, and saves
/// the settings (atomically) without them.
///
/// # Errors
/// A store that cannot be read, or settings that cannot be saved (nothing is lost: the
/// file still holds the contacts).
pub async fn forget_imported_contacts(
    settings: &mut Settings,
    file: &ConfigFile,
    store: &dyn StoragePort,
) -> Result<ContactsMove, ContactsMoveError> {
    let kept = &settings.contacts;
    if kept.contacts.is_empty() && kept.groups.is_empty() {
        return Ok(ContactsMove::Nothing);
    }
    let groups = store.groups().await?;
    let contacts = store.contacts().await?;
    let missing = kept
        .contacts
        .iter()
        .filter(|c| !contacts.contains(c))
        .count()
        + kept
            .groups
            .iter()
            .filter(|g| !groups.iter().any(|s| s.id == g.id))
            .count();
    if missing > 0 {
        return Ok(ContactsMove::Kept(missing));
    }
    let moved = ContactsMove::Moved {
        contacts: kept.contacts.len(),
        groups: kept.groups.len(),
    };
    let mut without = settings.clone();
    without.contacts = Default::default();
    file.save(&without)?;
    *settings = without;
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use wink_ports::{ContactId, ContactRecord, GroupId, GroupRecord, MediaKind};

    use super::*;
    use crate::{ContactSettings, MemoryStorage};

    fn group() -> GroupRecord {
        GroupRecord {
            id: GroupId::new("friends").unwrap(),
            name: "Friends".into(),
            position: 0,
            collapsed: false,
        }
    }

    fn contact(id: &str) -> ContactRecord {
        ContactRecord {
            id: ContactId::new(id).unwrap(),
            name: format!("Contact {id}"),
            sip_addresses: vec![format!("{id}@example.com")],
            phone_numbers: vec![],
            aliases: vec![],
            preferred_media: MediaKind::Audio,
            icon: None,
            group: group().id,
            position: 0,
            favorite: false,
        }
    }

    fn settings_with_contacts() -> Settings {
        Settings {
            contacts: ContactSettings {
                groups: vec![group()],
                contacts: vec![contact("a"), contact("b")],
            },
            ..Settings::default()
        }
    }

    #[tokio::test]
    async fn contacts_leave_the_file_only_when_all_are_in_the_store() {
        let folder = tempfile::tempdir().unwrap();
        let file = ConfigFile::new(folder.path().join("config.toml"));
        let store = MemoryStorage::default();
        store.save_group(group()).await.unwrap();
        store.save_contact(contact("a")).await.unwrap();

        let mut settings = settings_with_contacts();
        file.save(&settings).unwrap();
        assert_eq!(
            forget_imported_contacts(&mut settings, &file, &store)
                .await
                .unwrap(),
            ContactsMove::Kept(1)
        );
        assert_eq!(settings.contacts.contacts.len(), 2);
        assert_eq!(file.load().unwrap().settings.contacts.contacts.len(), 2);

        store.save_contact(contact("b")).await.unwrap();
        assert_eq!(
            forget_imported_contacts(&mut settings, &file, &store)
                .await
                .unwrap(),
            ContactsMove::Moved {
                contacts: 2,
                groups: 1
            }
        );
        assert!(settings.contacts.contacts.is_empty());
        assert!(file.load().unwrap().settings.contacts.contacts.is_empty());
        assert_eq!(
            forget_imported_contacts(&mut settings, &file, &store)
                .await
                .unwrap(),
            ContactsMove::Nothing
        );
    }
}
