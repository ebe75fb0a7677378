//! Canned responses: the team's shared replies and each agent's own. Reads name the agent
//! asking, who sees the team's and their own, never another agent's.
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use crate::model::CannedResponse;
use async_trait::async_trait;

#[async_trait]
pub trait CannedStore: Send + Sync {
    /// The team's replies and this agent's own, by shortcut.
    async fn list_for(&self, agent_id: &str) -> StoreResult<Vec<CannedResponse>>;
    /// One reply, if this agent may see it (the team's, or their own).
    async fn get_for(&self, agent_id: &str, id: &str) -> StoreResult<Option<CannedResponse>>;
    /// Adds a reply, or changes the shortcut and body of the one with its id (its owner stays);
    /// `Conflict` when its owner (or the team) already has that shortcut.
    async fn save(&self, reply: &CannedResponse) -> StoreResult<()>;
    /// `false` when it was already gone.
    async fn delete(&self, id: &str) -> StoreResult<bool>;
}

/// Both databases keep the team's replies under the empty owner, so that one unique index
/// covers shortcuts per owner and for the team.
#[derive(sqlx::FromRow)]
pub(super) struct CannedRow {
    id: String,
    owner_id: String,
    shortcut: String,
    body: String,
    updated_at: i64,
}

impl From<CannedRow> for CannedResponse {
    fn from(row: CannedRow) -> Self {
        CannedResponse {
            id: row.id,
            owner_id: (!row.owner_id.is_empty()).then_some(row.owner_id),
            shortcut: row.shortcut,
            body: row.body,
            updated_at: row.updated_at,
        }
    }
}

pub(super) fn owner_key(reply: &CannedResponse) -> &str {
    reply.owner_id.as_deref().unwrap_or("")
}

pub(super) const CANNED_SELECT: &str =
    "SELECT id, owner_id, shortcut, body, updated_at FROM canned_responses";
