//! Ratings on PostgreSQL.
use super::{NewRating, RatingStore};
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::PgPool;

pub struct PgRatings {
    pub pool: PgPool,
}

#[async_trait]
impl RatingStore for PgRatings {
    async fn add(&self, rating: &NewRating) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO ratings (conversation_id, resolution_seq, score, comment, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&rating.conversation_id)
        .bind(rating.resolution_seq)
        .bind(i32::from(rating.score))
        .bind(&rating.comment)
        .bind(rating.now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
