//! Inboxes on PostgreSQL.
use super::{InboxRow, InboxStore, INBOX_SELECT};
use crate::model::{hours_text, InboxSettings, InboxSummary};
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::{PgPool, Postgres, Transaction};

pub struct PgInboxes {
    pub pool: PgPool,
}

async fn update(tx: &mut Transaction<'_, Postgres>, settings: &InboxSettings) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE inboxes SET name = $1, color = $2, greeting = $3, away_message = $4, \
         allowed_domains = $5, ask_email = $6, language = $7, time_zone = $8, hours = $9, \
         enabled = $10 WHERE id = $11",
    )
    .bind(&settings.name)
    .bind(&settings.color)
    .bind(&settings.greeting)
    .bind(&settings.away_message)
    .bind(settings.allowed_domains.join("\n"))
    .bind(settings.ask_email)
    .bind(&settings.language)
    .bind(&settings.time_zone)
    .bind(hours_text(&settings.hours))
    .bind(settings.enabled)
    .bind(&settings.id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn replace_members(
    tx: &mut Transaction<'_, Postgres>,
    inbox_id: &str,
    agent_ids: &[String],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM inbox_members WHERE inbox_id = $1")
        .bind(inbox_id)
        .execute(&mut **tx)
        .await?;
    // Unknown agents are skipped rather than failing the whole list.
    sqlx::query(
        "INSERT INTO inbox_members (inbox_id, agent_id) \
         SELECT $1, id FROM agents WHERE id = ANY($2) ON CONFLICT DO NOTHING",
    )
    .bind(inbox_id)
    .bind(agent_ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl InboxStore for PgInboxes {
    async fn get(&self, id: &str) -> StoreResult<Option<InboxSettings>> {
        let row: Option<InboxRow> = sqlx::query_as(&format!("{INBOX_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn list(&self) -> StoreResult<Vec<InboxSummary>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, name, color FROM inboxes ORDER BY name, id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, color)| InboxSummary { id, name, color })
            .collect())
    }

    async fn create(
        &self,
        settings: &InboxSettings,
        members: &[String],
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO inboxes (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&settings.id)
            .bind(&settings.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        update(&mut tx, settings).await?;
        replace_members(&mut tx, &settings.id, members).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn save(&self, settings: &InboxSettings) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let saved = update(&mut tx, settings).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn members(&self, inbox_id: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT agent_id FROM inbox_members WHERE inbox_id = $1 ORDER BY agent_id",
        )
        .bind(inbox_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn set_members(&self, inbox_id: &str, agent_ids: &[String]) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT id FROM inboxes WHERE id = $1 FOR UPDATE")
                .bind(inbox_id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Ok(false);
        }
        replace_members(&mut tx, inbox_id, agent_ids).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn member_of(&self, agent_id: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT inbox_id FROM inbox_members WHERE agent_id = $1 ORDER BY inbox_id",
        )
        .bind(agent_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
