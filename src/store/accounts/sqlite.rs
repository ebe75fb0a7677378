//! Agents and their sessions on SQLite.
use super::*;
use crate::model::Agent;
use crate::store::rows::AgentRow;
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::SqlitePool;

pub struct SqliteAccounts {
    pub reader: SqlitePool,
    pub writer: SqlitePool,
}

#[async_trait]
impl AccountStore for SqliteAccounts {
    async fn agent_count(&self) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agents")
            .fetch_one(&self.reader)
            .await?;
        Ok(count)
    }

    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&new.email)
        .bind(&new.name)
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(new.now)
        .execute(&self.writer)
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
            "SELECT id, email, name, role, password_hash FROM agents WHERE email = ?",
        )
        .bind(email)
        .fetch_optional(&self.reader)
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
        sqlx::query(
            "INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(agent_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn agent_for_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(
            "SELECT a.id, a.email, a.name, a.role, a.password_hash FROM agent_sessions s \
             JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row
            .map(AgentRow::into_agent)
            .transpose()?
            .map(|(agent, _)| agent))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
