//! Persistence behind one trait; the rest of the server never knows which database it talks to.
mod postgres;
mod rows;
mod sqlite;

use crate::model::{Agent, Conversation, InboxFilter, Message, SenderKind, Status};
use async_trait::async_trait;
use std::sync::Arc;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
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
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("unsupported database URL: {0}")]
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

/// A visitor starting a chat.
#[derive(Clone, Debug)]
pub struct NewConversation {
    pub inbox_id: String,
    pub visitor_token_hash: String,
    pub visitor_name: String,
    pub visitor_email: Option<String>,
    pub page_url: Option<String>,
    pub user_agent: Option<String>,
    pub now: i64,
}

/// Who is writing into a conversation.
#[derive(Clone, Debug)]
pub struct Author {
    pub kind: SenderKind,
    pub id: Option<String>,
    pub name: String,
}

/// A message to append; the store numbers it and applies the status rules of `model`.
#[derive(Clone, Debug)]
pub struct PostMessage {
    pub conversation_id: String,
    pub client_id: String,
    pub author: Author,
    pub body: String,
    pub now: i64,
}

/// A status change asked for by an agent.
#[derive(Clone, Debug)]
pub struct ChangeStatus {
    pub conversation_id: String,
    pub status: Status,
    pub agent: Agent,
    pub now: i64,
}

/// What one write produced: the events appended (in seq order) and the conversation after it.
#[derive(Clone, Debug)]
pub struct Appended {
    pub events: Vec<Message>,
    pub conversation: Conversation,
    /// True when the client id was already stored: `events` then holds the stored message.
    pub duplicate: bool,
}

/// A side's clients report how far they got in a conversation.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub conversation_id: String,
    pub side: SenderKind,
    pub delivered_seq: i64,
    pub read_seq: i64,
}

#[derive(Clone, Debug)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub role: crate::model::Role,
    pub password_hash: String,
    pub now: i64,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation>;
    async fn conversation(&self, id: &str) -> StoreResult<Option<Conversation>>;
    async fn conversation_for_visitor(&self, token_hash: &str)
        -> StoreResult<Option<Conversation>>;
    /// Newest activity first, at most `limit` (the inbox shows the newest 200 for now).
    async fn list_conversations(
        &self,
        inbox_id: &str,
        filter: InboxFilter,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>>;
    /// Appends a message (idempotent on client id) plus any status notice it causes, atomically.
    async fn post_message(&self, post: PostMessage) -> StoreResult<Appended>;
    /// Changes status and appends its notice atomically; a no-op change appends nothing.
    async fn change_status(&self, change: ChangeStatus) -> StoreResult<Appended>;
    /// The newest `limit` messages before `before_seq` (or the newest overall), oldest first.
    async fn messages_before(
        &self,
        conversation_id: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Up to `limit` messages after `after_seq`, oldest first.
    async fn messages_after(
        &self,
        conversation_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Moves a side's delivery/read positions forward; returns the conversation if anything moved.
    async fn record_receipt(&self, receipt: Receipt) -> StoreResult<Option<Conversation>>;

    async fn agent_count(&self) -> StoreResult<i64>;
    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent>;
    /// The agent and its password hash.
    async fn agent_credentials(&self, email: &str) -> StoreResult<Option<(Agent, String)>>;
    async fn create_session(
        &self,
        token_hash: &str,
        agent_id: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    async fn agent_for_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Agent>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Cheap round trip for health checks.
    async fn ping(&self) -> StoreResult<()>;

    /// Writes made by other nodes sharing this database, as hints to re-read. `None` for a
    /// store only this node uses. Hands out its receiver once.
    fn changes(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        None
    }

    /// Passes a signal that is never stored (typing) to the other nodes sharing this database.
    async fn relay(&self, _signal: Signal) -> StoreResult<()> {
        Ok(())
    }

    /// Whether the cross-node change feed is connected; `None` when there is none.
    fn feed_connected(&self) -> Option<bool> {
        None
    }
}

/// A hint that another node wrote: read the store to learn what.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A conversation changed; `seqs` are the events it appended, if any.
    Conversation {
        conversation_id: String,
        seqs: Option<(i64, i64)>,
    },
    /// A signal another node relayed.
    Signal(Signal),
    /// The feed was cut: anything may have been missed.
    Interrupted,
}

/// Live signals that are not events of the conversation and are never stored.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Signal {
    Typing {
        conversation_id: String,
        sender: SenderKind,
        name: String,
    },
    /// A node's online agents as (id, name); the whole set, not a change.
    Presence {
        node: String,
        agents: Vec<(String, String)>,
    },
}

pub type DynStore = Arc<dyn Store>;

/// Opens the store a database URL names and brings its schema up to date.
pub async fn open(database_url: &str) -> StoreResult<DynStore> {
    if database_url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(database_url).await?))
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::open(database_url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(database_url.to_string()))
    }
}
