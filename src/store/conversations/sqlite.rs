//! Conversations and their events on SQLite: reads on the pool, posts through group commit,
//! other writes on the single writer connection.
use super::sqlite_commit::{group_commit, PostJob, MAX_BATCH};
use super::*;
use crate::model::{Conversation, InboxFilter, InboxItem, Message, SenderKind, Status};
use crate::store::rows::*;
use crate::store::{StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Reads on the reader pool; posts queue for the group-commit writer; other writes use the
/// single writer connection directly.
pub struct SqliteConversations {
    reader: SqlitePool,
    writer: SqlitePool,
    posts: mpsc::Sender<PostJob>,
}

impl SqliteConversations {
    /// Starts the group-commit writer on `writer`.
    pub fn new(reader: SqlitePool, writer: SqlitePool) -> Self {
        let (posts, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(group_commit(writer.clone(), jobs));
        SqliteConversations {
            reader,
            writer,
            posts,
        }
    }
}

pub(super) async fn load_conversation(
    conn: &mut SqliteConnection,
    id: &str,
) -> StoreResult<Option<Conversation>> {
    let row: Option<ConversationRow> =
        sqlx::query_as(&format!("{CONVERSATION_SELECT} WHERE c.id = ?"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Conversation::try_from).transpose()
}

pub(super) async fn insert_message(
    conn: &mut SqliteConnection,
    message: &Message,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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

#[async_trait]
impl ConversationBackend for SqliteConversations {
    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation> {
        let mut tx = self.writer.begin().await?;
        let visitor_id = uuid::Uuid::new_v4().to_string();
        let conversation_id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO visitors (id, token_hash, name, email, page_url, user_agent, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
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
             last_activity_at, created_at) VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?)",
        )
        .bind(&conversation_id)
        .bind(&new.inbox_id)
        .bind(&visitor_id)
        .bind(new.offline)
        .bind(new.out_of_hours)
        .bind(new.now)
        .bind(new.now)
        .execute(&mut *tx)
        .await?;
        let conversation = load_conversation(&mut tx, &conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(conversation)
    }

    async fn conversation(&self, id: &str) -> StoreResult<Option<Conversation>> {
        let mut conn = self.reader.acquire().await?;
        load_conversation(&mut conn, id).await
    }

    async fn conversations_of_email(
        &self,
        email: &str,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let rows: Vec<ConversationRow> = sqlx::query_as(&format!(
            "{CONVERSATION_SELECT} WHERE v.email = ? ORDER BY c.last_activity_at DESC LIMIT ?"
        ))
        .bind(email)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(Conversation::try_from).collect()
    }

    async fn conversation_for_visitor(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<Conversation>> {
        let row: Option<ConversationRow> = sqlx::query_as(&format!(
            "{CONVERSATION_SELECT} WHERE v.token_hash = ? ORDER BY c.created_at DESC LIMIT 1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(Conversation::try_from).transpose()
    }

    async fn post_message(&self, post: PostMessage) -> StoreResult<Appended> {
        let (reply, answer) = oneshot::channel();
        self.posts
            .send(PostJob { post, reply })
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    async fn change_status(&self, change: ChangeStatus) -> StoreResult<Appended> {
        let mut tx = self.writer.begin().await?;
        let conversation = load_conversation(&mut tx, &change.conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
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
            "UPDATE conversations SET status = ?, assignee_id = ?, last_seq = ? WHERE id = ?",
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
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq < ? \
             ORDER BY seq DESC LIMIT ?"
        ))
        .bind(conversation_id)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.reader)
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
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq > ? \
             ORDER BY seq ASC LIMIT ?"
        ))
        .bind(conversation_id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(Message::try_from).collect()
    }

    async fn record_receipt(&self, receipt: Receipt) -> StoreResult<Option<Conversation>> {
        let (delivered_col, read_col) = receipt_columns(receipt.side);
        let mut tx = self.writer.begin().await?;
        // Positions only move forward and never past the newest event.
        let changed = sqlx::query(&format!(
            "UPDATE conversations SET \
             {delivered_col} = MAX({delivered_col}, MIN(?, last_seq)), \
             {read_col} = MAX({read_col}, MIN(?, last_seq)) \
             WHERE id = ? AND ({delivered_col} < MIN(?, last_seq) OR {read_col} < MIN(?, last_seq))"
        ))
        .bind(receipt.delivered_seq)
        .bind(receipt.read_seq)
        .bind(&receipt.conversation_id)
        .bind(receipt.delivered_seq)
        .bind(receipt.read_seq)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        let conversation = load_conversation(&mut tx, &receipt.conversation_id).await?;
        tx.commit().await?;
        Ok(conversation)
    }
    async fn assign(&self, change: Assign) -> StoreResult<Appended> {
        let mut tx = self.writer.begin().await?;
        let conversation = load_conversation(&mut tx, &change.conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let Some(event) = assignment_event(&conversation, &change) else {
            return Ok(Appended {
                events: vec![],
                conversation,
                duplicate: false,
            });
        };
        let assignee = change.assignee.as_ref().map(|a| a.id.clone());
        if let Some(id) = &assignee {
            let active: Option<(bool,)> = sqlx::query_as("SELECT active FROM agents WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            if active != Some((true,)) {
                return Err(StoreError::Inactive);
            }
        }
        insert_message(&mut tx, &event).await?;
        sqlx::query("UPDATE conversations SET assignee_id = ?, last_seq = ? WHERE id = ?")
            .bind(&assignee)
            .bind(event.seq)
            .bind(&change.conversation_id)
            .execute(&mut *tx)
            .await?;
        let conversation = load_conversation(&mut tx, &change.conversation_id)
            .await?
            .ok_or(StoreError::NotFound)?;
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
        let statuses = filter.statuses();
        let pick = |i: usize| statuses[i.min(statuses.len() - 1)].as_str();
        // One inbox walks its (inbox_id, status, last_activity_at) index; a set is a JSON array.
        let in_inboxes = match inboxes {
            Some(_) => "c.inbox_id IN (SELECT value FROM json_each(?)) AND",
            None => "",
        };
        let with_label = match label {
            Some(_) => "' ' || c.labels || ' ' LIKE ? AND",
            None => "",
        };
        let query = format!(
            "SELECT x.*, {UNREAD} AS unread FROM ({CONVERSATION_SELECT} WHERE {in_inboxes} \
             {with_label} {snoozed} c.status IN (?, ?, ?) ORDER BY c.last_activity_at DESC LIMIT ?) x \
             ORDER BY x.last_activity_at DESC",
            UNREAD = unread_count("?"),
            snoozed = snoozed_clause(filter),
        );
        let mut rows = sqlx::query_as::<_, InboxRow>(&query).bind(agent_id);
        if let Some(ids) = inboxes {
            rows = rows.bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
        }
        if let Some(label) = label {
            rows = rows.bind(format!("% {label} %"));
        }
        let rows: Vec<InboxRow> = rows
            .bind(pick(0))
            .bind(pick(1))
            .bind(pick(2))
            .bind(limit)
            .fetch_all(&self.reader)
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
            "INSERT INTO agent_reads (agent_id, conversation_id, read_seq) VALUES (?, ?, ?) \
             ON CONFLICT (agent_id, conversation_id) DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq)",
        )
        .bind(agent_id)
        .bind(conversation_id)
        .bind(read_seq)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn assigned_open(&self, agent_id: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM conversations WHERE assignee_id = ? AND status <> 'resolved'",
        )
        .bind(agent_id)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
    async fn update_visitor(
        &self,
        conversation_id: &str,
        change: &VisitorChange,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE visitors SET name = COALESCE(?1, name), email = COALESCE(?2, email), \
             page_url = COALESCE(?3, page_url), page_title = COALESCE(?4, page_title), \
             context = COALESCE(?5, context), referrer = COALESCE(?6, referrer), \
             language = COALESCE(?7, language), time_zone = COALESCE(?8, time_zone), \
             visits = visits + CASE WHEN ?9 - COALESCE(last_seen_at, created_at) > ?10 THEN 1 ELSE 0 END, \
             last_seen_at = MAX(COALESCE(?9, last_seen_at), COALESCE(last_seen_at, created_at)) \
             WHERE id = (SELECT visitor_id FROM conversations WHERE id = ?11)",
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
        tx.commit().await?;
        Ok(conversation)
    }
    async fn snooze(
        &self,
        conversation_id: &str,
        until: Option<i64>,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE conversations SET snoozed_until = ?1 WHERE id = ?2")
            .bind(until)
            .bind(conversation_id)
            .execute(&mut *tx)
            .await?;
        let conversation = load_conversation(&mut tx, conversation_id).await?;
        tx.commit().await?;
        Ok(conversation)
    }
    async fn wake_snoozed(&self, now: i64, limit: u32) -> StoreResult<Vec<Conversation>> {
        // Most passes find nothing: a read on the partial index, so that they never queue
        // behind (or ahead of) the message writer.
        let due: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM conversations WHERE snoozed_until IS NOT NULL AND snoozed_until <= ? LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.writer.begin().await?;
        let woken: Vec<(String,)> = sqlx::query_as(
            "UPDATE conversations SET snoozed_until = NULL WHERE id IN \
             (SELECT id FROM conversations WHERE snoozed_until <= ?1 LIMIT ?2) \
             AND snoozed_until <= ?1 RETURNING id",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut conversations = Vec::with_capacity(woken.len());
        for (id,) in woken {
            conversations.extend(load_conversation(&mut tx, &id).await?);
        }
        tx.commit().await?;
        Ok(conversations)
    }
    async fn change_label(
        &self,
        conversation_id: &str,
        label_id: &str,
        on: bool,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = self.writer.begin().await?;
        // Added only if the label still exists; either way the padded list decides.
        let (query, value) = if on {
            (
                "UPDATE conversations SET labels = TRIM(labels || ' ' || ?1) WHERE id = ?2 \
                 AND ' ' || labels || ' ' NOT LIKE ?3 AND EXISTS (SELECT 1 FROM labels WHERE id = ?1)",
                label_id.to_string(),
            )
        } else {
            (
                "UPDATE conversations SET labels = TRIM(REPLACE(' ' || labels || ' ', ?1, ' ')) \
                 WHERE id = ?2 AND ' ' || labels || ' ' LIKE ?3",
                format!(" {label_id} "),
            )
        };
        sqlx::query(query)
            .bind(value)
            .bind(conversation_id)
            .bind(format!("% {label_id} %"))
            .execute(&mut *tx)
            .await?;
        let conversation = load_conversation(&mut tx, conversation_id).await?;
        tx.commit().await?;
        Ok(conversation)
    }
    async fn unassigned_open(&self, limit: u32) -> StoreResult<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, inbox_id FROM conversations WHERE assignee_id IS NULL \
             AND status <> 'resolved' ORDER BY created_at LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows)
    }
}
