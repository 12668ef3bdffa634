//! Where a received file goes (RFC 5547): a `.part` file in the downloads folder, written
//! at each piece's offset as it arrives (pieces may come out of order through a relay);
//! when the last byte is in, its SHA-1 is checked against the sender's `file-selector`
//! hash, and only then does it take its name — one that no file has yet, so nothing is
//! ever overwritten. A transfer cut short leaves the `.part` file, and its length is where
//! a resumed transfer (`a=file-range`) starts.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

/// Why a received file was not kept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Its SHA-1 differs from the one the sender announced: it arrived damaged.
    #[error("the file arrived damaged (its SHA-1 differs from the sender's); it was not kept")]
    HashMismatch,
    /// Fewer bytes arrived than the sender announced.
    #[error("the file is incomplete: {received} of {expected} bytes arrived")]
    Incomplete {
        /// Bytes written.
        received: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// Reading or writing the folder failed.
    #[error("cannot save the file: {0}")]
    Io(#[from] io::Error),
}

/// A file being received.
#[derive(Debug)]
pub struct IncomingFile {
    folder: PathBuf,
    name: String,
    part: PathBuf,
    file: File,
    size: Option<u64>,
    sha1: Option<[u8; 20]>,
    /// One past the furthest byte written.
    written_to: u64,
}

impl IncomingFile {
    /// Starts (or resumes) receiving `offered_name` into `folder`; `size` and `sha1` are
    /// the sender's `file-selector`.
    ///
    /// # Errors
    /// The `.part` file cannot be opened.
    pub fn open(
        folder: &Path,
        offered_name: &str,
        size: Option<u64>,
        sha1: Option<[u8; 20]>,
    ) -> io::Result<Self> {
        let name = safe_name(offered_name);
        // The hash names the part file, so only the same file resumes it; without one
        // nothing says what an old part file held, and the transfer starts over.
        let part = match &sha1 {
            Some(hash) => folder.join(format!("{name}.{}.part", hex_prefix(hash))),
            None => folder.join(format!("{name}.part")),
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(sha1.is_none())
            .read(true)
            .write(true)
            .open(&part)?;
        let written_to = file.metadata()?.len();
        Ok(Self {
            folder: folder.to_owned(),
            name,
            part,
            file,
            size,
            sha1,
            written_to,
        })
    }

    /// How many bytes a `.part` file left by an earlier attempt holds: where a resumed
    /// transfer starts.
    #[must_use]
    pub fn already_received(&self) -> u64 {
        self.written_to
    }

    /// Writes a piece at its offset (from 0).
    ///
    /// # Errors
    /// The write failed (disk full, …).
    pub fn write_at(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.file.write_all_at(data, offset)?;
        self.written_to = self.written_to.max(offset + data.len() as u64);
        Ok(())
    }

    /// The last byte is in: checks the file and gives it its name. Returns where it is.
    ///
    /// # Errors
    /// [`FileError::Incomplete`] or [`FileError::HashMismatch`] (the `.part` file is then
    /// removed: a damaged file is never kept), or the rename failed.
    pub fn finish(self) -> Result<PathBuf, FileError> {
        self.file.sync_all()?;
        if let Some(expected) = self.size
            && self.written_to < expected
        {
            return Err(FileError::Incomplete {
                received: self.written_to,
                expected,
            });
        }
        if let Some(expected) = self.sha1
            && sha1_of(&self.part)? != expected
        {
            std::fs::remove_file(&self.part)?;
            return Err(FileError::HashMismatch);
        }
        let target = place_without_overwriting(&self.part, &self.folder, &self.name)?;
        std::fs::remove_file(&self.part)?;
        Ok(target)
    }
}

/// The SHA-1 of a file, read in 1 MiB pieces.
///
/// # Errors
/// Reading failed.
pub fn sha1_of(path: &Path) -> io::Result<[u8; 20]> {
    let mut file = File::open(path)?;
    let mut hasher = Sha1::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finalize().into())
}

/// The first four bytes of a hash, in hex: enough to tell files of one name apart.
fn hex_prefix(hash: &[u8; 20]) -> String {
    hash[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// The last component of what the sender called the file, without path separators or
/// control characters, and without a leading dot (no hidden files): `../../.bashrc` is
/// saved as `bashrc`.
fn safe_name(offered: &str) -> String {
    let last = offered.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "received file".to_owned()
    } else {
        cleaned
    }
}

/// Links `part` under `name` in `folder`, or `name (1)`, `name (2)`, … — the first that
/// does not exist (a hard link fails rather than replace a file, so two transfers of the
/// same name cannot overwrite each other).
fn place_without_overwriting(part: &Path, folder: &Path, name: &str) -> io::Result<PathBuf> {
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    for n in 0..10_000 {
        let candidate = if n == 0 {
            folder.join(name)
        } else {
            folder.join(format!("{stem} ({n}){extension}"))
        };
        match std::fs::hard_link(part, &candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for the file",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha1(bytes: &[u8]) -> [u8; 20] {
        Sha1::digest(bytes).into()
    }

    #[test]
    fn pieces_out_of_order_make_the_file_and_it_takes_its_name() {
        let folder = tempfile::tempdir().unwrap();
        let content = b"hello, this is the whole file";
        let mut file = IncomingFile::open(
            folder.path(),
            "notes.txt",
            Some(content.len() as u64),
            Some(sha1(content)),
        )
        .unwrap();
        file.write_at(10, &content[10..]).unwrap();
        file.write_at(0, &content[..10]).unwrap();
        let saved = file.finish().unwrap();
        assert_eq!(saved, folder.path().join("notes.txt"));
        assert_eq!(std::fs::read(&saved).unwrap(), content);
        assert!(!folder.path().join("notes.txt.part").exists());
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("photo.jpg"), b"mine").unwrap();
        std::fs::write(folder.path().join("photo (1).jpg"), b"mine too").unwrap();
        let mut file = IncomingFile::open(folder.path(), "photo.jpg", None, None).unwrap();
        file.write_at(0, b"theirs").unwrap();
        assert_eq!(file.finish().unwrap(), folder.path().join("photo (2).jpg"));
        assert_eq!(
            std::fs::read(folder.path().join("photo.jpg")).unwrap(),
            b"mine"
        );
        assert_eq!(
            std::fs::read(folder.path().join("photo (2).jpg")).unwrap(),
            b"theirs"
        );
    }

    #[test]
    fn a_damaged_or_short_file_is_not_kept() {
        let folder = tempfile::tempdir().unwrap();
        let mut file =
            IncomingFile::open(folder.path(), "data.bin", Some(4), Some(sha1(b"abcd"))).unwrap();
        file.write_at(0, b"abcx").unwrap();
        assert!(matches!(file.finish(), Err(FileError::HashMismatch)));
        assert_eq!(
            std::fs::read_dir(folder.path()).unwrap().count(),
            0,
            "nothing kept"
        );

        let mut short = IncomingFile::open(folder.path(), "data.bin", Some(4), None).unwrap();
        short.write_at(0, b"ab").unwrap();
        assert!(matches!(
            short.finish(),
            Err(FileError::Incomplete {
                received: 2,
                expected: 4
            })
        ));
        assert!(!folder.path().join("data.bin").exists());
    }

    #[test]
    fn a_cut_transfer_resumes_where_its_part_file_ends() {
        let folder = tempfile::tempdir().unwrap();
        let mut first =
            IncomingFile::open(folder.path(), "big.iso", Some(8), Some(sha1(b"12345678"))).unwrap();
        first.write_at(0, b"12345").unwrap();
        drop(first);
        let mut again =
            IncomingFile::open(folder.path(), "big.iso", Some(8), Some(sha1(b"12345678"))).unwrap();
        assert_eq!(again.already_received(), 5);
        again.write_at(5, b"678").unwrap();
        assert_eq!(std::fs::read(again.finish().unwrap()).unwrap(), b"12345678");
    }

    #[test]
    fn only_the_same_file_resumes_a_part_file() {
        let folder = tempfile::tempdir().unwrap();
        let mut first =
            IncomingFile::open(folder.path(), "big.iso", Some(8), Some(sha1(b"12345678"))).unwrap();
        first.write_at(0, b"12345").unwrap();
        drop(first);
        let other =
            IncomingFile::open(folder.path(), "big.iso", Some(8), Some(sha1(b"abcdefgh"))).unwrap();
        assert_eq!(other.already_received(), 0, "another file of that name");
        let mut unhashed = IncomingFile::open(folder.path(), "big.iso", Some(8), None).unwrap();
        unhashed.write_at(0, b"xy").unwrap();
        drop(unhashed);
        let unhashed_again = IncomingFile::open(folder.path(), "big.iso", Some(8), None).unwrap();
        assert_eq!(unhashed_again.already_received(), 0, "no hash, no resume");
    }

    #[test]
    fn a_name_cannot_leave_the_folder() {
        assert_eq!(safe_name("../../.bashrc"), "bashrc");
        assert_eq!(safe_name("C:\\Users\\x\\evil.exe"), "evil.exe");
        assert_eq!(safe_name("a\nb.txt"), "ab.txt");
        assert_eq!(safe_name(""), "received file");
        assert_eq!(safe_name("..."), "received file");
    }
}
