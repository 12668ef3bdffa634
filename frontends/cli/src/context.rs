//! What every command works on: the paths, the loaded settings, and saving them.

use std::sync::Arc;

use anyhow::Context as _;
use wink_config::{
    ConfigFile, ContactsMove, LoadNotice, OpenedStore, Paths, Settings, forget_imported_contacts,
    open_store,
};
use wink_ports::StoragePort;

/// The loaded settings and where they live.
pub(crate) struct Context {
    pub(crate) paths: Paths,
    pub(crate) file: ConfigFile,
    pub(crate) settings: Settings,
}

impl Context {
    /// Loads the settings, telling the user on stderr if a damaged file was kept aside.
    pub(crate) fn load() -> anyhow::Result<Self> {
        let paths = Paths::from_env()?;
        let file = ConfigFile::new(paths.config_file());
        let loaded = file
            .load()
            .with_context(|| format!("cannot read the settings at {}", file.path().display()))?;
        if let Some(LoadNotice::Corrupt { kept_at, reason }) = &loaded.notice {
            eprintln!(
                "warning: the settings file could not be read ({reason}); it was kept as {} and Wink starts with default settings",
                kept_at.display()
            );
        }
        Ok(Self {
            paths,
            file,
            settings: loaded.settings,
        })
    }

    /// Checks and saves the settings atomically.
    pub(crate) fn save(&self) -> anyhow::Result<()> {
        let problems = self.settings.problems();
        anyhow::ensure!(
            problems.is_empty(),
            "the settings were not saved: {}",
            problems.join("; ")
        );
        self.file
            .save(&self.settings)
            .with_context(|| format!("cannot save the settings at {}", self.file.path().display()))
    }

    /// Opens the store, telling the user on stderr if a damaged database was kept aside.
    pub(crate) async fn open_store(&self) -> anyhow::Result<Arc<dyn StoragePort>> {
        Ok(self.open_store_reporting().await?.store)
    }

    async fn open_store_reporting(&self) -> anyhow::Result<OpenedStore> {
        let opened = open_store(&self.settings, &self.paths).await?;
        if let Some(kept) = &opened.kept_damaged_file {
            eprintln!(
                "warning: the history database was damaged; it was kept as {} and a new one started",
                kept.display()
            );
        }
        Ok(opened)
    }

    /// Moves contacts that earlier versions kept in the settings file into the store (once),
    /// then removes them from the file, but only when every one of them is in the store:
    /// nothing is ever dropped. Does nothing (and opens nothing) when the file holds none.
    pub(crate) async fn move_contacts_into_store(&mut self) -> anyhow::Result<()> {
        let kept = &self.settings.contacts;
        if kept.contacts.is_empty() && kept.groups.is_empty() {
            return Ok(());
        }
        let opened = self.open_store_reporting().await?;
        match forget_imported_contacts(&mut self.settings, &self.file, opened.store.as_ref())
            .await?
        {
            ContactsMove::Kept(missing) => eprintln!(
                "warning: the settings file at {} lists {missing} contacts or groups that the store \
                 does not hold; they were left in the file and are not shown (add them again with \
                 'contacts add', then remove the [contacts] section)",
                self.file.path().display()
            ),
            ContactsMove::Moved { contacts, groups } if opened.imported_contacts.is_some() => {
                eprintln!(
                    "moved {contacts} contacts and {groups} groups from the settings file into the store"
                );
            }
            ContactsMove::Moved { .. } | ContactsMove::Nothing => {}
        }
        Ok(())
    }
}
