//! PostgreSQL: the store for several nodes, and their bus. Every write sends a NOTIFY hint
//! (conversation id and new sequence numbers) in its own transaction, so a hint goes out if
//! and only if the write committed; other nodes read the events from the store.
use super::accounts::postgres::PgAccounts;
use super::canned::postgres::PgCanned;
use super::conversations::postgres::PgConversations;
use super::conversations::ConversationStore;
use super::feed::{Change, Feed, Signal};
use super::inboxes::postgres::PgInboxes;
use super::pg_changes::{listen, Notifier};
use super::{StoreResult, Stores};
use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
/// Hints waiting for the fan-out task; past this the feed reports an interruption instead.
const CHANGE_BUFFER: usize = 4096;

/// The database as a whole: health, the relay of signals, and the other nodes' hints.
struct PgFeed {
    pool: PgPool,
    notifier: Arc<Notifier>,
    changes: Mutex<Option<mpsc::Receiver<Change>>>,
    connected: Arc<AtomicBool>,
}

/// Connects, migrates (once across nodes starting together), starts listening for the other
/// nodes' hints and hands each aggregate's store the pool.
pub async fn open(url: &str) -> StoreResult<Stores> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    // sqlx takes an advisory lock, so nodes starting together migrate once.
    MIGRATOR.run(&pool).await?;
    let node = uuid::Uuid::new_v4().to_string();
    let (sender, receiver) = mpsc::channel(CHANGE_BUFFER);
    let connected = Arc::new(AtomicBool::new(false));
    tokio::spawn(listen(
        pool.clone(),
        node.clone(),
        sender,
        connected.clone(),
    ));
    let notifier = Arc::new(Notifier { node });
    Ok(Stores {
        conversations: ConversationStore::new(Arc::new(PgConversations::new(
            pool.clone(),
            notifier.clone(),
        ))),
        accounts: Arc::new(PgAccounts { pool: pool.clone() }),
        inboxes: Arc::new(PgInboxes { pool: pool.clone() }),
        canned: Arc::new(PgCanned { pool: pool.clone() }),
        labels: Arc::new(super::labels::postgres::PgLabels { pool: pool.clone() }),
        ratings: Arc::new(super::ratings::postgres::PgRatings { pool: pool.clone() }),
        search: Arc::new(super::search::postgres::PgSearch { pool: pool.clone() }),
        mail: Arc::new(super::mail::postgres::PgMail { pool: pool.clone() }),
        feed: Arc::new(PgFeed {
            pool,
            notifier,
            changes: Mutex::new(Some(receiver)),
            connected,
        }),
    })
}

#[async_trait]
impl Feed for PgFeed {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn relay(&self, signal: Signal) -> StoreResult<()> {
        let conversation = match &signal {
            Signal::Typing {
                conversation_id, ..
            } => conversation_id.clone(),
            Signal::Presence { .. }
            | Signal::SignedOut { .. }
            | Signal::AccessChanged
            | Signal::Mentioned { .. } => String::new(),
        };
        self.notifier
            .notify(&self.pool, &conversation, None, Some(signal))
            .await
    }

    fn changes(&self) -> Option<mpsc::Receiver<Change>> {
        self.changes.lock().expect("changes lock").take()
    }

    fn feed_connected(&self) -> Option<bool> {
        Some(self.connected.load(Ordering::Relaxed))
    }
}
