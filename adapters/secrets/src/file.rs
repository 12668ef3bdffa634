//! The explicit file store for headless machines: `secrets.toml`, mode 0600, folder 0700.

use std::collections::BTreeMap;
use std::fs;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use wink_ports::{AccountId, Password, SecretError, SecretStore};

/// Passwords in a TOML file only the user can read. Plain text at rest: choose it only
/// where no keyring exists, and the settings say so explicitly.
#[derive(Debug, Clone)]
pub struct FileSecretStore {
    path: PathBuf,
    // Serialises read-modify-write cycles between concurrent calls of this process.
    lock: Arc<Mutex<()>>,
}

fn io_error(path: &Path, error: std::io::Error) -> SecretError {
    SecretError::Backend(format!("{}: {error}", path.display()))
}

impl FileSecretStore {
    /// A store at `path` (usually `$XDG_DATA_HOME/wink/secrets.toml`); created on first write.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Arc::new(Mutex::new(())),
        }
    }

    /// Where the passwords are.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(path: &Path) -> Result<BTreeMap<String, String>, SecretError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(io_error(path, e)),
        };
        let mode = fs::metadata(path)
            .map_err(|e| io_error(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(SecretError::Backend(format!(
                "{} is readable by other users (mode {:o}); run chmod 600 on it",
                path.display(),
                mode & 0o777
            )));
        }
        toml::from_str(&text).map_err(|e| {
            SecretError::Backend(format!(
                "{} is not valid TOML: {}",
                path.display(),
                e.message()
            ))
        })
    }

    /// Writes atomically: a 0600 temporary file in the same folder, fsync, rename.
    fn write(path: &Path, secrets: &BTreeMap<String, String>) -> Result<(), SecretError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| io_error(dir, e))?;
        let text = toml::to_string(secrets).map_err(|e| SecretError::Backend(e.to_string()))?;
        let temp = dir.join(format!(".secrets.toml.tmp-{}", std::process::id()));
        let result = (|| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temp, path)?;
            fs::File::open(dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result.map_err(|e| io_error(path, e))
    }

    async fn update<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, String>) -> (T, bool) + Send + 'static,
    ) -> Result<T, SecretError> {
        let path = self.path.clone();
        let lock = self.lock.clone();
        tokio::task::spawn_blocking(move || {
            let _guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut secrets = Self::read(&path)?;
            let (value, changed) = change(&mut secrets);
            if changed {
                Self::write(&path, &secrets)?;
            }
            Ok(value)
        })
        .await
        .map_err(|e| SecretError::Backend(e.to_string()))?
    }
}

#[async_trait::async_trait]
impl SecretStore for FileSecretStore {
    async fn get_password(&self, account: &AccountId) -> Result<Option<Password>, SecretError> {
        let key = account.as_str().to_owned();
        self.update(move |secrets| (secrets.get(&key).map(|s| Password::new(s.clone())), false))
            .await
    }

    async fn set_password(
        &self,
        account: &AccountId,
        password: &Password,
    ) -> Result<(), SecretError> {
        let key = account.as_str().to_owned();
        let secret = password.expose().to_owned();
        self.update(move |secrets| {
            secrets.insert(key, secret);
            ((), true)
        })
        .await
    }

    async fn delete_password(&self, account: &AccountId) -> Result<bool, SecretError> {
        let key = account.as_str().to_owned();
        self.update(move |secrets| {
            let existed = secrets.remove(&key).is_some();
            (existed, existed)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(s: &str) -> AccountId {
        AccountId::new(s).unwrap()
    }

    #[tokio::test]
    async fn stores_reads_and_deletes_with_private_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wink").join("secrets.toml");
        let store = FileSecretStore::new(&path);
        assert_eq!(store.get_password(&account("a@x.org")).await.unwrap(), None);
        store
            .set_password(&account("a@x.org"), &Password::new("pw \"quoted\" ☎"))
            .await
            .unwrap();
        store
            .set_password(&account("b@x.org"), &Password::new("other"))
            .await
            .unwrap();
        assert_eq!(
            store
                .get_password(&account("a@x.org"))
                .await
                .unwrap()
                .unwrap()
                .expose(),
            "pw \"quoted\" ☎"
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        assert!(store.delete_password(&account("a@x.org")).await.unwrap());
        assert!(!store.delete_password(&account("a@x.org")).await.unwrap());
        assert_eq!(
            store
                .get_password(&account("b@x.org"))
                .await
                .unwrap()
                .unwrap()
                .expose(),
            "other"
        );
        // A second store on the same file sees the same data (it persists).
        let again = FileSecretStore::new(&path);
        assert_eq!(again.get_password(&account("a@x.org")).await.unwrap(), None);
    }

    #[tokio::test]
    async fn refuses_a_file_others_can_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.toml");
        fs::write(&path, "\"a@x.org\" = \"pw\"\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let error = FileSecretStore::new(&path)
            .get_password(&account("a@x.org"))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("chmod 600"), "{error}");
    }

    #[tokio::test]
    async fn a_damaged_file_is_an_error_not_lost_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.toml");
        fs::write(&path, "not = [valid").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let store = FileSecretStore::new(&path);
        assert!(store.get_password(&account("a@x.org")).await.is_err());
        assert!(
            store
                .set_password(&account("a@x.org"), &Password::new("x"))
                .await
                .is_err()
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "not = [valid",
            "the file is left untouched"
        );
    }
}
