//! `wink-config`: the settings, where they live, and the composition root.
//!
//! - [`Settings`]: everything the user sets — accounts and their advanced options, codec
//!   order, SRTP policy, audio devices, answering machine, number rules, web alert URL,
//!   LDAP, file logging, special groups, storage URL — as TOML at
//!   `$XDG_CONFIG_HOME/wink/config.toml`. Passwords are never part of it.
//! - [`ConfigFile`]: atomic saves (temporary file, fsync, rename, fsync of the folder) and
//!   recovery: a file that does not parse is kept as `config.toml.corrupt-<time>` and the
//!   app starts on defaults, with a [`LoadNotice`] saying so.
//! - [`Paths`]: the XDG folders.
//! - [`assemble`]: the one place that picks and builds adapters from settings.
//! - [`audio_devices`], [`DeviceListing`]: the microphones and speakers, with hot-plug
//!   events, for device lists and settings pages; [`start_ringing`]: the ring tone.
//! - [`memory`]: freed memory given back to the system after a burst.
//! - [`selftest`]: a test call between two user agents of our own, over loopback.
#![warn(missing_docs)]

mod assemble;
mod contacts_move;
mod devices;
mod file;
pub mod memory;
mod paths;
pub mod selftest;
mod settings;

pub use assemble::{
    AssembleError, AssembleOptions, Assembled, AudioSelection, MemorySecretStore, MemoryStorage,
    OpenedStore, SignalingOnlyMedia, SystemClock, assemble, build_secret_store, check_msrp_relay,
    domain_account, media_profile, open_store, phone_settings, set_store_url,
};
pub use contacts_move::{ContactsMove, ContactsMoveError, forget_imported_contacts};
pub use devices::{DeviceListing, Ringer, audio_devices, ringing_device, start_ringing};
pub use file::{ConfigError, ConfigFile, LoadNotice, Loaded};
pub use paths::{Paths, PathsError};
pub use settings::{
    AccountSettings, AudioSettings, Codec, ContactSettings, LdapSettings, LoggingSettings,
    SecretBackend, Settings, SrtpPolicy,
};
/// A store URL with its password hidden, for messages.
pub use wink_storage::without_password;
