//! The XDG base directories Wink uses.

use std::path::{Path, PathBuf};

/// No home folder could be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot find the home folder: set HOME or the XDG_*_HOME variables")]
pub struct PathsError;

/// Where Wink keeps its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `$XDG_CONFIG_HOME/wink` — settings.
    pub config_dir: PathBuf,
    /// `$XDG_DATA_HOME/wink` — history database, recordings, the file secret store.
    pub data_dir: PathBuf,
    /// `$XDG_STATE_HOME/wink` — logs.
    pub state_dir: PathBuf,
}

fn base(var: &str, home: Option<&Path>, fallback: &str) -> Result<PathBuf, PathsError> {
    match std::env::var_os(var) {
        // The spec says relative values are invalid and must be ignored.
        Some(value) if Path::new(&value).is_absolute() => Ok(PathBuf::from(value)),
        _ => home.map(|h| h.join(fallback)).ok_or(PathsError),
    }
}

impl Paths {
    /// The folders from the environment (XDG variables, else under `$HOME`).
    ///
    /// # Errors
    /// [`PathsError`] when neither the XDG variable nor `HOME` is set.
    pub fn from_env() -> Result<Self, PathsError> {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let home = home.as_deref();
        Ok(Self {
            config_dir: base("XDG_CONFIG_HOME", home, ".config")?.join("wink"),
            data_dir: base("XDG_DATA_HOME", home, ".local/share")?.join("wink"),
            state_dir: base("XDG_STATE_HOME", home, ".local/state")?.join("wink"),
        })
    }

    /// All folders under one root (for tests and portable setups).
    pub fn under(root: &Path) -> Self {
        Self {
            config_dir: root.join("config").join("wink"),
            data_dir: root.join("data").join("wink"),
            state_dir: root.join("state").join("wink"),
        }
    }

    /// The settings file.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The file secret store.
    pub fn secrets_file(&self) -> PathBuf {
        self.data_dir.join("secrets.toml")
    }

    /// The default SQLite database.
    pub fn database_file(&self) -> PathBuf {
        self.data_dir.join("wink.sqlite")
    }

    /// Recordings.
    pub fn recordings_dir(&self) -> PathBuf {
        self.data_dir.join("recordings")
    }

    /// Received files, when the settings name no folder: `$XDG_DOWNLOAD_DIR` if it is
    /// absolute, else `Downloads` in the home folder, else `downloads` beside the history.
    pub fn default_downloads_dir(&self) -> PathBuf {
        match std::env::var_os("XDG_DOWNLOAD_DIR") {
            Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
            _ => std::env::var_os("HOME").map_or_else(
                || self.data_dir.join("downloads"),
                |home| PathBuf::from(home).join("Downloads"),
            ),
        }
    }

    /// Log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.state_dir.join("logs")
    }
}
