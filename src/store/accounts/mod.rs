//! Agent accounts and their sign-in sessions.
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use crate::model::Agent;
use async_trait::async_trait;

#[derive(Clone, Debug)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub role: crate::model::Role,
    pub password_hash: String,
    pub now: i64,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    async fn agent_count(&self) -> StoreResult<i64>;
    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent>;
    /// The agent and its password hash.
    async fn agent_credentials(&self, email: &str) -> StoreResult<Option<(Agent, String)>>;
    async fn create_session(
        &self,
        token_hash: &str,
        agent_id: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    async fn agent_for_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Agent>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
}
