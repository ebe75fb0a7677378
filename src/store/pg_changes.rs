//! The PostgreSQL change hints: each write NOTIFYs one inside its transaction (so it goes out
//! if and only if the write committed), and every node LISTENs for the others' hints.
use super::feed::{Change, Signal};
use super::StoreResult;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub const CHANNEL: &str = "switchboard_changes";

#[derive(serde::Serialize, serde::Deserialize)]
struct Hint {
    node: String,
    conversation: String,
    seqs: Option<(i64, i64)>,
    #[serde(default)]
    signal: Option<Signal>,
}

/// Sends this node's hints.
pub struct Notifier {
    /// Tells this node's own hints from other nodes'.
    pub node: String,
}

impl Notifier {
    /// Sends a hint on `executor`: inside a write's transaction it goes out only on commit.
    pub async fn notify<'e>(
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

impl Notifier {
    /// One hint per moved conversation (a group-commit batch), in one statement, inside the
    /// batch's transaction.
    pub async fn notify_many<'e>(
        &self,
        executor: impl sqlx::PgExecutor<'e>,
        moved: &[(String, (i64, i64))],
    ) -> StoreResult<()> {
        let hints: Vec<String> = moved
            .iter()
            .map(|(conversation, seqs)| {
                let hint = Hint {
                    node: self.node.clone(),
                    conversation: conversation.clone(),
                    seqs: Some(*seqs),
                    signal: None,
                };
                serde_json::to_string(&hint).expect("hints serialize")
            })
            .collect();
        sqlx::query("SELECT pg_notify($1, hint) FROM UNNEST($2::text[]) AS hint")
            .bind(CHANNEL)
            .bind(hints)
            .execute(executor)
            .await?;
        Ok(())
    }
}

/// Keeps a LISTEN connection open, forwarding other nodes' hints. Every gap (a lost
/// connection, a full buffer) is reported as `Interrupted` so readers re-read the store.
pub async fn listen(
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
