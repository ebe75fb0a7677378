//! Agents, their sessions, settings and invites on PostgreSQL. A change that could take away
//! the last admin first locks every active admin's row, so two such changes queue.
use super::*;
use crate::model::{Agent, AgentSettings, Invite, Role, TeamMember};
use crate::store::rows::{AgentRow, InviteRow, MemberRow, SettingsRow};
use crate::store::{StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::{PgConnection, PgPool};

pub struct PgAccounts {
    pub pool: PgPool,
}

const AGENT_COLUMNS: &str = "a.id, a.email, a.name, a.role, a.password_hash";

/// Refuses a change that would take away the last active admin.
async fn keep_an_admin(conn: &mut PgConnection, agent_id: &str) -> StoreResult<()> {
    sqlx::query("SELECT id FROM agents WHERE role = 'admin' AND active FOR UPDATE")
        .execute(&mut *conn)
        .await?;
    let (role, active): (String, bool) =
        sqlx::query_as("SELECT role, active FROM agents WHERE id = $1")
            .bind(agent_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    if role != Role::Admin.as_str() || !active {
        return Ok(());
    }
    let (others,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM agents WHERE role = 'admin' AND active AND id <> $1")
            .bind(agent_id)
            .fetch_one(&mut *conn)
            .await?;
    if others == 0 {
        return Err(StoreError::LastAdmin);
    }
    Ok(())
}

/// The one insert of an agent, for the first admin and for accepted invites alike.
async fn insert_agent(conn: &mut PgConnection, new: NewAgent) -> StoreResult<Agent> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&new.email)
    .bind(&new.name)
    .bind(new.role.as_str())
    .bind(&new.password_hash)
    .bind(new.now)
    .execute(&mut *conn)
    .await?;
    // A new teammate works the default inbox; admins add them to the others.
    sqlx::query("INSERT INTO inbox_members (inbox_id, agent_id) VALUES ('default', $1)")
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    Ok(Agent {
        id,
        email: new.email,
        name: new.name,
        role: new.role,
    })
}

#[async_trait]
impl AccountStore for PgAccounts {
    async fn agent_count(&self) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM agents")
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent> {
        let mut conn = self.pool.acquire().await?;
        insert_agent(&mut conn, new).await
    }

    async fn agent_credentials(&self, email: &str) -> StoreResult<Option<(Agent, String)>> {
        let row: Option<AgentRow> = sqlx::query_as(&format!(
            "SELECT {AGENT_COLUMNS} FROM agents a WHERE a.email = $1 AND a.active"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
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
            "INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(agent_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn agent_for_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(&format!(
            "SELECT {AGENT_COLUMNS} FROM agent_sessions s JOIN agents a ON a.id = s.agent_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(AgentRow::into_agent)
            .transpose()?
            .map(|(agent, _)| agent))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_sessions(&self, agent_id: &str, keep: Option<&str>) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1 AND token_hash <> $2")
                .bind(agent_id)
                .bind(keep.unwrap_or(""))
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }

    async fn team(&self) -> StoreResult<Vec<TeamMember>> {
        let rows: Vec<MemberRow> = sqlx::query_as(&format!(
            "{MEMBER_SELECT} ORDER BY a.active DESC, LOWER(a.name)"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TeamMember::try_from).collect()
    }

    async fn member(&self, agent_id: &str) -> StoreResult<Option<TeamMember>> {
        let row: Option<MemberRow> = sqlx::query_as(&format!("{MEMBER_SELECT} WHERE a.id = $1"))
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(TeamMember::try_from).transpose()
    }

    async fn set_role(&self, agent_id: &str, role: Role) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        if role != Role::Admin {
            keep_an_admin(&mut tx, agent_id).await?;
        }
        let done = sqlx::query("UPDATE agents SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_active(&self, agent_id: &str, active: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        if !active {
            keep_an_admin(&mut tx, agent_id).await?;
            sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1")
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("UPDATE agents SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn settings(&self, agent_id: &str) -> StoreResult<Option<AgentSettings>> {
        let row: Option<SettingsRow> = sqlx::query_as(&format!("{SETTINGS_SELECT} WHERE id = $1"))
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(AgentSettings::from))
    }

    async fn save_settings(&self, agent_id: &str, settings: &AgentSettings) -> StoreResult<()> {
        sqlx::query(
            "UPDATE agents SET name = $1, avatar_color = $2, time_zone = $3, theme = $4, notify_sound = $5, \
             notify_desktop = $6, notify_new = $7, notify_messages = $8 WHERE id = $9",
        )
        .bind(&settings.name)
        .bind(&settings.avatar_color)
        .bind(&settings.time_zone)
        .bind(settings.theme.as_str())
        .bind(settings.sound)
        .bind(settings.notifications)
        .bind(settings.notify_new)
        .bind(settings.notify_messages)
        .bind(agent_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn password_hash(&self, agent_id: &str) -> StoreResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT password_hash FROM agents WHERE id = $1")
                .bind(agent_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(hash,)| hash))
    }

    async fn set_password_hash(&self, agent_id: &str, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(agent_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_invite(&self, new: NewInvite) -> StoreResult<Invite> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO agent_invites (id, token_hash, email, role, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&new.token_hash)
        .bind(&new.email)
        .bind(new.role.as_str())
        .bind(&new.created_by)
        .bind(new.now)
        .bind(new.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(Invite {
            id,
            email: new.email,
            role: new.role,
            created_at: new.now,
            expires_at: new.expires_at,
        })
    }

    async fn pending_invites(&self, now: i64) -> StoreResult<Vec<Invite>> {
        let rows: Vec<InviteRow> = sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM agent_invites WHERE used_at IS NULL AND revoked_at IS NULL \
             AND expires_at > $1 ORDER BY created_at DESC"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Invite::try_from).collect()
    }

    async fn invite_for_token(&self, token_hash: &str, now: i64) -> StoreResult<Option<Invite>> {
        let row: Option<InviteRow> = sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM agent_invites WHERE token_hash = $1 AND used_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Invite::try_from).transpose()
    }

    async fn revoke_invite(&self, id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE agent_invites SET revoked_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn accept_invite(&self, acceptance: Acceptance) -> StoreResult<Agent> {
        let mut tx = self.pool.begin().await?;
        // Marking it used is the check: a second use finds no pending row.
        let invite: Option<(String, String)> = sqlx::query_as(
            "UPDATE agent_invites SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $3 RETURNING email, role",
        )
        .bind(acceptance.now)
        .bind(&acceptance.token_hash)
        .bind(acceptance.now)
        .fetch_optional(&mut *tx)
        .await?;
        let (email, role) = invite.ok_or(StoreError::NotFound)?;
        let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(role))?;
        let agent = insert_agent(
            &mut tx,
            NewAgent {
                email,
                name: acceptance.name,
                role,
                password_hash: acceptance.password_hash,
                now: acceptance.now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(agent)
    }
}
