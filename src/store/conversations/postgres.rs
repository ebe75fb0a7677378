//! Conversations and their events on PostgreSQL. Writers of one conversation queue on its
//! row lock, so sequence numbers stay gap-free across nodes; each write sends its hint.
use super::*;
use crate::model::{Conversation, InboxFilter, InboxItem, Message, SenderKind, Status};
use crate::store::pg_changes::Notifier;
use crate::store::rows::*;
use crate::store::{StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;

/// Every write locks its conversation row and sends its hint inside its transaction; posts
/// go through the group commit (`pg_commit`).
pub struct PgConversations {
    pub pool: PgPool,
    pub notifier: Arc<Notifier>,
    posts: tokio::sync::mpsc::Sender<super::batch::PostJob>,
}

impl PgConversations {
    /// Starts the group-commit writers on `pool`.
    pub fn new(pool: PgPool, notifier: Arc<Notifier>) -> Self {
        let posts = super::pg_commit::spawn(pool.clone(), notifier.clone());
        PgConversations {
            pool,
            notifier,
            posts,
        }
    }
}

pub(super) async fn load_conversation(
    conn: &mut PgConnection,
    id: &str,
) -> StoreResult<Option<Conversation>> {
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
        "INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
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
    .bind(crate::store::rows::attachment_json(message))
    .execute(conn)
    .await?;
    Ok(())
}

fn seq_range(events: &[Message]) -> Option<(i64, i64)> {
    Some((events.first()?.seq, events.last()?.seq))
}

/// One post in a transaction of its own: the group commit's way when a batch fails.
pub(super) async fn post_one(
    pool: &PgPool,
    notifier: &Notifier,
    post: PostMessage,
) -> StoreResult<Appended> {
    let mut tx = pool.begin().await?;
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
    let conversation = plan.applied_to(conversation, &post);
    sqlx::query(
            "UPDATE conversations SET status = $1, assignee_id = $2, last_seq = $3, last_preview = $4, \
             last_sender = $5, last_activity_at = $6 WHERE id = $7",
        )
        .bind(plan.status.as_str())
        .bind(&plan.assignee)
        .bind(plan.last_seq)
        .bind(&conversation.last_preview)
        .bind(conversation.last_sender.map(SenderKind::as_str))
        .bind(conversation.last_activity_at)
        .bind(&post.conversation_id)
        .execute(&mut *tx)
        .await?;
    notifier
        .notify(
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

#[async_trait]
impl ConversationBackend for PgConversations {
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
            "INSERT INTO conversations (id, inbox_id, visitor_id, status, started_offline, out_of_hours, \
             last_activity_at, created_at) VALUES ($1, $2, $3, 'waiting', $4, $5, $6, $6)",
        )
        .bind(&conversation_id)
        .bind(&new.inbox_id)
        .bind(&visitor_id)
        .bind(new.offline)
        .bind(new.out_of_hours)
        .bind(new.now)
        .execute(&mut *tx)
        .await?;
        let conversation = load_conversation(&mut tx, &conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.notifier
            .notify(&mut *tx, &conversation_id, None, None)
            .await?;
        tx.commit().await?;
        Ok(conversation)
    }

    async fn conversation(&self, id: &str) -> StoreResult<Option<Conversation>> {
        let mut conn = self.pool.acquire().await?;
        load_conversation(&mut conn, id).await
    }

    async fn conversations_of_email(
        &self,
        email: &str,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let rows: Vec<ConversationRow> = sqlx::query_as(&format!(
            "{CONVERSATION_SELECT} WHERE v.email = $1 ORDER BY c.last_activity_at DESC LIMIT $2"
        ))
        .bind(email)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Conversation::try_from).collect()
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

    async fn post_message(&self, post: PostMessage) -> StoreResult<Appended> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.posts
            .send(super::batch::PostJob { post, reply })
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
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
        self.notifier
            .notify(&mut *tx, &change.conversation_id, Some((seq, seq)), None)
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
        self.notifier
            .notify(&mut *tx, &receipt.conversation_id, None, None)
            .await?;
        tx.commit().await?;
        Ok(conversation)
    }
    async fn assign(&self, change: Assign) -> StoreResult<Appended> {
        let mut tx = self.pool.begin().await?;
        let conversation = lock_conversation(&mut tx, &change.conversation_id).await?;
        let Some(event) = assignment_event(&conversation, &change) else {
            return Ok(Appended {
                events: vec![],
                conversation,
                duplicate: false,
            });
        };
        let assignee = change.assignee.as_ref().map(|a| a.id.clone());
        if let Some(id) = &assignee {
            // Shared lock: a deactivation of this agent waits for this write, or this sees it.
            let active: Option<(bool,)> =
                sqlx::query_as("SELECT active FROM agents WHERE id = $1 FOR SHARE")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if active != Some((true,)) {
                return Err(StoreError::Inactive);
            }
        }
        insert_message(&mut tx, &event).await?;
        sqlx::query("UPDATE conversations SET assignee_id = $1, last_seq = $2 WHERE id = $3")
            .bind(&assignee)
            .bind(event.seq)
            .bind(&change.conversation_id)
            .execute(&mut *tx)
            .await?;
        let conversation = load_conversation(&mut tx, &change.conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.notifier
            .notify(
                &mut *tx,
                &change.conversation_id,
                Some((event.seq, event.seq)),
                None,
            )
            .await?;
        tx.commit().await?;
        Ok(Appended {
            events: vec![event],
            conversation,
            duplicate: false,
        })
    }

    async fn inbox_for_agent(
        &self,
        agent_id: &str,
        inboxes: Option<&[String]>,
        label: Option<&str>,
        filter: InboxFilter,
        limit: u32,
    ) -> StoreResult<Vec<InboxItem>> {
        let statuses: Vec<&str> = filter.statuses().iter().map(|s| s.as_str()).collect();
        let rows: Vec<InboxRow> = sqlx::query_as(&format!(
            "SELECT x.*, {UNREAD} AS unread FROM ({CONVERSATION_SELECT} \
             WHERE ($2::text[] IS NULL OR c.inbox_id = ANY($2)) \
             AND ($5::text IS NULL OR ' ' || c.labels || ' ' LIKE $5) \
             AND {snoozed} c.status = ANY($3) ORDER BY c.last_activity_at DESC LIMIT $4) x \
             ORDER BY x.last_activity_at DESC",
            UNREAD = unread_count("$1"),
            snoozed = snoozed_clause(filter),
        ))
        .bind(agent_id)
        .bind(inboxes)
        .bind(&statuses)
        .bind(i64::from(limit))
        .bind(label.map(|id| format!("% {id} %")))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(InboxItem::try_from).collect()
    }

    async fn record_agent_read(
        &self,
        agent_id: &str,
        conversation_id: &str,
        read_seq: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agent_reads (agent_id, conversation_id, read_seq) VALUES ($1, $2, $3) \
             ON CONFLICT (agent_id, conversation_id) \
             DO UPDATE SET read_seq = GREATEST(agent_reads.read_seq, excluded.read_seq)",
        )
        .bind(agent_id)
        .bind(conversation_id)
        .bind(read_seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn assigned_open(&self, agent_id: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM conversations WHERE assignee_id = $1 AND status <> 'resolved'",
        )
        .bind(agent_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
    async fn update_visitor(
        &self,
        conversation_id: &str,
        change: &VisitorChange,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE visitors SET name = COALESCE($1, name), email = COALESCE($2, email), \
             page_url = COALESCE($3, page_url), page_title = COALESCE($4, page_title), \
             context = COALESCE($5, context), referrer = COALESCE($6, referrer), \
             language = COALESCE($7, language), time_zone = COALESCE($8, time_zone), \
             visits = visits + CASE WHEN $9::bigint - COALESCE(last_seen_at, created_at) > $10 THEN 1 ELSE 0 END, \
             last_seen_at = GREATEST(COALESCE($9, last_seen_at), COALESCE(last_seen_at, created_at)) \
             WHERE id = (SELECT visitor_id FROM conversations WHERE id = $11)",
        )
        .bind(&change.name)
        .bind(&change.email)
        .bind(&change.page_url)
        .bind(&change.page_title)
        .bind(&change.context)
        .bind(&change.referrer)
        .bind(&change.language)
        .bind(&change.time_zone)
        .bind(change.seen_at)
        .bind(crate::model::NEW_VISIT_AFTER_MS)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
        let conversation = load_conversation(&mut tx, conversation_id).await?;
        self.notifier
            .notify(&mut *tx, conversation_id, None, None)
            .await?;
        tx.commit().await?;
        Ok(conversation)
    }
    async fn snooze(
        &self,
        conversation_id: &str,
        until: Option<i64>,
    ) -> StoreResult<Option<Conversation>> {
        super::pg_marks::snooze(&self.pool, &self.notifier, conversation_id, until).await
    }
    async fn wake_snoozed(&self, now: i64, limit: u32) -> StoreResult<Vec<Conversation>> {
        super::pg_marks::wake_snoozed(&self.pool, &self.notifier, now, limit).await
    }
    async fn change_label(
        &self,
        conversation_id: &str,
        label_id: &str,
        on: bool,
    ) -> StoreResult<Option<Conversation>> {
        super::pg_marks::change_label(&self.pool, &self.notifier, conversation_id, label_id, on)
            .await
    }
    async fn unassigned_open(&self, limit: u32) -> StoreResult<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, inbox_id FROM conversations WHERE assignee_id IS NULL \
             AND status <> 'resolved' ORDER BY created_at LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
