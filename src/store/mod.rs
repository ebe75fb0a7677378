//! Persistence, one store per aggregate: `conversations` (conversations, their events and
//! receipts), `accounts` (agents and sessions), `inboxes`, `canned` (saved replies),
//! `labels`, `ratings` (CSAT), `search` (full text), `mail` (outgoing e-mail), `files` (the bytes of sent files: a folder or S3) and `feed` (health and the cross-node change feed). Each has its SQLite and PostgreSQL implementation side by side, and `Stores` holds
//! them for `AppState`. Nothing outside knows which database it talks to.
//!
//! A new aggregate is a new folder here (a trait in `mod.rs`, `sqlite.rs`, `postgres.rs`), one
//! field in `Stores`, and one line in each backend's `open`.
pub mod accounts;
pub mod canned;
pub mod conversations;
pub mod feed;
pub mod files;
pub mod inboxes;
pub mod labels;
pub mod mail;
mod pg_changes;
mod postgres;
pub mod ratings;
mod rows;
pub mod search;
mod sqlite;

use std::sync::Arc;

pub use accounts::{Acceptance, AccountStore, NewAgent, NewInvite};
pub use canned::CannedStore;
pub use conversations::{
    Appended, Assign, Author, ChangeStatus, ConversationStore, NewConversation, PostMessage,
    Receipt, Viewer, VisitorChange,
};
pub use feed::{Change, Feed, Signal};
pub use inboxes::InboxStore;
pub use labels::LabelStore;
pub use mail::MailStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    #[error("it would leave no active admin")]
    LastAdmin,
    #[error("that agent is deactivated")]
    Inactive,
    #[error("the write transaction failed: {0}")]
    Batch(String),
    #[error("the store's writer has stopped")]
    WriterStopped,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("file store: {0}")]
    Files(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Holds the scheme only: the rest of a URL can hold a password.
    #[error("unsupported database URL scheme {0:?}: use sqlite:// or postgres://")]
    UnsupportedUrl(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error() {
            Some(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Every store of one database.
#[derive(Clone)]
pub struct Stores {
    pub conversations: ConversationStore,
    pub accounts: Arc<dyn AccountStore>,
    pub inboxes: Arc<dyn InboxStore>,
    pub canned: Arc<dyn CannedStore>,
    pub labels: Arc<dyn LabelStore>,
    pub ratings: Arc<dyn ratings::RatingStore>,
    pub search: Arc<dyn search::SearchStore>,
    pub mail: Arc<dyn MailStore>,
    pub feed: Arc<dyn Feed>,
}

/// Opens the stores a database URL names and brings their schema up to date.
pub async fn open(database_url: &str) -> StoreResult<Stores> {
    if database_url.starts_with("sqlite:") {
        sqlite::open(database_url).await
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        postgres::open(database_url).await
    } else {
        let scheme = database_url.split(':').next().unwrap_or_default();
        Err(StoreError::UnsupportedUrl(
            scheme.chars().take(20).collect(),
        ))
    }
}
