//! What every command works on: the paths, the loaded settings, and saving them.

use anyhow::Context as _;
use wink_config::{ConfigFile, LoadNotice, Paths, Settings};

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
}
