//! Inboxes on PostgreSQL.
use super::{InboxRow, InboxStore, INBOX_SELECT};
use crate::model::InboxSettings;
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::PgPool;

pub struct PgInboxes {
    pub pool: PgPool,
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

    async fn save(&self, settings: &InboxSettings) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE inboxes SET name = $1, color = $2, greeting = $3, away_message = $4, \
             allowed_domains = $5, ask_email = $6 WHERE id = $7",
        )
        .bind(&settings.name)
        .bind(&settings.color)
        .bind(&settings.greeting)
        .bind(&settings.away_message)
        .bind(settings.allowed_domains.join("\n"))
        .bind(settings.ask_email)
        .bind(&settings.id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
