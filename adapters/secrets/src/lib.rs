//! `wink-secrets`: the [`SecretStore`](wink_ports::SecretStore) adapter.
//!
//! Two stores, chosen explicitly by a setting (never a silent fallback):
//! - [`KeyringStore`]: the desktop keyring through the Secret Service D-Bus API
//!   (gnome-keyring, KWallet), over `keyring-core` and its zbus store.
//! - [`FileSecretStore`]: a TOML file readable only by the user (mode 0600, folder 0700)
//!   under `$XDG_DATA_HOME/wink/`, for headless machines that have no keyring.
//!
//! Both stores do blocking I/O, so every call runs on tokio's blocking pool.
#![warn(missing_docs)]

mod file;
mod keyring;

pub use file::FileSecretStore;
pub use keyring::KeyringStore;

/// The service name passwords are filed under.
pub const SERVICE: &str = "wink";
