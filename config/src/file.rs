//! Loading and saving `config.toml`: atomic saves, and recovery from a damaged file.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;
use tracing::warn;

use crate::Settings;

/// Why settings could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file or its folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The settings could not be written as TOML.
    #[error("the settings cannot be written: {0}")]
    Serialize(#[from] toml::ser::Error),
}

/// Something the user should be told about the settings that were loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadNotice {
    /// There was no settings file yet: defaults are in use.
    FirstRun,
    /// The file did not parse: it was kept aside, and defaults are in use.
    Corrupt {
        /// Where the damaged file now is.
        kept_at: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

/// Settings as loaded, with what the user should know about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The settings.
    pub settings: Settings,
    /// A notice to show, if any.
    pub notice: Option<LoadNotice>,
}

/// The settings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    path: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    }
}

impl ConfigFile {
    /// The settings file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the settings. A missing file gives defaults; a file that does not parse is
    /// renamed to `config.toml.corrupt-<time>` and defaults are returned, never an error.
    ///
    /// # Errors
    /// [`ConfigError::Io`] only when the file exists but cannot be read or kept aside.
    pub fn load(&self) -> Result<Loaded, ConfigError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Ok(Loaded {
                    settings: Settings::default(),
                    notice: Some(LoadNotice::FirstRun),
                });
            }
            Err(e) => return Err(io(&self.path)(e)),
        };
        let parsed = String::from_utf8(bytes)
            .map_err(|e| format!("it is not UTF-8 text ({e})"))
            .and_then(|text| toml::from_str::<Settings>(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(settings) => Ok(Loaded {
                settings,
                notice: None,
            }),
            Err(reason) => {
                let kept_at = self.keep_aside()?;
                warn!(target: "config", kept_at = %kept_at.display(), %reason, "settings file is damaged; starting on defaults");
                Ok(Loaded {
                    settings: Settings::default(),
                    notice: Some(LoadNotice::Corrupt { kept_at, reason }),
                })
            }
        }
    }

    /// Renames the damaged file to a name no other file has.
    fn keep_aside(&self) -> Result<PathBuf, ConfigError> {
        let format = format_description!("[year][month][day]T[hour][minute][second]Z");
        let stamp = OffsetDateTime::now_utc()
            .format(format)
            .unwrap_or_else(|_| "unknown-time".into());
        let name = self
            .path
            .file_name()
            .map_or("config.toml".into(), |n| n.to_string_lossy().into_owned());
        let mut target = self.path.with_file_name(format!("{name}.corrupt-{stamp}"));
        let mut n = 1;
        while target.exists() {
            n += 1;
            target = self
                .path
                .with_file_name(format!("{name}.corrupt-{stamp}-{n}"));
        }
        fs::rename(&self.path, &target).map_err(io(&self.path))?;
        Ok(target)
    }

    /// Saves atomically: a temporary file in the same folder, fsync, rename over the old
    /// file, fsync of the folder. A crash at any point leaves the old or the new file whole.
    ///
    /// # Errors
    /// [`ConfigError::Io`], [`ConfigError::Serialize`].
    pub fn save(&self, settings: &Settings) -> Result<(), ConfigError> {
        let text = toml::to_string_pretty(settings)?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(io(dir))?;
        let mut temp = tempfile::Builder::new()
            .prefix(".config.toml.")
            .tempfile_in(dir)
            .map_err(io(dir))?;
        temp.write_all(text.as_bytes()).map_err(io(temp.path()))?;
        temp.as_file().sync_all().map_err(io(&self.path))?;
        temp.persist(&self.path)
            .map_err(|e| io(&self.path)(e.error))?;
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use wink_domain::AccountAddress;

    use super::*;
    use crate::AccountSettings;

    fn settings() -> Settings {
        let mut settings = Settings::default();
        settings.accounts.push(AccountSettings::new(
            AccountAddress::parse("alice@example.com").unwrap(),
        ));
        settings
    }

    #[test]
    fn missing_file_is_a_first_run() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = ConfigFile::new(dir.path().join("wink/config.toml"))
            .load()
            .unwrap();
        assert_eq!(loaded.settings, Settings::default());
        assert_eq!(loaded.notice, Some(LoadNotice::FirstRun));
    }

    #[test]
    fn save_then_load_gives_the_same_settings() {
        let dir = tempfile::tempdir().unwrap();
        let file = ConfigFile::new(dir.path().join("wink/config.toml"));
        file.save(&settings()).unwrap();
        let loaded = file.load().unwrap();
        assert_eq!(loaded.settings, settings());
        assert_eq!(loaded.notice, None);
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(dir.path().join("wink"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["config.toml"]);
    }

    #[test]
    fn a_corrupt_file_is_kept_and_defaults_are_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let garbage = "accounts = [[[ this is not toml\n";
        fs::write(&path, garbage).unwrap();
        let loaded = ConfigFile::new(&path).load().unwrap();
        assert_eq!(loaded.settings, Settings::default());
        let Some(LoadNotice::Corrupt { kept_at, reason }) = loaded.notice else {
            panic!("{:?}", loaded.notice)
        };
        assert!(
            kept_at
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("config.toml.corrupt-")
        );
        assert_eq!(
            fs::read_to_string(&kept_at).unwrap(),
            garbage,
            "the damaged file is preserved byte for byte"
        );
        assert!(!path.exists());
        assert!(!reason.is_empty());

        // A second damaged file on the same second does not overwrite the first.
        fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        let second = ConfigFile::new(&path).load().unwrap();
        let Some(LoadNotice::Corrupt {
            kept_at: second_kept,
            reason,
        }) = second.notice
        else {
            panic!()
        };
        assert_ne!(second_kept, kept_at);
        assert!(reason.contains("UTF-8"), "{reason}");
        assert_eq!(fs::read(&second_kept).unwrap(), [0xff, 0xfe, 0x00]);
    }

    #[test]
    fn a_file_with_an_invalid_value_is_kept_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, "[[accounts]]\naddress = \"nobody\"\n").unwrap();
        let loaded = ConfigFile::new(&path).load().unwrap();
        assert!(
            matches!(loaded.notice, Some(LoadNotice::Corrupt { ref reason, .. }) if reason.contains("user@domain"))
        );
    }
}
