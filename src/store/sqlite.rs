//! The embedded default: one SQLite file in WAL mode.
//! Writes go through a single connection so they never fight over the lock; reads use a pool.
use super::accounts::sqlite::SqliteAccounts;
use super::canned::sqlite::SqliteCanned;
use super::conversations::sqlite::SqliteConversations;
use super::conversations::ConversationStore;
use super::feed::Feed;
use super::inboxes::sqlite::SqliteInboxes;
use super::{StoreResult, Stores};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Opens (or creates) the file, brings its schema up to date and hands each aggregate's store
/// the pools it needs.
pub async fn open(url: &str) -> StoreResult<Stores> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL in WAL mode survives a process crash (kill -9); only power loss can drop
        // the last commits.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let path = options.get_filename();
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    MIGRATOR.run(&writer).await?;
    let reader = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    Ok(Stores {
        conversations: ConversationStore::new(Arc::new(SqliteConversations::new(
            reader.clone(),
            writer.clone(),
        ))),
        accounts: Arc::new(SqliteAccounts {
            reader: reader.clone(),
            writer: writer.clone(),
        }),
        inboxes: Arc::new(SqliteInboxes {
            reader: reader.clone(),
            writer: writer.clone(),
        }),
        canned: Arc::new(SqliteCanned {
            reader: reader.clone(),
            writer: writer.clone(),
        }),
        ratings: Arc::new(super::ratings::sqlite::SqliteRatings { writer }),
        feed: Arc::new(SqliteFeed { reader }),
    })
}

/// Only this node writes the file: there is no change feed to follow.
struct SqliteFeed {
    reader: SqlitePool,
}

#[async_trait]
impl Feed for SqliteFeed {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }
}
