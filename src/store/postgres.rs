//! PostgreSQL: the store for several nodes, and their bus. Every write sends a NOTIFY hint
//! (conversation id and new sequence numbers) in its own transaction, so a hint goes out if
//! and only if the write committed; other nodes read the events from the store.
use super::conversations::ConversationStore;
use super::feed::{Change, Feed, Signal};
use super::{StoreResult, Stores};
use async_trait::async_trait;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
const CHANNEL: &str = "switchboard_changes";
/// Hints waiting for the fan-out task; past this the feed reports an interruption instead.
const CHANGE_BUFFER: usize = 4096;

pub struct PostgresStore {
    pub(super) pool: PgPool,
    /// Tells this node's own hints from other nodes'.
    node: String,
    changes: Mutex<Option<mpsc::Receiver<Change>>>,
    connected: Arc<AtomicBool>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Hint {
    node: String,
    conversation: String,
    seqs: Option<(i64, i64)>,
    #[serde(default)]
    signal: Option<Signal>,
}

impl PostgresStore {
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
        let store = Arc::new(PostgresStore {
            pool,
            node,
            changes: Mutex::new(Some(receiver)),
            connected,
        });
        Ok(Stores {
            conversations: ConversationStore::new(store.clone()),
            accounts: store.clone(),
            feed: store,
        })
    }

    /// Sends a hint on `executor`: inside a write's transaction it goes out only on commit.
    pub(super) async fn notify<'e>(
        &self,
        executor: impl sqlx::PgExecutor<'e>,
        conversation: &str,
        seqs: Option<(i64, i64)>,
        signal: Option<Signal>,
    ) -> StoreResult<()> {
        let hint = Hint {
            node: self.node.clone(),
            conversation: conversation.to_string(),
            seqs,
            signal,
        };
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(serde_json::to_string(&hint).expect("hints serialize"))
            .execute(executor)
            .await?;
        Ok(())
    }
}

/// Keeps a LISTEN connection open, forwarding other nodes' hints. Every gap (a lost
/// connection, a full buffer) is reported as `Interrupted` so readers re-read the store.
async fn listen(
    pool: PgPool,
    node: String,
    sender: mpsc::Sender<Change>,
    connected: Arc<AtomicBool>,
) {
    let mut first = true;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "change feed: cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "change feed: LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        connected.store(true, Ordering::Relaxed);
        if !first && sender.send(Change::Interrupted).await.is_err() {
            return;
        }
        first = false;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    let Ok(hint) = serde_json::from_str::<Hint>(notification.payload()) else {
                        continue;
                    };
                    if hint.node == node {
                        continue;
                    }
                    let change = match hint.signal {
                        Some(signal) => Change::Signal(signal),
                        None => Change::Conversation {
                            conversation_id: hint.conversation,
                            seqs: hint.seqs,
                        },
                    };
                    if sender.try_send(change).is_err() {
                        if sender.is_closed() {
                            return;
                        }
                        // Full: drop hints, but say so; readers then re-read everything live.
                        let _ = sender.send(Change::Interrupted).await;
                    }
                }
                // The connection dropped; the listener reconnects on the next call.
                Ok(None) => {
                    tracing::warn!("change feed: connection lost; reconnecting");
                    connected.store(false, Ordering::Relaxed);
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, "change feed: error; reconnecting");
                    connected.store(false, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    break;
                }
            }
        }
    }
}

#[async_trait]
impl Feed for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn relay(&self, signal: Signal) -> StoreResult<()> {
        let conversation = match &signal {
            Signal::Typing {
                conversation_id, ..
            } => conversation_id.clone(),
            Signal::Presence { .. } => String::new(),
        };
        self.notify(&self.pool, &conversation, None, Some(signal))
            .await
    }

    fn changes(&self) -> Option<mpsc::Receiver<Change>> {
        self.changes.lock().expect("changes lock").take()
    }

    fn feed_connected(&self) -> Option<bool> {
        Some(self.connected.load(Ordering::Relaxed))
    }
}
