//! The app's link to the core: the settings file, the running phone and its store.
//!
//! Lives on the GLib main thread (`Rc`); every slow step (assembling the phone, the keyring,
//! the store, saving settings) runs on the core runtime through [`on_core`]. The phone is
//! started once an account exists: before the first account there is nothing to register
//! and no server to pick a local address towards.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::broadcast;
use wink_config::{
    AccountSettings, AssembleOptions, Assembled, ConfigFile, ContactsMove, LoadNotice, Paths,
    Settings, assemble, build_secret_store, domain_account, forget_imported_contacts,
};
use wink_domain::{Command, CommandOutcome, ContactList, PhoneError, PhoneEvent, PhoneHandle};
use wink_ports::{ContactRecord, GroupRecord, Password, StoragePort};

use crate::runtime::on_core;

/// The settings, and the phone once it runs.
pub(crate) struct Core {
    paths: Paths,
    file: ConfigFile,
    settings: RefCell<Settings>,
    running: RefCell<Option<Running>>,
    starting: Cell<bool>,
    notice: Option<String>,
}

/// What runs once the phone has started.
struct Running {
    phone: PhoneHandle,
    store: Arc<dyn StoragePort>,
    assembled: Arc<Assembled>,
}

/// The contact list as stored.
pub(crate) struct StoredContacts {
    /// Groups in their order.
    pub(crate) groups: Vec<GroupRecord>,
    /// Every contact.
    pub(crate) contacts: Vec<ContactRecord>,
}

impl Core {
    /// Loads the settings (a damaged file is kept aside and said so in [`Core::notice`]).
    ///
    /// # Errors
    /// When the XDG folders cannot be found or the file cannot be read at all.
    pub(crate) fn load() -> anyhow::Result<Rc<Self>> {
        let paths = Paths::from_env()?;
        let file = ConfigFile::new(paths.config_file());
        let loaded = file
            .load()
            .with_context(|| format!("cannot read the settings at {}", file.path().display()))?;
        let notice = match loaded.notice {
            Some(LoadNotice::Corrupt { kept_at, reason }) => Some(format!(
                "Your settings could not be read ({reason}). They were kept as {} and Wink \
                 started with default settings.",
                kept_at.display()
            )),
            _ => None,
        };
        Ok(Rc::new(Self {
            paths,
            file,
            settings: RefCell::new(loaded.settings),
            running: RefCell::new(None),
            starting: Cell::new(false),
            notice,
        }))
    }

    /// A sentence for the user about how the settings were loaded, if anything went wrong.
    pub(crate) fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// A copy of the settings.
    pub(crate) fn settings(&self) -> Settings {
        self.settings.borrow().clone()
    }

    /// Whether any account is configured.
    pub(crate) fn has_accounts(&self) -> bool {
        !self.settings.borrow().accounts.is_empty()
    }

    /// The running phone, if it has started.
    pub(crate) fn phone(&self) -> Option<PhoneHandle> {
        self.running.borrow().as_ref().map(|r| r.phone.clone())
    }

    /// Starts the phone (once), registers every enabled account, and returns its events
    /// with a sentence for each account that could not even try (no password stored, …).
    ///
    /// # Errors
    /// A sentence saying which part could not start (keyring, store, network).
    pub(crate) async fn start(
        &self,
    ) -> anyhow::Result<(broadcast::Receiver<PhoneEvent>, Vec<String>)> {
        if let Some(running) = self.running.borrow().as_ref() {
            return Ok((running.phone.subscribe(), Vec::new()));
        }
        anyhow::ensure!(
            !self.starting.replace(true),
            "the phone is already starting"
        );
        let settings = self.settings();
        let paths = self.paths.clone();
        let assembled =
            on_core(async move { assemble(&settings, &paths, AssembleOptions::default()).await })
                .await;
        self.starting.set(false);
        let assembled = Arc::new(assembled.context("Wink could not start")?);
        let mut problems = self.forget_imported_contacts(&assembled).await;
        let phone = assembled.phone.clone();
        let events = phone.subscribe();
        *self.running.borrow_mut() = Some(Running {
            phone: phone.clone(),
            store: assembled.store.clone(),
            assembled,
        });
        let accounts: Vec<_> = self
            .settings
            .borrow()
            .accounts
            .iter()
            .filter(|a| a.enabled && a.register)
            .map(AccountSettings::id)
            .collect();
        for account in accounts {
            // A registration that fails later shows as the account's state; one that
            // cannot start at all (no password stored) is said here.
            if let Err(error) = self.execute(Command::Register(account.clone())).await {
                problems.push(crate::sentence::sentence(&format!("{account}: {error}")));
            }
        }
        Ok((events, problems))
    }

    /// Contacts an earlier version kept in the settings file are in the store now (the
    /// store imported them when it opened): they leave the file, when every one is there.
    /// Returns what the user should hear.
    async fn forget_imported_contacts(&self, assembled: &Arc<Assembled>) -> Vec<String> {
        let none = {
            let settings = self.settings.borrow();
            settings.contacts.contacts.is_empty() && settings.contacts.groups.is_empty()
        };
        if none {
            return Vec::new();
        }
        let (mut settings, file, store) =
            (self.settings(), self.file.clone(), assembled.store.clone());
        let outcome = on_core(async move {
            let outcome = forget_imported_contacts(&mut settings, &file, store.as_ref()).await;
            (settings, outcome)
        })
        .await;
        match outcome {
            (settings, Ok(ContactsMove::Moved { .. })) => {
                *self.settings.borrow_mut() = settings;
                Vec::new()
            }
            (_, Ok(ContactsMove::Nothing)) => Vec::new(),
            (_, Ok(ContactsMove::Kept(missing))) => vec![format!(
                "Your settings file lists {missing} contacts or groups that are not in the \
                 contact store; they stay in the file at {}.",
                self.file.path().display()
            )],
            (_, Err(error)) => vec![crate::sentence::sentence(&error.to_string())],
        }
    }

    /// Runs a phone command on the core.
    ///
    /// # Errors
    /// The command's error, or [`PhoneError::Stopped`] when the phone is not running.
    pub(crate) async fn execute(&self, command: Command) -> Result<CommandOutcome, PhoneError> {
        let phone = self.phone().ok_or(PhoneError::Stopped)?;
        on_core(async move { phone.execute(command).await }).await
    }

    /// Adds an account (or, with `replace`, corrects the one with the same address): the
    /// password goes to the secret store first, then the settings are saved (so the
    /// settings never name an account without its password), then a running phone learns
    /// it and registers it. The first account becomes the default.
    ///
    /// # Errors
    /// A sentence: the account exists already, the keyring cannot be reached, the settings
    /// cannot be saved, …
    pub(crate) async fn save_account(
        &self,
        account: AccountSettings,
        password: Password,
        replace: bool,
    ) -> anyhow::Result<()> {
        let id = account.id();
        let mut settings = self.settings();
        match settings.accounts.iter_mut().find(|a| a.id() == id) {
            Some(existing) if replace => *existing = account.clone(),
            Some(_) => anyhow::bail!("{id} is already one of your accounts"),
            None => settings.accounts.push(account.clone()),
        }
        if settings.default_account.is_none() {
            settings.default_account = Some(id.clone());
        }
        let problems = settings.problems();
        anyhow::ensure!(problems.is_empty(), "{}", problems.join("; "));
        let (paths, file) = (self.paths.clone(), self.file.clone());
        let to_save = settings.clone();
        let secret_id = id.clone();
        on_core(async move {
            let secrets = build_secret_store(&to_save, &paths)
                .await
                .context("the password cannot be stored: the keyring does not answer")?;
            secrets
                .set_password(&secret_id, &password)
                .await
                .context("the password cannot be stored in the keyring")?;
            file.save(&to_save)
                .with_context(|| format!("cannot save the settings at {}", file.path().display()))
        })
        .await?;
        let is_default = settings.default_account.as_ref() == Some(&id);
        *self.settings.borrow_mut() = settings;
        if self.phone().is_some() {
            self.execute(Command::SetAccount(Box::new(domain_account(&account))))
                .await?;
            if is_default {
                self.execute(Command::SetDefaultAccount(id.clone())).await?;
            }
            self.execute(Command::Register(id)).await?;
        }
        Ok(())
    }

    /// Makes `id` the account calls go out on, and saves that.
    ///
    /// # Errors
    /// When the settings cannot be saved.
    pub(crate) async fn set_default_account(
        &self,
        id: wink_ports::AccountId,
    ) -> anyhow::Result<()> {
        let mut settings = self.settings();
        settings.default_account = Some(id.clone());
        self.save_settings(settings).await?;
        if self.phone().is_some() {
            self.execute(Command::SetDefaultAccount(id)).await?;
        }
        Ok(())
    }

    /// Saves the audio devices and moves the phone's calls (running and later) to them.
    /// The ring tone reads them from the settings when it next rings.
    ///
    /// # Errors
    /// When the settings cannot be saved, or a device cannot be opened for a running call.
    pub(crate) async fn set_audio(&self, audio: wink_config::AudioSettings) -> anyhow::Result<()> {
        let mut settings = self.settings();
        let (input, output) = (audio.input_device.clone(), audio.output_device.clone());
        settings.audio = audio;
        self.save_settings(settings).await?;
        if self.phone().is_some() {
            self.execute(Command::UseAudioDevices { input, output })
                .await?;
        }
        Ok(())
    }

    /// Changes the settings with `change` and saves them.
    ///
    /// # Errors
    /// When the settings cannot be saved (nothing changes then).
    pub(crate) async fn update_settings(
        &self,
        change: impl FnOnce(&mut Settings),
    ) -> anyhow::Result<()> {
        let mut settings = self.settings();
        change(&mut settings);
        self.save_settings(settings).await
    }

    /// Writes the settings (off the main loop), then keeps them as the current ones.
    async fn save_settings(&self, settings: Settings) -> anyhow::Result<()> {
        let file = self.file.clone();
        let to_save = settings.clone();
        on_core(async move { file.save(&to_save) })
            .await
            .context("the settings could not be saved")?;
        *self.settings.borrow_mut() = settings;
        Ok(())
    }

    /// The store of the running phone.
    fn store(&self) -> anyhow::Result<Arc<dyn StoragePort>> {
        self.running
            .borrow()
            .as_ref()
            .map(|r| r.store.clone())
            .context("the phone is not running")
    }

    /// The stored contacts and groups.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub(crate) async fn contacts(&self) -> anyhow::Result<StoredContacts> {
        let store = self.store()?;
        on_core(async move {
            Ok(StoredContacts {
                groups: store.groups().await?,
                contacts: store.contacts().await?,
            })
        })
        .await
    }

    /// The latest missed calls (newest first), for the Missed Calls group.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub(crate) async fn missed_calls(&self) -> anyhow::Result<Vec<wink_ports::HistoryRecord>> {
        let store = self.store()?;
        on_core(async move {
            Ok(store
                .history(wink_ports::HistoryQuery {
                    missed_only: true,
                    limit: Some(100),
                    ..wink_ports::HistoryQuery::default()
                })
                .await?)
        })
        .await
    }

    /// The stored lines exchanged with `remote` (`user@host`): the latest `limit`, oldest
    /// first.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub(crate) async fn messages_with(
        &self,
        remote: &str,
        limit: usize,
    ) -> anyhow::Result<Vec<wink_ports::ChatMessageRecord>> {
        let store = self.store()?;
        let remote = remote.to_owned();
        on_core(async move { Ok(store.messages_with(&remote, limit).await?) }).await
    }

    /// The address (`user@host`) a target as typed reaches from the default account,
    /// after its number rules: what conversations and transfers are matched by.
    pub(crate) fn address_of(&self, target: &str) -> Option<String> {
        let settings = self.settings.borrow();
        let account = settings
            .default_account
            .as_ref()
            .and_then(|id| settings.account(id))
            .or_else(|| settings.accounts.first())?;
        let resolved = wink_domain::Target::parse(target)
            .ok()?
            .resolve(&domain_account(account))
            .ok()?;
        Some(resolved.uri.address())
    }

    /// Changes the contact list: reads it from the store, applies `change` (the domain's
    /// rules), writes back only what changed, and returns the new list.
    ///
    /// # Errors
    /// The sentence `change` returned, or a store error.
    pub(crate) async fn change_contacts<F>(&self, change: F) -> anyhow::Result<StoredContacts>
    where
        F: FnOnce(&mut ContactList) -> Result<(), String> + Send + 'static,
    {
        let store = self.store()?;
        on_core(async move {
            let groups = store.groups().await?;
            let contacts = store.contacts().await?;
            let mut list = ContactList::from_records(groups.clone(), contacts.clone());
            change(&mut list).map_err(anyhow::Error::msg)?;
            list.save_changes(store.as_ref(), (&groups, &contacts))
                .await
                .context("the contacts cannot be saved")?;
            Ok(StoredContacts {
                groups: list.groups().to_vec(),
                contacts: list.contacts().to_vec(),
            })
        })
        .await
    }

    /// Unregisters and stops the SIP agent (when the app quits), waiting at most 2 s.
    pub(crate) fn shut_down(&self) {
        let Some(running) = self.running.borrow_mut().take() else {
            return;
        };
        let agent = running.assembled.clone();
        drop(running);
        let _ = crate::runtime::runtime().block_on(async move {
            tokio::time::timeout(std::time::Duration::from_secs(2), agent.agent.shutdown()).await
        });
    }
}
