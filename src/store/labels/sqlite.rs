//! Labels on SQLite.
use super::{padded_id, LabelStore, LABEL_SELECT};
use crate::model::Label;
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::SqlitePool;

pub struct SqliteLabels {
    pub reader: SqlitePool,
    pub writer: SqlitePool,
}

#[async_trait]
impl LabelStore for SqliteLabels {
    async fn list(&self) -> StoreResult<Vec<Label>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as(LABEL_SELECT).fetch_all(&self.reader).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, color)| Label { id, name, color })
            .collect())
    }

    async fn save(&self, label: &Label, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO labels (id, name, color, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, color = excluded.color",
        )
        .bind(&label.id)
        .bind(&label.name)
        .bind(&label.color)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn delete(&self, id: &str) -> StoreResult<bool> {
        let (padded, pattern) = padded_id(id);
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query("DELETE FROM labels WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE conversations SET labels = TRIM(REPLACE(' ' || labels || ' ', ?, ' ')) \
             WHERE ' ' || labels || ' ' LIKE ?",
        )
        .bind(&padded)
        .bind(&pattern)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
