//! Conversations, their numbered events and the sides' receipts. Reads go through
//! `ConversationStore`, which takes who is asking (`Viewer`) and is the one place that decides
//! who may read what; the backends only persist.
mod batch;
mod pg_bulk;
mod pg_commit;
mod pg_marks;
pub(super) mod postgres;
pub(super) mod sqlite;
mod sqlite_bulk;
mod sqlite_commit;

use super::StoreResult;
use crate::model::{
    Agent, Conversation, InboxAccess, InboxFilter, InboxItem, Message, SenderKind, Status,
};
use async_trait::async_trait;
use std::sync::Arc;

/// Who is asking for a read.
#[derive(Clone, Copy, Debug)]
pub enum Viewer<'a> {
    /// A signed-in agent, who sees the conversations of the inboxes they work (admins: all).
    Agent(&'a Agent, &'a InboxAccess),
    /// A visitor, known by the conversation their token opened.
    Visitor { conversation_id: &'a str },
    /// The node itself: cross-node fan-out re-reading what another node wrote.
    Node,
}

impl Viewer<'_> {
    /// Whether this viewer may read this conversation.
    pub fn may_read(&self, conversation: &Conversation) -> bool {
        match self {
            Viewer::Agent(_, access) => access.allows(&conversation.inbox_id),
            Viewer::Node => true,
            Viewer::Visitor {
                conversation_id: own,
            } => *own == conversation.id,
        }
    }
}

/// What of a conversation's events this viewer reads: a visitor never reads agents' notes.
fn visible_to(viewer: Viewer<'_>, mut messages: Vec<Message>) -> Vec<Message> {
    if let Viewer::Visitor { .. } = viewer {
        messages.retain(Message::for_visitor);
    }
    messages
}

/// A visitor starting a chat.
#[derive(Clone, Debug)]
pub struct NewConversation {
    pub inbox_id: String,
    pub visitor_token_hash: String,
    pub visitor_name: String,
    pub visitor_email: Option<String>,
    pub page_url: Option<String>,
    pub user_agent: Option<String>,
    /// No agent was online when it started.
    pub offline: bool,
    /// Arrived outside the inbox's business hours.
    pub out_of_hours: bool,
    pub now: i64,
}

/// Who is writing into a conversation.
/// What changes about a visitor; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct VisitorChange {
    pub name: Option<String>,
    pub email: Option<String>,
    pub page_url: Option<String>,
    pub page_title: Option<String>,
    /// The whole context, as JSON: `[["plan", "pro"], …]`.
    pub context: Option<String>,
    pub referrer: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    /// The widget was loaded now: counts a visit when the last one is long enough ago.
    pub seen_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Author {
    pub kind: SenderKind,
    pub id: Option<String>,
    pub name: String,
}

/// A message to append; the store numbers it and applies the status rules of `model`.
#[derive(Clone, Debug)]
pub struct PostMessage {
    pub conversation_id: String,
    pub client_id: String,
    pub author: Author,
    pub body: String,
    pub now: i64,
    /// A file sent as this message (already in the file store).
    pub attachment: Option<crate::model::Attachment>,
}

/// A status change asked for by an agent.
#[derive(Clone, Debug)]
pub struct ChangeStatus {
    pub conversation_id: String,
    pub status: Status,
    pub agent: Agent,
    pub now: i64,
}

/// An agent (re)assigning a conversation, or returning it to the queue (`assignee: None`).
#[derive(Clone, Debug)]
pub struct Assign {
    pub conversation_id: String,
    pub assignee: Option<Agent>,
    pub actor: Agent,
    /// Auto-assignment: change nothing if someone took it meanwhile.
    pub only_if_unassigned: bool,
    pub now: i64,
}

/// What one write produced: the events appended (in seq order) and the conversation after it.
#[derive(Clone, Debug)]
pub struct Appended {
    pub events: Vec<Message>,
    pub conversation: Conversation,
    /// True when the client id was already stored: `events` then holds the stored message.
    pub duplicate: bool,
}

/// A side's clients report how far they got in a conversation.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub conversation_id: String,
    pub side: SenderKind,
    pub delivered_seq: i64,
    pub read_seq: i64,
}

/// What each database implements; callers use `ConversationStore`.
#[async_trait]
pub trait ConversationBackend: Send + Sync + 'static {
    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation>;
    async fn conversation(&self, id: &str) -> StoreResult<Option<Conversation>>;
    /// Conversations of visitors who gave this e-mail (lower case), newest activity first.
    async fn conversations_of_email(
        &self,
        email: &str,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>>;
    async fn conversation_for_visitor(&self, token_hash: &str)
        -> StoreResult<Option<Conversation>>;
    /// Appends a message (idempotent on client id) plus any status notice it causes, atomically.
    async fn post_message(&self, post: PostMessage) -> StoreResult<Appended>;
    /// Changes status and appends its notice atomically; a no-op change appends nothing.
    async fn change_status(&self, change: ChangeStatus) -> StoreResult<Appended>;
    /// The newest `limit` messages before `before_seq` (or the newest overall), oldest first.
    async fn messages_before(
        &self,
        conversation_id: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Up to `limit` messages after `after_seq`, oldest first.
    async fn messages_after(
        &self,
        conversation_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Moves a side's delivery/read positions forward; returns the conversation if anything moved.
    async fn record_receipt(&self, receipt: Receipt) -> StoreResult<Option<Conversation>>;
    /// Sets or clears the assignee and appends the notice, atomically; `Inactive` when the
    /// new assignee is deactivated. Assigning to the current assignee appends nothing.
    async fn assign(&self, change: Assign) -> StoreResult<Appended>;
    /// Newest activity first, at most `limit`, in these inboxes (`None`: all), each with its
    /// unread visitor messages for this agent.
    async fn inbox_for_agent(
        &self,
        agent_id: &str,
        inboxes: Option<&[String]>,
        label: Option<&str>,
        filter: InboxFilter,
        limit: u32,
    ) -> StoreResult<Vec<InboxItem>>;
    /// Moves this agent's read position in a conversation forward.
    async fn record_agent_read(
        &self,
        agent_id: &str,
        conversation_id: &str,
        read_seq: i64,
    ) -> StoreResult<()>;
    /// Open conversations assigned to this agent.
    async fn assigned_open(&self, agent_id: &str) -> StoreResult<Vec<String>>;
    /// Open conversations nobody holds, oldest first: (id, inbox id).
    async fn unassigned_open(&self, limit: u32) -> StoreResult<Vec<(String, String)>>;
    /// Changes what is known of the visitor who started this conversation.
    async fn update_visitor(
        &self,
        conversation_id: &str,
        change: &VisitorChange,
    ) -> StoreResult<Option<Conversation>>;
    /// Snoozes the conversation until then, or wakes it (`None`).
    async fn snooze(
        &self,
        conversation_id: &str,
        until: Option<i64>,
    ) -> StoreResult<Option<Conversation>>;
    /// Wakes the conversations whose snooze has passed (at most `limit`) and returns them.
    /// Several nodes may call it at once: each conversation is woken, and returned, once.
    async fn wake_snoozed(&self, now: i64, limit: u32) -> StoreResult<Vec<Conversation>>;
    /// Puts a label on the conversation (`on`, if the label exists) or takes it off, in one
    /// statement, so that two agents labelling at once both count.
    async fn change_label(
        &self,
        conversation_id: &str,
        label_id: &str,
        on: bool,
    ) -> StoreResult<Option<Conversation>>;
}

/// Conversations as the rest of the server sees them: every read names its viewer, and a
/// conversation the viewer may not read is reported as absent (never as forbidden, so ids
/// cannot be probed).
#[derive(Clone)]
pub struct ConversationStore(Arc<dyn ConversationBackend>);

impl ConversationStore {
    pub fn new(backend: Arc<dyn ConversationBackend>) -> Self {
        ConversationStore(backend)
    }

    pub async fn create(&self, new: NewConversation) -> StoreResult<Conversation> {
        self.0.create_conversation(new).await
    }

    pub async fn get(&self, viewer: Viewer<'_>, id: &str) -> StoreResult<Option<Conversation>> {
        if let Viewer::Visitor { conversation_id } = viewer {
            if conversation_id != id {
                return Ok(None);
            }
        }
        Ok(self
            .0
            .conversation(id)
            .await?
            .filter(|conversation| viewer.may_read(conversation)))
    }

    /// Whether the viewer may read this conversation's messages; absent ones count as not.
    async fn readable(&self, viewer: Viewer<'_>, id: &str) -> StoreResult<bool> {
        Ok(match viewer {
            Viewer::Node | Viewer::Agent(_, InboxAccess::All) => true,
            Viewer::Visitor { conversation_id } => conversation_id == id,
            Viewer::Agent(..) => self.get(viewer, id).await?.is_some(),
        })
    }

    /// The visitor's other conversations, known by the e-mail they gave (here, or through
    /// the host site's `identify`): agents only, and only those they may read.
    pub async fn earlier_of_visitor(
        &self,
        viewer: Viewer<'_>,
        conversation: &Conversation,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let (Viewer::Agent(..), Some(email)) = (viewer, &conversation.visitor_email) else {
            return Ok(Vec::new());
        };
        let mut found = self.0.conversations_of_email(email, limit + 1).await?;
        found.retain(|other| other.id != conversation.id && viewer.may_read(other));
        found.truncate(limit as usize);
        Ok(found)
    }

    /// The conversation a visitor token opened: the token is the visitor's proof of identity.
    pub async fn for_visitor(&self, token_hash: &str) -> StoreResult<Option<Conversation>> {
        self.0.conversation_for_visitor(token_hash).await
    }

    /// An agent's conversations with unread counts: from one inbox (`only`) or all they
    /// work; nothing for anyone else.
    /// The conversations this agent may see, newest activity first: of one inbox (`only`) or
    /// all of theirs, with one label (`label`, an id) or any.
    pub async fn inbox(
        &self,
        viewer: Viewer<'_>,
        only: Option<&str>,
        label: Option<&str>,
        filter: InboxFilter,
        limit: u32,
    ) -> StoreResult<Vec<InboxItem>> {
        let Viewer::Agent(agent, access) = viewer else {
            return Ok(Vec::new());
        };
        let inboxes: Option<Vec<String>> = match (only, access) {
            (Some(id), access) if access.allows(id) => Some(vec![id.to_string()]),
            (Some(_), _) => return Ok(Vec::new()),
            (None, InboxAccess::All) => None,
            (None, InboxAccess::Only(ids)) => Some(ids.clone()),
        };
        if inboxes.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        self.0
            .inbox_for_agent(&agent.id, inboxes.as_deref(), label, filter, limit)
            .await
    }

    /// Snoozes (or wakes, `None`) a conversation this agent may see; `None` when they may not.
    pub async fn snooze(
        &self,
        viewer: Viewer<'_>,
        conversation_id: &str,
        until: Option<i64>,
    ) -> StoreResult<Option<Conversation>> {
        match viewer {
            Viewer::Agent(..) if self.get(viewer, conversation_id).await?.is_some() => {}
            // The visitor's writing wakes their own conversation.
            Viewer::Visitor {
                conversation_id: own,
            } if own == conversation_id && until.is_none() => {}
            Viewer::Node => {}
            _ => return Ok(None),
        }
        self.0.snooze(conversation_id, until).await
    }

    pub async fn wake_snoozed(&self, now: i64, limit: u32) -> StoreResult<Vec<Conversation>> {
        self.0.wake_snoozed(now, limit).await
    }

    /// Puts a label on, or takes it off, a conversation this agent may see; `None` when they
    /// may not.
    pub async fn change_label(
        &self,
        viewer: Viewer<'_>,
        conversation_id: &str,
        label_id: &str,
        on: bool,
    ) -> StoreResult<Option<Conversation>> {
        if !matches!(viewer, Viewer::Agent(..))
            || self.get(viewer, conversation_id).await?.is_none()
        {
            return Ok(None);
        }
        self.0.change_label(conversation_id, label_id, on).await
    }

    pub async fn assign(&self, change: Assign) -> StoreResult<Appended> {
        self.0.assign(change).await
    }

    /// Records what an agent has seen; only agents have per-person read positions.
    pub async fn record_agent_read(
        &self,
        agent: &Agent,
        conversation_id: &str,
        read_seq: i64,
    ) -> StoreResult<()> {
        self.0
            .record_agent_read(&agent.id, conversation_id, read_seq)
            .await
    }

    /// A visitor leaves an e-mail for the reply, or moves to another page; only for their
    /// own conversation.
    pub async fn update_visitor(
        &self,
        viewer: Viewer<'_>,
        conversation_id: &str,
        change: &VisitorChange,
    ) -> StoreResult<Option<Conversation>> {
        match viewer {
            Viewer::Visitor {
                conversation_id: own,
            } if own == conversation_id => self.0.update_visitor(conversation_id, change).await,
            _ => Ok(None),
        }
    }

    pub async fn unassigned_open(&self, limit: u32) -> StoreResult<Vec<(String, String)>> {
        self.0.unassigned_open(limit).await
    }

    pub async fn assigned_open(&self, agent_id: &str) -> StoreResult<Vec<String>> {
        self.0.assigned_open(agent_id).await
    }

    pub async fn post(&self, post: PostMessage) -> StoreResult<Appended> {
        self.0.post_message(post).await
    }

    pub async fn change_status(&self, change: ChangeStatus) -> StoreResult<Appended> {
        self.0.change_status(change).await
    }

    pub async fn messages_before(
        &self,
        viewer: Viewer<'_>,
        conversation_id: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        if !self.readable(viewer, conversation_id).await? {
            return Err(super::StoreError::NotFound);
        }
        let messages = self
            .0
            .messages_before(conversation_id, before_seq, limit)
            .await?;
        Ok(visible_to(viewer, messages))
    }

    pub async fn messages_after(
        &self,
        viewer: Viewer<'_>,
        conversation_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        if !self.readable(viewer, conversation_id).await? {
            return Err(super::StoreError::NotFound);
        }
        let messages = self
            .0
            .messages_after(conversation_id, after_seq, limit)
            .await?;
        Ok(visible_to(viewer, messages))
    }

    pub async fn record_receipt(&self, receipt: Receipt) -> StoreResult<Option<Conversation>> {
        self.0.record_receipt(receipt).await
    }
}
