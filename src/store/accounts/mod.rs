//! Agent accounts: the team, their sessions, their own settings and the invites that add them.
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use crate::model::{Agent, AgentSettings, Invite, Role, TeamMember};
use async_trait::async_trait;

#[derive(Clone, Debug)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub role: crate::model::Role,
    pub password_hash: String,
    pub now: i64,
}

#[derive(Clone, Debug)]
pub struct NewInvite {
    pub token_hash: String,
    pub email: String,
    pub role: Role,
    pub created_by: String,
    pub now: i64,
    pub expires_at: i64,
}

/// An invitee choosing their name and password.
#[derive(Clone, Debug)]
pub struct Acceptance {
    pub token_hash: String,
    pub name: String,
    pub password_hash: String,
    pub now: i64,
}

/// The columns a team page shows, shared by both backends.
pub(super) const MEMBER_SELECT: &str = "SELECT a.id, a.email, a.name, a.role, a.active, a.avatar_color, \
     (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.id AND c.status <> 'resolved') AS open_chats \
     FROM agents a";
pub(super) const SETTINGS_SELECT: &str =
    "SELECT name, avatar_color, time_zone, theme, notify_sound, \
     notify_desktop, notify_new, notify_messages FROM agents";
pub(super) const INVITE_COLUMNS: &str = "id, email, role, created_at, expires_at";

/// Only deactivated agents are refused: a deactivated agent's sessions are deleted too, and
/// every read below keeps `active` in its condition.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    async fn agent_count(&self) -> StoreResult<i64>;
    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent>;
    /// An active agent and its password hash.
    async fn agent_credentials(&self, email: &str) -> StoreResult<Option<(Agent, String)>>;
    async fn create_session(
        &self,
        token_hash: &str,
        agent_id: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The active agent a live session belongs to.
    async fn agent_for_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Agent>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of an agent but `keep` (the one asking, if any).
    async fn delete_sessions(&self, agent_id: &str, keep: Option<&str>) -> StoreResult<u64>;

    /// Everyone, active first, then by name.
    async fn team(&self) -> StoreResult<Vec<TeamMember>>;
    async fn member(&self, agent_id: &str) -> StoreResult<Option<TeamMember>>;
    /// `LastAdmin` when this would leave no active admin.
    async fn set_role(&self, agent_id: &str, role: Role) -> StoreResult<()>;
    /// Deactivating also ends the agent's sessions. `LastAdmin` when it would leave no admin.
    async fn set_active(&self, agent_id: &str, active: bool) -> StoreResult<()>;

    async fn settings(&self, agent_id: &str) -> StoreResult<Option<AgentSettings>>;
    async fn save_settings(&self, agent_id: &str, settings: &AgentSettings) -> StoreResult<()>;
    async fn password_hash(&self, agent_id: &str) -> StoreResult<Option<String>>;
    async fn set_password_hash(&self, agent_id: &str, hash: &str) -> StoreResult<()>;

    async fn create_invite(&self, new: NewInvite) -> StoreResult<Invite>;
    /// Invites neither used, revoked nor expired.
    async fn pending_invites(&self, now: i64) -> StoreResult<Vec<Invite>>;
    async fn invite_for_token(&self, token_hash: &str, now: i64) -> StoreResult<Option<Invite>>;
    /// False when it was no longer pending.
    async fn revoke_invite(&self, id: &str, now: i64) -> StoreResult<bool>;
    /// Uses the invite and creates its agent in one transaction: `NotFound` when the invite is
    /// not pending (used, revoked, expired, unknown), `Conflict` when the e-mail is taken.
    async fn accept_invite(&self, acceptance: Acceptance) -> StoreResult<Agent>;
}
