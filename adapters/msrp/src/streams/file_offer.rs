//! What a file offer says about the file (RFC 5547 §6): its name, type, size and SHA-1,
//! read from the disk on a blocking thread (hashing a large file takes a while).

use std::path::{Path, PathBuf};

use wink_ports::StreamError;
use wink_ports::message_sdp::{FileAttributes, FileSelector};

use crate::incoming_file::sha1_of;

/// A file to offer, described.
#[derive(Debug, Clone)]
pub(super) struct DescribedFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its attributes for the SDP (no range: the whole file is offered).
    pub attributes: FileAttributes,
    /// Its size.
    pub size: u64,
    /// Its content type.
    pub media_type: String,
}

/// Reads the file's size and hash.
///
/// # Errors
/// [`StreamError::File`] when it is not a readable regular file.
pub(super) async fn describe(
    path: &Path,
    transfer_id: String,
) -> Result<DescribedFile, StreamError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let cannot =
            |e: std::io::Error| StreamError::File(format!("cannot read {}: {e}", path.display()));
        let metadata = std::fs::metadata(&path).map_err(cannot)?;
        if !metadata.is_file() {
            return Err(StreamError::File(format!(
                "{} is not a file",
                path.display()
            )));
        }
        let sha1 = sha1_of(&path).map_err(cannot)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_owned());
        let media_type = media_type_of(&name).to_owned();
        let attributes = FileAttributes {
            selector: FileSelector {
                name: Some(name),
                media_type: Some(media_type.clone()),
                size: Some(metadata.len()),
                sha1: Some(sha1),
            },
            transfer_id: Some(transfer_id),
            disposition: Some("attachment".to_owned()),
            date: None,
            range: None,
        };
        Ok(DescribedFile {
            size: metadata.len(),
            path,
            attributes,
            media_type,
        })
    })
    .await
    .map_err(|e| StreamError::File(format!("reading the file stopped: {e}")))?
}

/// The content type a file's name suggests; `application/octet-stream` when it says none.
fn media_type_of(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "txt" | "log" => "text/plain",
        "html" | "htm" => "text/html",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp3" => "audio/mpeg",
        "ogg" | "opus" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_described_by_name_type_size_and_hash() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("Holiday Photo.JPG");
        std::fs::write(&path, b"abc").unwrap();
        let described = describe(&path, "t1".to_owned()).await.unwrap();
        let selector = &described.attributes.selector;
        assert_eq!(selector.name.as_deref(), Some("Holiday Photo.JPG"));
        assert_eq!(selector.media_type.as_deref(), Some("image/jpeg"));
        assert_eq!(selector.size, Some(3));
        // SHA-1("abc"), FIPS 180-1's first example.
        assert_eq!(
            selector.sha1.map(|h| h[..4].to_vec()),
            Some(vec![0xA9, 0x99, 0x3E, 0x36])
        );
    }

    #[tokio::test]
    async fn a_folder_or_a_missing_file_is_refused_in_words() {
        let folder = tempfile::tempdir().unwrap();
        let error = describe(folder.path(), "t".into()).await.unwrap_err();
        assert!(error.to_string().contains("is not a file"), "{error}");
        let error = describe(&folder.path().join("gone"), "t".into())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("cannot read"), "{error}");
    }
}
