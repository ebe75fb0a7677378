//! Labels on PostgreSQL.
use super::{padded_id, LabelStore, LABEL_SELECT};
use crate::model::Label;
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::PgPool;

pub struct PgLabels {
    pub pool: PgPool,
}

#[async_trait]
impl LabelStore for PgLabels {
    async fn list(&self) -> StoreResult<Vec<Label>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as(LABEL_SELECT).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, color)| Label { id, name, color })
            .collect())
    }

    async fn save(&self, label: &Label, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO labels (id, name, color, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, color = excluded.color",
        )
        .bind(&label.id)
        .bind(&label.name)
        .bind(&label.color)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete(&self, id: &str) -> StoreResult<bool> {
        let (padded, pattern) = padded_id(id);
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM labels WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE conversations SET labels = TRIM(REPLACE(' ' || labels || ' ', $1, ' ')) \
             WHERE ' ' || labels || ' ' LIKE $2",
        )
        .bind(&padded)
        .bind(&pattern)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
