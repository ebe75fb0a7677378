//! SQLite's search index, filled off the send path (migrations/sqlite/0016): a message's commit
//! queues it, and this moves the queue into FTS5 a batch at a time, a few times a second and
//! before every search. FTS5 writes a segment per transaction, so a batch of a hundred messages
//! costs about what one message did when each commit indexed its own.
use crate::store::StoreResult;
use sqlx::SqlitePool;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::Mutex;

/// Messages indexed per transaction: each holds the one writer connection, so posts wait
/// behind it; small batches keep that wait to about a millisecond.
const BATCH: i64 = 100;

/// How often the queue is emptied in the background (search never waits for it: it empties
/// the queue itself first).
const EVERY: Duration = Duration::from_millis(200);

pub struct SearchIndexer {
    reader: SqlitePool,
    writer: SqlitePool,
    /// One catch-up at a time (the background one or a search's).
    running: Mutex<()>,
}

impl SearchIndexer {
    pub fn new(reader: SqlitePool, writer: SqlitePool) -> Self {
        SearchIndexer {
            reader,
            writer,
            running: Mutex::new(()),
        }
    }

    /// Indexes every message queued before the call; returns how many. A read shows whether
    /// there is anything to do, so an idle server's searches never take the writer.
    pub async fn catch_up(&self) -> StoreResult<u64> {
        let queued: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM messages_fts_queue")
            .fetch_one(&self.reader)
            .await?;
        let Some(last) = queued else {
            return Ok(0);
        };
        let _one = self.running.lock().await;
        let mut indexed = 0;
        loop {
            let (moved, rest) = self.index_batch(last).await?;
            indexed += moved;
            if !rest {
                return Ok(indexed);
            }
        }
    }

    /// Moves the oldest `BATCH` queued messages up to `last` into the index, in one
    /// transaction; says how many, and whether any up to `last` are left.
    async fn index_batch(&self, last: i64) -> StoreResult<(u64, bool)> {
        let mut tx = self.writer.begin().await?;
        let upto: Option<i64> = sqlx::query_scalar(
            "SELECT max(id) FROM (SELECT id FROM messages_fts_queue WHERE id <= ? ORDER BY id LIMIT ?)",
        )
        .bind(last)
        .bind(BATCH)
        .fetch_one(&mut *tx)
        .await?;
        let Some(upto) = upto else {
            return Ok((0, false));
        };
        // In queue order, so the FTS rowid keeps growing with time (search walks it newest
        // first).
        sqlx::query(
            "INSERT INTO messages_fts (body, scope, conversation_id, seq, sender_kind, created_at) \
             SELECT m.body, 'c' || replace(m.conversation_id, '-', ''), m.conversation_id, m.seq, \
                    m.sender_kind, m.created_at \
             FROM messages_fts_queue q JOIN messages m \
               ON m.conversation_id = q.conversation_id AND m.seq = q.seq \
             WHERE q.id <= ? ORDER BY q.id",
        )
        .bind(upto)
        .execute(&mut *tx)
        .await?;
        let moved = sqlx::query("DELETE FROM messages_fts_queue WHERE id <= ?")
            .bind(upto)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok((moved, upto < last))
    }
}

/// Empties the queue every `EVERY` while the stores live (`alive`); the first round indexes
/// what a crash left queued.
pub async fn keep_up(indexer: std::sync::Arc<SearchIndexer>, alive: Weak<()>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if alive.strong_count() == 0 {
            return;
        }
        match indexer.catch_up().await {
            Ok(0) => {}
            Ok(count) => tracing::trace!(count, "messages indexed for search"),
            Err(error) => tracing::warn!(%error, "search indexing failed; the next round retries"),
        }
    }
}
