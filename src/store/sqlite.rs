//! The embedded default: one SQLite file in WAL mode.
//! Writes go through a single connection so they never fight over the lock; reads use a pool.
use super::accounts::sqlite::SqliteAccounts;
use super::canned::sqlite::SqliteCanned;
use super::conversations::sqlite::SqliteConversations;
use super::conversations::ConversationStore;
use super::feed::Feed;
use super::inboxes::sqlite::SqliteInboxes;
use super::search::sqlite_index::{self, SearchIndexer};
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
        // Sorts and statement journals in memory: on disk, the writer created and deleted a
        // temporary file in /var/tmp about 28 times a second at 1,000 msg/s.
        .pragma("temp_store", "memory")
        .foreign_keys(true);
    let path = options.get_filename();
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Checkpoints (copying the WAL back into the file, with an fsync each) run off the commit
    // path (`checkpoints`); the writer's own is only a backstop for a checkpointer that fell
    // far behind. `journal_size_limit` gives the disk back after a burst.
    let writer = pool_options(1)
        .connect_with(
            options
                .clone()
                .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string())
                .pragma("journal_size_limit", (64 * 1024 * 1024).to_string()),
        )
        .await?;
    MIGRATOR.run(&writer).await?;
    let checkpointer = pool_options(1).connect_with(options.clone()).await?;
    // The checkpointer ends with these stores: it holds only a weak handle to `alive`.
    let alive = Arc::new(());
    tokio::spawn(checkpoints(checkpointer, Arc::downgrade(&alive)));
    let reader = pool_options(4).connect_with(options).await?;
    let indexer = Arc::new(SearchIndexer::new(reader.clone(), writer.clone()));
    tokio::spawn(sqlite_index::keep_up(
        indexer.clone(),
        Arc::downgrade(&alive),
    ));
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
        labels: Arc::new(super::labels::sqlite::SqliteLabels {
            reader: reader.clone(),
            writer: writer.clone(),
        }),
        search: Arc::new(super::search::sqlite::SqliteSearch {
            reader: reader.clone(),
            indexer: indexer.clone(),
        }),
        mail: Arc::new(super::mail::sqlite::SqliteMail {
            reader: reader.clone(),
            writer: writer.clone(),
        }),
        ratings: Arc::new(super::ratings::sqlite::SqliteRatings { writer }),
        feed: Arc::new(SqliteFeed {
            reader,
            _checkpointing: alive,
        }),
    })
}

/// A pool of `connections` to the file. sqlx pings a connection each time it is taken from a
/// pool unless told not to: a round trip to its worker thread, for a file that cannot hang up.
fn pool_options(connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false)
}

/// Pages the WAL may hold before a commit checkpoints it itself (SQLite's default is 1,000).
const WRITER_CHECKPOINT_PAGES: u32 = 50_000;

/// Copies committed pages from the WAL into the database file a few times a second, on a
/// connection of its own. At SQLite's default a commit that crossed 1,000 pages ran the
/// checkpoint (and its fsyncs) itself, while every sender waited: over a third of the time of
/// a busy writer (docs/benchmarks.md). A passive checkpoint never blocks the writer or readers.
async fn checkpoints(connection: SqlitePool, alive: std::sync::Weak<()>) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if alive.strong_count() == 0 {
            connection.close().await;
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&connection)
            .await
        {
            tracing::warn!(%error, "WAL checkpoint failed; the writer's own checkpoint is the backstop");
        }
    }
}

/// Only this node writes the file: there is no change feed to follow.
struct SqliteFeed {
    reader: SqlitePool,
    /// While the stores live, so do their WAL checkpointer and search indexer.
    _checkpointing: Arc<()>,
}

#[async_trait]
impl Feed for SqliteFeed {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }
}
