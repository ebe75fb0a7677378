//! The bytes of files sent in conversations, through `object_store`: a folder (by default
//! `files` beside the SQLite database) or S3-compatible object storage. Keys are
//! `conversation_id/file_id[.thumb]`; the rows that name them are the messages'.
use super::{StoreError, StoreResult};
use object_store::{path::Path, ObjectStore, PutPayload};
use std::sync::Arc;

pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    /// Where the files are, for the start-up log (never credentials).
    pub place: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    #[error("cannot open the file store {place}: {reason}")]
    Open { place: String, reason: String },
}

impl FileStore {
    /// `spec`: a folder or `s3://bucket[/prefix]`; `None` picks the folder from the database.
    pub fn open(spec: Option<&str>, database_url: &str) -> Result<FileStore, FileStoreError> {
        match spec {
            Some(url) if url.starts_with("s3://") => {
                let fail = |e: object_store::Error| FileStoreError::Open {
                    place: url.to_string(),
                    reason: e.to_string(),
                };
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_url(url)
                    .build()
                    .map_err(fail)?;
                // `s3://bucket/prefix`: the builder takes the bucket; the prefix is ours.
                let prefix = url["s3://".len()..]
                    .split_once('/')
                    .map_or("", |(_, prefix)| prefix.trim_matches('/'));
                let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
                };
                Ok(FileStore {
                    inner,
                    place: url.to_string(),
                })
            }
            Some(folder) => Self::folder(folder),
            None => Self::folder(&default_folder(database_url)),
        }
    }

    fn folder(folder: &str) -> Result<FileStore, FileStoreError> {
        let fail = |reason: String| FileStoreError::Open {
            place: folder.to_string(),
            reason,
        };
        std::fs::create_dir_all(folder).map_err(|e| fail(e.to_string()))?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(folder)
            .map_err(|e| fail(e.to_string()))?;
        Ok(FileStore {
            inner: Arc::new(local),
            place: folder.to_string(),
        })
    }

    /// Stores `bytes` whole under `key` (a folder writes a temporary file and renames it, so
    /// a reader never sees half a file).
    pub async fn put(&self, key: &str, bytes: bytes::Bytes) -> StoreResult<()> {
        self.inner
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
            .map_err(file_error)
    }

    /// The file under `key`, or `None` when there is none.
    pub async fn get(&self, key: &str) -> StoreResult<Option<bytes::Bytes>> {
        let found = match self.inner.get(&Path::from(key)).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(file_error(error)),
        };
        found.bytes().await.map(Some).map_err(file_error)
    }

    /// Removes `key`; a file already gone is fine.
    pub async fn delete(&self, key: &str) -> StoreResult<()> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(file_error(error)),
        }
    }
}

fn file_error(error: object_store::Error) -> StoreError {
    StoreError::Files(error.to_string())
}

/// `files` beside the SQLite database's file; `data/files` for PostgreSQL or memory.
fn default_folder(database_url: &str) -> String {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.contains(":memory:"));
    let parent = file
        .map(std::path::Path::new)
        .and_then(std::path::Path::parent)
        .filter(|p| !p.as_os_str().is_empty());
    match (file, parent) {
        (Some(_), Some(parent)) => parent.join("files").to_string_lossy().into_owned(),
        (Some(_), None) => "files".into(),
        _ => "data/files".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::default_folder;

    #[test]
    fn files_sit_beside_the_database() {
        assert_eq!(default_folder("sqlite://data/switchboard.db"), "data/files");
        assert_eq!(
            default_folder("sqlite:///tmp/x/s.db?mode=rwc"),
            "/tmp/x/files"
        );
        assert_eq!(default_folder("sqlite://s.db"), "files");
        assert_eq!(default_folder("postgres://u@h/db"), "data/files");
        assert_eq!(default_folder("sqlite::memory:"), "data/files");
    }
}
