//! PostgreSQL: the store for several nodes, and their bus. Every write sends a NOTIFY hint
//! (conversation id and new sequence numbers) in its own transaction, so a hint goes out if
//! and only if the write committed; other nodes read the events from the store.
use super::rows::*;
use super::*;
use crate::model;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{PgConnection, PgPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::mpsc;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
const CHANNEL: &str = "switchboard_changes";
/// Hints waiting for the fan-out task; past this the feed reports an interruption instead.
const CHANGE_BUFFER: usize = 4096;

pub struct PostgresStore {
    pool: PgPool,
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
    pub async fn open(url: &str) -> StoreResult<Self> {
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
        Ok(PostgresStore {
            pool,
            node,
            changes: Mutex::new(Some(receiver)),
            connected,
        })
    }

    /// Sends a hint on `executor`: inside a write's transaction it goes out only on commit.
    async fn notify<'e>(
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

async fn load_conversation(conn: &mut PgConnection, id: &str) -> StoreResult<Option<Conversation>> {
    let row: Option<ConversationRow> =
        sqlx::query_as(&format!("{CONVERSATION_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Conversation::try_from).transpose()
}

/// Reads the conversation and locks its row: writers of one conversation queue here, so
/// sequence numbers stay unique and gap-free across nodes.
async fn lock_conversation(conn: &mut PgConnection, id: &str) -> StoreResult<Conversation> {
    let row: Option<ConversationRow> = sqlx::query_as(&format!(
        "{CONVERSATION_SELECT} WHERE c.id = $1 FOR UPDATE OF c"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Conversation::try_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

async fn insert_message(conn: &mut PgConnection, message: &Message) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(&message.conversation_id)
    .bind(message.seq)
    .bind(&message.client_id)
    .bind(message.sender.as_str())
    .bind(&message.sender_id)
    .bind(&message.sender_name)
    .bind(&message.body)
    .bind(message.status_change.map(Status::as_str))
    .bind(message.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

fn seq_range(events: &[Message]) -> Option<(i64, i64)> {
    Some((events.first()?.seq, events.last()?.seq))
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation> {
        let mut tx = self.pool.begin().await?;
        let visitor_id = uuid::Uuid::new_v4().to_string();
        let conversation_id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO visitors (id, token_hash, name, email, page_url, user_agent, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&visitor_id)
        .bind(&new.visitor_token_hash)
        .bind(&new.visitor_name)
        .bind(&new.visitor_email)
        .bind(&new.page_url)
        .bind(&new.user_agent)
        .bind(new.now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO conversations (id, inbox_id, visitor_id, status, last_activity_at, created_at) \
             VALUES ($1, $2, $3, 'waiting', $4, $4)",
        )
        .bind(&conversation_id)
        .bind(&new.inbox_id)
        .bind(&visitor_id)
        .bind(new.now)
        .execute(&mut *tx)
        .await?;
        let conversation = load_conversation(&mut tx, &conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.notify(&mut *tx, &conversation_id, None, None).await?;
        tx.commit().await?;
        Ok(conversation)
    }

    async fn conversation(&self, id: &str) -> StoreResult<Option<Conversation>> {
        let mut conn = self.pool.acquire().await?;
        load_conversation(&mut conn, id).await
    }

    async fn conversation_for_visitor(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<Conversation>> {
        let row: Option<ConversationRow> = sqlx::query_as(&format!(
            "{CONVERSATION_SELECT} WHERE v.token_hash = $1 ORDER BY c.created_at DESC LIMIT 1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Conversation::try_from).transpose()
    }

    async fn list_conversations(
        &self,
        inbox_id: &str,
        filter: InboxFilter,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let statuses: Vec<&str> = filter.statuses().iter().map(|s| s.as_str()).collect();
        let rows: Vec<ConversationRow> = sqlx::query_as(&format!(
            "{CONVERSATION_SELECT} WHERE c.inbox_id = $1 AND c.status = ANY($2) \
             ORDER BY c.last_activity_at DESC LIMIT $3"
        ))
        .bind(inbox_id)
        .bind(&statuses)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Conversation::try_from).collect()
    }

    async fn post_message(&self, post: PostMessage) -> StoreResult<Appended> {
        let mut tx = self.pool.begin().await?;
        let conversation = lock_conversation(&mut tx, &post.conversation_id).await?;
        let existing: Option<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_id = $2"
        ))
        .bind(&post.conversation_id)
        .bind(&post.client_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            return Ok(Appended {
                events: vec![row.try_into()?],
                conversation,
                duplicate: true,
            });
        }
        let plan = plan_post(&conversation, &post);
        for event in &plan.events {
            insert_message(&mut tx, event).await?;
        }
        sqlx::query(
            "UPDATE conversations SET status = $1, assignee_id = $2, last_seq = $3, last_preview = $4, \
             last_activity_at = $5 WHERE id = $6",
        )
        .bind(plan.status.as_str())
        .bind(&plan.assignee)
        .bind(plan.last_seq)
        .bind(model::preview(&post.body))
        .bind(post.now)
        .bind(&post.conversation_id)
        .execute(&mut *tx)
        .await?;
        let conversation = plan.applied_to(conversation, &post);
        self.notify(
            &mut *tx,
            &post.conversation_id,
            seq_range(&plan.events),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(Appended {
            events: plan.events,
            conversation,
            duplicate: false,
        })
    }

    async fn change_status(&self, change: ChangeStatus) -> StoreResult<Appended> {
        let mut tx = self.pool.begin().await?;
        let conversation = lock_conversation(&mut tx, &change.conversation_id).await?;
        if conversation.status == change.status {
            return Ok(Appended {
                events: vec![],
                conversation,
                duplicate: false,
            });
        }
        let actor = Author {
            kind: SenderKind::Agent,
            id: Some(change.agent.id.clone()),
            name: change.agent.name.clone(),
        };
        let seq = conversation.last_seq + 1;
        let event = notice(&conversation, seq, change.status, &actor, change.now);
        insert_message(&mut tx, &event).await?;
        let assignee = match change.status {
            Status::Active => conversation.assignee_id.clone().or(actor.id.clone()),
            _ => conversation.assignee_id.clone(),
        };
        sqlx::query(
            "UPDATE conversations SET status = $1, assignee_id = $2, last_seq = $3 WHERE id = $4",
        )
        .bind(change.status.as_str())
        .bind(&assignee)
        .bind(seq)
        .bind(&change.conversation_id)
        .execute(&mut *tx)
        .await?;
        let conversation = load_conversation(&mut tx, &change.conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.notify(&mut *tx, &change.conversation_id, Some((seq, seq)), None)
            .await?;
        tx.commit().await?;
        Ok(Appended {
            events: vec![event],
            conversation,
            duplicate: false,
        })
    }

    async fn messages_before(
        &self,
        conversation_id: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $2 \
             ORDER BY seq DESC LIMIT $3"
        ))
        .bind(conversation_id)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().rev().map(Message::try_from).collect()
    }

    async fn messages_after(
        &self,
        conversation_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 \
             ORDER BY seq ASC LIMIT $3"
        ))
        .bind(conversation_id)
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Message::try_from).collect()
    }

    async fn record_receipt(&self, receipt: Receipt) -> StoreResult<Option<Conversation>> {
        let (delivered_col, read_col) = receipt_columns(receipt.side);
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(&format!(
            "UPDATE conversations SET \
             {delivered_col} = GREATEST({delivered_col}, LEAST($1, last_seq)), \
             {read_col} = GREATEST({read_col}, LEAST($2, last_seq)) \
             WHERE id = $3 AND ({delivered_col} < LEAST($1, last_seq) OR {read_col} < LEAST($2, last_seq))"
        ))
        .bind(receipt.delivered_seq)
        .bind(receipt.read_seq)
        .bind(&receipt.conversation_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        let conversation = load_conversation(&mut tx, &receipt.conversation_id).await?;
        self.notify(&mut *tx, &receipt.conversation_id, None, None)
            .await?;
        tx.commit().await?;
        Ok(conversation)
    }

    async fn agent_count(&self) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agents")
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&new.email)
        .bind(&new.name)
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(new.now)
        .execute(&self.pool)
        .await?;
        Ok(Agent {
            id,
            email: new.email,
            name: new.name,
            role: new.role,
        })
    }

    async fn agent_credentials(&self, email: &str) -> StoreResult<Option<(Agent, String)>> {
        let row: Option<AgentRow> = sqlx::query_as(
            "SELECT id, email, name, role, password_hash FROM agents WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(AgentRow::into_agent).transpose()
    }

    async fn create_session(
        &self,
        token_hash: &str,
        agent_id: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(agent_id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn agent_for_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(
            "SELECT a.id, a.email, a.name, a.role, a.password_hash FROM agent_sessions s \
             JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(AgentRow::into_agent)
            .transpose()?
            .map(|(agent, _)| agent))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

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
