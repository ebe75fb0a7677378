//! Rows as both databases return them, and the SQL both understand.
use super::{StoreError, StoreResult};
use crate::model::{Agent, Conversation, Message, Receipts, Role, SenderKind, Status};
use sqlx::FromRow;

pub const CONVERSATION_SELECT: &str = "SELECT c.id, c.inbox_id, c.status, c.assignee_id, a.name AS assignee_name, \
     v.name AS visitor_name, v.email AS visitor_email, v.page_url AS visitor_page, v.user_agent AS visitor_agent, \
     c.last_seq, c.last_preview, c.last_activity_at, c.created_at, c.visitor_delivered_seq, c.visitor_read_seq, \
     c.agent_delivered_seq, c.agent_read_seq \
     FROM conversations c JOIN visitors v ON v.id = c.visitor_id LEFT JOIN agents a ON a.id = c.assignee_id";

pub const MESSAGE_COLUMNS: &str =
    "conversation_id, seq, client_id, sender_kind, sender_id, sender_name, body, status_change, created_at";

#[derive(FromRow)]
pub struct ConversationRow {
    pub id: String,
    pub inbox_id: String,
    pub status: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub visitor_name: String,
    pub visitor_email: Option<String>,
    pub visitor_page: Option<String>,
    pub visitor_agent: Option<String>,
    pub last_seq: i64,
    pub last_preview: String,
    pub last_activity_at: i64,
    pub created_at: i64,
    pub visitor_delivered_seq: i64,
    pub visitor_read_seq: i64,
    pub agent_delivered_seq: i64,
    pub agent_read_seq: i64,
}

impl TryFrom<ConversationRow> for Conversation {
    type Error = StoreError;
    fn try_from(row: ConversationRow) -> StoreResult<Self> {
        Ok(Conversation {
            status: Status::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {}", row.status)))?,
            id: row.id,
            inbox_id: row.inbox_id,
            assignee_id: row.assignee_id,
            assignee_name: row.assignee_name,
            visitor_name: row.visitor_name,
            visitor_email: row.visitor_email,
            visitor_page: row.visitor_page,
            visitor_agent: row.visitor_agent,
            last_seq: row.last_seq,
            last_preview: row.last_preview,
            last_activity_at: row.last_activity_at,
            created_at: row.created_at,
            receipts: Receipts {
                visitor_delivered: row.visitor_delivered_seq,
                visitor_read: row.visitor_read_seq,
                agent_delivered: row.agent_delivered_seq,
                agent_read: row.agent_read_seq,
            },
        })
    }
}

#[derive(FromRow)]
pub struct MessageRow {
    pub conversation_id: String,
    pub seq: i64,
    pub client_id: String,
    pub sender_kind: String,
    pub sender_id: Option<String>,
    pub sender_name: String,
    pub body: String,
    pub status_change: Option<String>,
    pub created_at: i64,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> StoreResult<Self> {
        let status_change = match row.status_change.as_deref() {
            None => None,
            Some(text) => Some(
                Status::parse(text).ok_or_else(|| StoreError::Corrupt(format!("status {text}")))?,
            ),
        };
        Ok(Message {
            sender: SenderKind::parse(&row.sender_kind)
                .ok_or_else(|| StoreError::Corrupt(format!("sender {}", row.sender_kind)))?,
            conversation_id: row.conversation_id,
            seq: row.seq,
            client_id: row.client_id,
            sender_id: row.sender_id,
            sender_name: row.sender_name,
            body: row.body,
            status_change,
            created_at: row.created_at,
        })
    }
}

#[derive(FromRow)]
pub struct AgentRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
}

impl AgentRow {
    pub fn into_agent(self) -> StoreResult<(Agent, String)> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| StoreError::Corrupt(format!("role {}", self.role)))?;
        Ok((
            Agent {
                id: self.id,
                email: self.email,
                name: self.name,
                role,
            },
            self.password_hash,
        ))
    }
}

/// The system notice a status change writes; shared so both stores word it alike.
pub fn notice(
    conversation: &Conversation,
    seq: i64,
    status: Status,
    actor: &super::Author,
    now: i64,
) -> Message {
    let reopened = conversation.status == Status::Resolved;
    Message {
        conversation_id: conversation.id.clone(),
        seq,
        client_id: uuid::Uuid::new_v4().to_string(),
        sender: SenderKind::System,
        sender_id: actor.id.clone(),
        sender_name: actor.name.clone(),
        body: crate::model::status_notice(status, &actor.name, reopened),
        status_change: Some(status),
        created_at: now,
    }
}

/// Which receipt columns belong to a side.
pub fn receipt_columns(side: SenderKind) -> (&'static str, &'static str) {
    match side {
        SenderKind::Visitor => ("visitor_delivered_seq", "visitor_read_seq"),
        _ => ("agent_delivered_seq", "agent_read_seq"),
    }
}

/// What appending a message changes, decided from the locked conversation alone so every
/// store applies the same rules: the events (a status notice first, if the message causes
/// one), and the conversation's new status, assignee and last sequence number.
pub struct PostPlan {
    pub events: Vec<Message>,
    pub status: Status,
    pub assignee: Option<String>,
    pub last_seq: i64,
}

pub fn plan_post(conversation: &Conversation, post: &super::PostMessage) -> PostPlan {
    let mut events = Vec::with_capacity(2);
    let mut seq = conversation.last_seq;
    let change = crate::model::transition_on_message(conversation, post.author.kind);
    if let Some(status) = change {
        seq += 1;
        events.push(notice(conversation, seq, status, &post.author, post.now));
    }
    seq += 1;
    events.push(posted_message(post, seq));
    // The first agent to answer an unassigned conversation takes it.
    let assignee = match (&conversation.assignee_id, post.author.kind) {
        (None, SenderKind::Agent) => post.author.id.clone(),
        (current, _) => current.clone(),
    };
    PostPlan {
        events,
        status: change.unwrap_or(conversation.status),
        assignee,
        last_seq: seq,
    }
}

impl PostPlan {
    /// The conversation as the write leaves it, without reading it back.
    pub fn applied_to(
        &self,
        mut conversation: Conversation,
        post: &super::PostMessage,
    ) -> Conversation {
        if conversation.assignee_id.is_none() && self.assignee.is_some() {
            conversation.assignee_name = Some(post.author.name.clone());
        }
        conversation.assignee_id = self.assignee.clone();
        conversation.status = self.status;
        conversation.last_seq = self.last_seq;
        conversation.last_preview = crate::model::preview(&post.body);
        conversation.last_activity_at = post.now;
        conversation
    }
}

/// The message a post appends after any notice.
fn posted_message(post: &super::PostMessage, seq: i64) -> Message {
    Message {
        conversation_id: post.conversation_id.clone(),
        seq,
        client_id: post.client_id.clone(),
        sender: post.author.kind,
        sender_id: post.author.id.clone(),
        sender_name: post.author.name.clone(),
        body: post.body.clone(),
        status_change: None,
        created_at: post.now,
    }
}
