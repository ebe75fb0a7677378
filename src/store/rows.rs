//! Rows as both databases return them, and the SQL both understand.
use super::{StoreError, StoreResult};
use crate::model::{
    Agent, AgentSettings, Conversation, Invite, Message, Rating, Receipts, Role, SenderKind,
    Status, TeamMember, Theme, VisitorFacts,
};
use sqlx::FromRow;

pub const CONVERSATION_SELECT: &str = "SELECT c.id, c.inbox_id, c.status, c.assignee_id, a.name AS assignee_name, \
     v.name AS visitor_name, v.email AS visitor_email, v.page_url AS visitor_page, v.page_title AS visitor_page_title, v.context AS visitor_context, v.user_agent AS visitor_agent, \
     c.last_seq, c.last_preview, c.last_sender, c.started_offline, c.out_of_hours, \
     v.referrer AS visitor_referrer, v.language AS visitor_language, v.time_zone AS visitor_time_zone, \
     v.visits AS visitor_visits, v.created_at AS visitor_first_seen, v.last_seen_at AS visitor_last_seen, \
     c.last_activity_at, c.created_at, c.visitor_delivered_seq, c.visitor_read_seq, \
     c.agent_delivered_seq, c.agent_read_seq, \
     CAST(r.score AS BIGINT) AS rating_score, r.comment AS rating_comment, \
     CAST(r.resolution_seq AS BIGINT) AS rating_seq, c.labels, c.snoozed_until \
     FROM conversations c JOIN visitors v ON v.id = c.visitor_id LEFT JOIN agents a ON a.id = c.assignee_id \
     LEFT JOIN ratings r ON r.conversation_id = c.id AND r.resolution_seq = \
     (SELECT MAX(m.resolution_seq) FROM ratings m WHERE m.conversation_id = c.id)";

/// The visitor messages of conversation `x` after the read position of agent `agent_param`.
pub fn unread_count(agent_param: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = x.id AND m.sender_kind = 'visitor' \
         AND m.seq > COALESCE((SELECT r.read_seq FROM agent_reads r WHERE r.agent_id = {agent_param} \
         AND r.conversation_id = x.id), 0))"
    )
}

/// The inbox view's condition on snooze, ending in `AND` (or nothing): the open views leave
/// snoozed conversations out, the snoozed view takes only them.
pub fn snoozed_clause(filter: crate::model::InboxFilter) -> &'static str {
    match filter.snoozed() {
        Some(false) => "c.snoozed_until IS NULL AND",
        Some(true) => "c.snoozed_until IS NOT NULL AND",
        None => "",
    }
}

pub const MESSAGE_COLUMNS: &str =
    "conversation_id, seq, client_id, sender_kind, sender_id, sender_name, body, status_change, created_at, attachment";

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
    pub visitor_page_title: Option<String>,
    pub visitor_context: Option<String>,
    pub visitor_agent: Option<String>,
    pub last_seq: i64,
    pub last_preview: String,
    pub last_sender: Option<String>,
    pub started_offline: bool,
    pub out_of_hours: bool,
    pub visitor_referrer: Option<String>,
    pub visitor_language: Option<String>,
    pub visitor_time_zone: Option<String>,
    pub visitor_visits: i64,
    pub visitor_first_seen: i64,
    pub visitor_last_seen: Option<i64>,
    pub last_activity_at: i64,
    pub created_at: i64,
    pub visitor_delivered_seq: i64,
    pub visitor_read_seq: i64,
    pub agent_delivered_seq: i64,
    pub agent_read_seq: i64,
    pub rating_score: Option<i64>,
    pub rating_comment: Option<String>,
    pub rating_seq: Option<i64>,
    /// Label ids, space-separated.
    pub labels: String,
    pub snoozed_until: Option<i64>,
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
            visitor_page_title: row.visitor_page_title.filter(|title| !title.is_empty()),
            // Written by `VisitorContext::to_json` only; unreadable text shows as nothing.
            visitor_context: row
                .visitor_context
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default(),
            visitor_agent: row.visitor_agent,
            last_seq: row.last_seq,
            last_preview: row.last_preview,
            last_sender: row.last_sender.as_deref().and_then(SenderKind::parse),
            started_offline: row.started_offline,
            out_of_hours: row.out_of_hours,
            visitor_facts: VisitorFacts {
                referrer: row.visitor_referrer,
                language: row.visitor_language,
                time_zone: row.visitor_time_zone,
                visits: row.visitor_visits,
                first_seen_at: row.visitor_first_seen,
                last_seen_at: row.visitor_last_seen.unwrap_or(row.visitor_first_seen),
            },
            last_activity_at: row.last_activity_at,
            created_at: row.created_at,
            receipts: Receipts {
                visitor_delivered: row.visitor_delivered_seq,
                visitor_read: row.visitor_read_seq,
                agent_delivered: row.agent_delivered_seq,
                agent_read: row.agent_read_seq,
            },
            rating: match (row.rating_score, row.rating_seq) {
                (Some(score), Some(resolution_seq)) => Some(Rating {
                    score: u8::try_from(score)
                        .map_err(|_| StoreError::Corrupt(format!("rating {score}")))?,
                    comment: row.rating_comment.unwrap_or_default(),
                    resolution_seq,
                }),
                _ => None,
            },
            labels: row.labels.split_whitespace().map(str::to_string).collect(),
            snoozed_until: row.snoozed_until,
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
    /// `Attachment` as JSON (`attachment_json`).
    pub attachment: Option<String>,
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
            attachment: row
                .attachment
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("attachment: {e}")))?,
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
        let role = role(&self.role)?;
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

fn role(text: &str) -> StoreResult<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Corrupt(format!("role {text}")))
}

#[derive(FromRow)]
pub struct MemberRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub avatar_color: String,
    pub open_chats: i64,
}

impl TryFrom<MemberRow> for TeamMember {
    type Error = StoreError;
    fn try_from(row: MemberRow) -> StoreResult<Self> {
        Ok(TeamMember {
            agent: Agent {
                role: role(&row.role)?,
                id: row.id,
                email: row.email,
                name: row.name,
            },
            active: row.active,
            avatar_color: row.avatar_color,
            open_chats: row.open_chats,
        })
    }
}

#[derive(FromRow)]
pub struct SettingsRow {
    pub name: String,
    pub avatar_color: String,
    pub time_zone: String,
    pub theme: String,
    pub notify_sound: bool,
    pub notify_desktop: bool,
    pub notify_new: bool,
    pub notify_messages: bool,
}

impl From<SettingsRow> for AgentSettings {
    fn from(row: SettingsRow) -> Self {
        AgentSettings {
            name: row.name,
            avatar_color: row.avatar_color,
            time_zone: row.time_zone,
            theme: Theme::parse(&row.theme).unwrap_or_default(),
            sound: row.notify_sound,
            notifications: row.notify_desktop,
            notify_new: row.notify_new,
            notify_messages: row.notify_messages,
        }
    }
}

#[derive(FromRow)]
pub struct InviteRow {
    pub id: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl TryFrom<InviteRow> for Invite {
    type Error = StoreError;
    fn try_from(row: InviteRow) -> StoreResult<Self> {
        Ok(Invite {
            role: role(&row.role)?,
            id: row.id,
            email: row.email,
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
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
        attachment: None,
    }
}

/// The notice an assignment change writes, or `None` when nothing changes.
pub fn assignment_event(conversation: &Conversation, change: &super::Assign) -> Option<Message> {
    let to = change.assignee.as_ref();
    let taken = change.only_if_unassigned && conversation.assignee_id.is_some();
    if taken || conversation.assignee_id.as_deref() == to.map(|a| a.id.as_str()) {
        return None;
    }
    Some(Message {
        conversation_id: conversation.id.clone(),
        seq: conversation.last_seq + 1,
        client_id: uuid::Uuid::new_v4().to_string(),
        sender: SenderKind::System,
        sender_id: Some(change.actor.id.clone()),
        sender_name: change.actor.name.clone(),
        body: crate::model::assignment_notice(
            &change.actor.name,
            conversation.assignee_name.as_deref(),
            to.map(|a| a.name.as_str()),
        ),
        status_change: None,
        created_at: change.now,
        attachment: None,
    })
}

#[derive(FromRow)]
pub struct InboxRow {
    #[sqlx(flatten)]
    pub conversation: ConversationRow,
    pub unread: i64,
}

impl TryFrom<InboxRow> for crate::model::InboxItem {
    type Error = StoreError;
    fn try_from(row: InboxRow) -> StoreResult<Self> {
        Ok(crate::model::InboxItem {
            conversation: row.conversation.try_into()?,
            unread: row.unread,
        })
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
    events.push(posted_message(conversation, post, seq));
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
        // The preview and activity are what the visitor's side shows too: a note leaves them.
        // Only what the two sides write counts (not notes, not notices such as a rating).
        if matches!(post.author.kind, SenderKind::Visitor | SenderKind::Agent) {
            conversation.last_preview = match &post.attachment {
                Some(file) => crate::model::preview(&format!("File: {}", file.name)),
                None => crate::model::preview(&post.body),
            };
            conversation.last_sender = Some(post.author.kind);
            conversation.last_activity_at = post.now;
        }
        conversation
    }
}

/// The message a post appends after any notice. A visitor's message carries the name the
/// conversation has now (a socket may know an older one).
fn posted_message(conversation: &Conversation, post: &super::PostMessage, seq: i64) -> Message {
    let sender_name = match post.author.kind {
        SenderKind::Visitor => conversation.visitor_name.clone(),
        _ => post.author.name.clone(),
    };
    Message {
        conversation_id: post.conversation_id.clone(),
        seq,
        client_id: post.client_id.clone(),
        sender: post.author.kind,
        sender_id: post.author.id.clone(),
        sender_name,
        body: post.body.clone(),
        status_change: None,
        created_at: post.now,
        attachment: post.attachment.clone(),
    }
}

/// The `attachment` column's text.
pub fn attachment_json(message: &Message) -> Option<String> {
    message
        .attachment
        .as_ref()
        .and_then(|file| serde_json::to_string(file).ok())
}
