//! Canned responses on SQLite.
use super::{owner_key, CannedRow, CannedStore, CANNED_SELECT};
use crate::model::CannedResponse;
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::SqlitePool;

pub struct SqliteCanned {
    pub reader: SqlitePool,
    pub writer: SqlitePool,
}

#[async_trait]
impl CannedStore for SqliteCanned {
    async fn list_for(&self, agent_id: &str) -> StoreResult<Vec<CannedResponse>> {
        let rows: Vec<CannedRow> = sqlx::query_as(&format!(
            "{CANNED_SELECT} WHERE owner_id = '' OR owner_id = ? ORDER BY shortcut, owner_id"
        ))
        .bind(agent_id)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(CannedResponse::from).collect())
    }

    async fn get_for(&self, agent_id: &str, id: &str) -> StoreResult<Option<CannedResponse>> {
        let row: Option<CannedRow> = sqlx::query_as(&format!(
            "{CANNED_SELECT} WHERE id = ? AND (owner_id = '' OR owner_id = ?)"
        ))
        .bind(id)
        .bind(agent_id)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(CannedResponse::from))
    }

    async fn save(&self, reply: &CannedResponse) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO canned_responses (id, owner_id, shortcut, body, updated_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET \
             shortcut = excluded.shortcut, body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(&reply.id)
        .bind(owner_key(reply))
        .bind(&reply.shortcut)
        .bind(&reply.body)
        .bind(reply.updated_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn delete(&self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM canned_responses WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
