//! Domain types shared by the server, the dashboard and the widget.
use serde::{Deserialize, Serialize};

/// Longest message body accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// How many messages a conversation view loads at a time.
pub const PAGE_SIZE: u32 = 50;
/// The one inbox until inboxes become configurable.
pub const DEFAULT_INBOX: &str = "default";

mod attachment;
mod canned;
mod csat;
mod hours;
mod ids;
mod inbox;
mod labels;
mod mail;
#[cfg(test)]
mod properties;
pub mod protocol;
mod search;
mod snooze;
mod team;
mod visitor;

pub use attachment::*;
pub use canned::*;
pub use csat::*;
pub use hours::*;
pub use ids::*;
pub use inbox::*;
pub use labels::*;
pub use mail::*;
pub use search::*;
pub use snooze::*;
pub use team::*;
pub use visitor::*;

/// A message the user sent that the store has not confirmed yet (see `outbox`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub client_id: String,
    pub body: String,
    pub created_at: i64,
    /// Why the server refused it; `None` while it is still trying.
    #[serde(default)]
    pub failed: Option<String>,
    /// An agent's internal note rather than a reply.
    #[serde(default)]
    pub note: bool,
}

/// Where a conversation stands in the support workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Waiting,
    Active,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Active => "active",
            Status::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "waiting" => Some(Status::Waiting),
            "active" => Some(Status::Active),
            "resolved" => Some(Status::Resolved),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Waiting => "Waiting",
            Status::Active => "Active",
            Status::Resolved => "Resolved",
        }
    }
}

/// Who wrote a message, and for whom: a note is an agent's, for agents only (`notes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SenderKind {
    Visitor,
    Agent,
    System,
    Note,
}

impl SenderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SenderKind::Visitor => "visitor",
            SenderKind::Agent => "agent",
            SenderKind::System => "system",
            SenderKind::Note => "note",
        }
    }

    pub fn parse(text: &str) -> Option<SenderKind> {
        match text {
            "visitor" => Some(SenderKind::Visitor),
            "agent" => Some(SenderKind::Agent),
            "system" => Some(SenderKind::System),
            "note" => Some(SenderKind::Note),
            _ => None,
        }
    }
}

/// Agent permissions; admins will manage inboxes and teammates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Agent => "Agent",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// A conversation as the inbox and the widget show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub inbox_id: String,
    pub status: Status,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub visitor_name: String,
    pub visitor_email: Option<String>,
    /// The page the visitor is on (updated as they navigate) and its title.
    pub visitor_page: Option<String>,
    #[serde(default)]
    pub visitor_page_title: Option<String>,
    /// What the host site's code said about the visitor (`identify`, `setContext`).
    #[serde(default)]
    pub visitor_context: Vec<(String, String)>,
    pub visitor_agent: Option<String>,
    /// Sequence number of the newest event; events are numbered 1, 2, 3… per conversation.
    pub last_seq: i64,
    pub last_preview: String,
    /// Who wrote the newest message (system notices do not count).
    #[serde(default)]
    pub last_sender: Option<SenderKind>,
    /// Started while no agent was online (the widget offered to reply by e-mail).
    #[serde(default)]
    pub started_offline: bool,
    /// Arrived outside the inbox's business hours.
    #[serde(default)]
    pub out_of_hours: bool,
    #[serde(default)]
    pub visitor_facts: VisitorFacts,
    /// The visitor's rating of the newest rated resolution (CSAT).
    #[serde(default)]
    pub rating: Option<Rating>,
    /// The ids of its labels (agents only: `for_visitor` clears them).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Snoozed until then (ms since the epoch; `SNOOZED_UNTIL_REPLY`: until the visitor
    /// writes). Agents only.
    #[serde(default)]
    pub snoozed_until: Option<i64>,
    pub last_activity_at: i64,
    pub created_at: i64,
    /// What each side's clients hold and have seen, as the highest sequence number.
    pub receipts: Receipts,
}

impl Conversation {
    /// The conversation as its visitor may see it: without what only agents keep (labels,
    /// snooze).
    pub fn for_visitor(mut self) -> Conversation {
        self.labels = Vec::new();
        self.snoozed_until = None;
        self
    }

    /// Whether it holds anything `for_visitor` takes out (keep the two in step).
    pub fn has_agents_only(&self) -> bool {
        !self.labels.is_empty() || self.snoozed_until.is_some()
    }

    pub fn snoozed(&self) -> bool {
        self.snoozed_until.is_some()
    }
}

/// Delivery and read positions per side; they only move forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Receipts {
    pub visitor_delivered: i64,
    pub visitor_read: i64,
    pub agent_delivered: i64,
    pub agent_read: i64,
}

impl Receipts {
    /// The later of two views, field by field (snapshots can arrive out of order).
    pub fn max(self, other: Receipts) -> Receipts {
        Receipts {
            visitor_delivered: self.visitor_delivered.max(other.visitor_delivered),
            visitor_read: self.visitor_read.max(other.visitor_read),
            agent_delivered: self.agent_delivered.max(other.agent_delivered),
            agent_read: self.agent_read.max(other.agent_read),
        }
    }

    /// How far the side other than `writer` got with message `seq`.
    pub fn tick_for(&self, writer: SenderKind, seq: i64) -> Tick {
        let (delivered, read) = match writer {
            SenderKind::Visitor => (self.agent_delivered, self.agent_read),
            _ => (self.visitor_delivered, self.visitor_read),
        };
        if read >= seq {
            Tick::Read
        } else if delivered >= seq {
            Tick::Delivered
        } else {
            Tick::Sent
        }
    }
}

/// Where one of my messages stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    Sending,
    Failed,
    Sent,
    Delivered,
    Read,
}

impl Tick {
    pub fn as_str(self) -> &'static str {
        match self {
            Tick::Sending => "sending",
            Tick::Failed => "failed",
            Tick::Sent => "sent",
            Tick::Delivered => "delivered",
            Tick::Read => "read",
        }
    }
}

/// One event of a conversation: a visitor or agent message, or a system notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub conversation_id: String,
    /// Position in the conversation, assigned by the store, gap-free from 1.
    pub seq: i64,
    /// Id the sender's client generated, so a retried send is stored once.
    pub client_id: String,
    pub sender: SenderKind,
    pub sender_id: Option<String>,
    pub sender_name: String,
    pub body: String,
    /// Set on system messages that record a status change.
    pub status_change: Option<Status>,
    pub created_at: i64,
    /// A file sent as this message (its body is then the file's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
}

impl Message {
    /// Whether the visitor may read it: everything but agents' notes.
    pub fn for_visitor(&self) -> bool {
        self.sender != SenderKind::Note
    }
}

/// Which conversations the inbox lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum InboxFilter {
    #[default]
    Open,
    Waiting,
    Active,
    /// Open, and snoozed: out of the open views until they wake.
    Snoozed,
    Resolved,
    All,
}

impl InboxFilter {
    pub const ALL: [InboxFilter; 6] = [
        InboxFilter::Open,
        InboxFilter::Waiting,
        InboxFilter::Active,
        InboxFilter::Snoozed,
        InboxFilter::Resolved,
        InboxFilter::All,
    ];

    pub fn label(self) -> &'static str {
        match self {
            InboxFilter::Open => "Open",
            InboxFilter::Waiting => "Waiting",
            InboxFilter::Active => "Active",
            InboxFilter::Snoozed => "Snoozed",
            InboxFilter::Resolved => "Resolved",
            InboxFilter::All => "All",
        }
    }

    pub fn matches(self, conversation: &Conversation) -> bool {
        let status = conversation.status;
        self.snoozed()
            .is_none_or(|snoozed| snoozed == conversation.snoozed())
            && self.statuses().contains(&status)
    }

    /// The statuses a store query must select.
    pub fn statuses(self) -> &'static [Status] {
        match self {
            InboxFilter::Open | InboxFilter::Snoozed => &[Status::Waiting, Status::Active],
            InboxFilter::Waiting => &[Status::Waiting],
            InboxFilter::Active => &[Status::Active],
            InboxFilter::Resolved => &[Status::Resolved],
            InboxFilter::All => &[Status::Waiting, Status::Active, Status::Resolved],
        }
    }

    /// Whether the view takes only snoozed conversations (`Some(true)`), only awake ones
    /// (`Some(false)`: the open views), or both.
    pub fn snoozed(self) -> Option<bool> {
        match self {
            InboxFilter::Open | InboxFilter::Waiting | InboxFilter::Active => Some(false),
            InboxFilter::Snoozed => Some(true),
            InboxFilter::Resolved | InboxFilter::All => None,
        }
    }
}

/// A message body after validation: trimmed, non-empty, within the longest there can be.
pub fn validate_body(body: &str) -> Result<String, crate::error::AppError> {
    validate_body_within(body, MAX_MESSAGE_CHARS)
}

/// A message body after validation: trimmed, non-empty, at most `max` characters (the
/// `message_chars` limit).
pub fn validate_body_within(body: &str, max: usize) -> Result<String, crate::error::AppError> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Err(crate::error::AppError::EmptyMessage);
    }
    let chars = trimmed.chars().count();
    if chars > max {
        return Err(crate::error::AppError::MessageTooLong { max, got: chars });
    }
    Ok(trimmed.to_string())
}

/// Client ids are UUIDs from the browser; anything else is refused so ids stay comparable.
pub fn validate_client_id(id: &str) -> Result<(), crate::error::AppError> {
    let ok = id.len() == 36
        && id.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(())
    } else {
        Err(crate::error::AppError::Invalid(
            "client_id must be a UUID".into(),
        ))
    }
}

/// The status change, if any, that a new message from `sender` causes.
/// Kept here, not in a store, so every backend applies the same rules.
pub fn transition_on_message(conversation: &Conversation, sender: SenderKind) -> Option<Status> {
    match (sender, conversation.status) {
        (SenderKind::Agent, Status::Waiting) => Some(Status::Active),
        (SenderKind::Agent, Status::Resolved) => Some(Status::Active),
        (SenderKind::Visitor, Status::Resolved) => Some(Status::Waiting),
        _ => None,
    }
}

/// The notice a status change writes into the conversation.
pub fn status_notice(status: Status, actor_name: &str, reopened: bool) -> String {
    match status {
        Status::Active if reopened => format!("Conversation reopened by {actor_name}"),
        Status::Active => format!("{actor_name} joined the chat"),
        Status::Resolved => format!("Conversation resolved by {actor_name}"),
        Status::Waiting if reopened => "Conversation reopened".to_string(),
        Status::Waiting => "Waiting for an agent".to_string(),
    }
}

/// A short one-line preview for the inbox list.
pub fn preview(body: &str) -> String {
    const MAX: usize = 120;
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX {
        one_line
    } else {
        let cut: String = one_line.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

/// Up to two initials for an avatar.
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .collect();
    if letters.is_empty() {
        "?".into()
    } else {
        letters.to_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_validation() {
        assert!(validate_body("   ").is_err());
        assert_eq!(validate_body("  hi ").unwrap(), "hi");
        assert!(validate_body(&"x".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert!(validate_body(&"é".repeat(MAX_MESSAGE_CHARS)).is_ok());
    }

    #[test]
    fn client_id_validation() {
        assert!(validate_client_id("6f1c2a4e-3b7d-4a8e-9c1f-2d3e4f5a6b7c").is_ok());
        assert!(validate_client_id("not-a-uuid").is_err());
        assert!(validate_client_id("6f1c2a4e-3b7d-4a8e-9c1f-2d3e4f5a6b7g").is_err());
    }

    #[test]
    fn reopening_is_not_joining() {
        assert_eq!(
            status_notice(Status::Active, "Ana", true),
            "Conversation reopened by Ana"
        );
        assert_eq!(
            status_notice(Status::Active, "Ana", false),
            "Ana joined the chat"
        );
    }

    #[test]
    fn initials_and_preview() {
        assert_eq!(initials("ana maria lopez"), "AM");
        assert_eq!(initials(""), "?");
        assert_eq!(preview("a\n\n b"), "a b");
        assert_eq!(preview(&"y".repeat(200)).chars().count(), 120);
    }
}
