//! Ratings (CSAT): one per resolution of a conversation, kept for reports; the newest shows
//! on the conversation itself (`Conversation::rating`, read with it).
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use async_trait::async_trait;

#[derive(Clone, Debug)]
pub struct NewRating {
    pub conversation_id: String,
    pub resolution_seq: i64,
    pub score: u8,
    pub comment: String,
    pub now: i64,
}

#[async_trait]
pub trait RatingStore: Send + Sync {
    /// Keeps a rating; `Conflict` when that resolution was already rated.
    async fn add(&self, rating: &NewRating) -> StoreResult<()>;
}
