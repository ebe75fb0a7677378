//! Ratings on SQLite.
use super::{NewRating, RatingStore};
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::SqlitePool;

pub struct SqliteRatings {
    pub writer: SqlitePool,
}

#[async_trait]
impl RatingStore for SqliteRatings {
    async fn add(&self, rating: &NewRating) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO ratings (conversation_id, resolution_seq, score, comment, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&rating.conversation_id)
        .bind(rating.resolution_seq)
        .bind(i32::from(rating.score))
        .bind(&rating.comment)
        .bind(rating.now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
