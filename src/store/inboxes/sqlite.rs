//! Inboxes on SQLite.
use super::{InboxRow, InboxStore, INBOX_SELECT};
use crate::model::InboxSettings;
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::SqlitePool;

pub struct SqliteInboxes {
    pub reader: SqlitePool,
    pub writer: SqlitePool,
}

#[async_trait]
impl InboxStore for SqliteInboxes {
    async fn get(&self, id: &str) -> StoreResult<Option<InboxSettings>> {
        let row: Option<InboxRow> = sqlx::query_as(&format!("{INBOX_SELECT} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn save(&self, settings: &InboxSettings) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE inboxes SET name = ?, color = ?, greeting = ?, away_message = ?, \
             allowed_domains = ?, ask_email = ? WHERE id = ?",
        )
        .bind(&settings.name)
        .bind(&settings.color)
        .bind(&settings.greeting)
        .bind(&settings.away_message)
        .bind(settings.allowed_domains.join("\n"))
        .bind(settings.ask_email)
        .bind(&settings.id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
