//! Outgoing e-mail (`mail`) and the links in it that reopen a conversation (`visitor_links`).
//! The SQL is the same on both databases (`$1` parameters work on SQLite too), so one macro
//! implements the store for each pool; SQLite writes through its writer pool.
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use crate::model::{MailKind, MailStatus, OutgoingMail};
use async_trait::async_trait;

#[async_trait]
pub trait MailStore: Send + Sync {
    /// Starts gathering a conversation's replies into one e-mail due at `mail.due_at`; `false`
    /// when a batch for that conversation is already gathering (the replies join it).
    async fn queue_replies(&self, mail: &OutgoingMail) -> StoreResult<bool>;
    /// Queues a composed e-mail (a transcript).
    async fn queue(&self, mail: &OutgoingMail) -> StoreResult<()>;
    /// Waiting e-mails due by `now`, oldest first.
    async fn due(&self, now: i64, limit: u32) -> StoreResult<Vec<OutgoingMail>>;
    /// Claims a due e-mail for one attempt: moves its `due_at` from `seen_due_at` to
    /// `lease_until` and counts the attempt. `false` when another node claimed it first.
    async fn claim(&self, id: &str, seen_due_at: i64, lease_until: i64) -> StoreResult<bool>;
    /// Records the outcome of an attempt: sent (with what was sent), skipped, failed for good,
    /// or `Waiting` again at `due_at` after a failure.
    async fn finish(&self, outcome: &Outcome) -> StoreResult<()>;
    /// Puts a failed e-mail back in the queue, due at `now`, its attempts counted afresh.
    /// `false` when it is not failed (any more); `Conflict` when a newer batch of replies to
    /// the same conversation is gathering.
    async fn retry(&self, id: &str, now: i64) -> StoreResult<bool>;
    /// The newest e-mails, newest first.
    async fn recent(&self, limit: u32) -> StoreResult<Vec<OutgoingMail>>;
    /// A link's secret (hashed) that opens `conversation_id` until `expires_at`.
    async fn add_link(
        &self,
        token_hash: &str,
        conversation_id: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The conversation a link's secret opens, if it has not expired.
    async fn link_conversation(&self, token_hash: &str, now: i64) -> StoreResult<Option<String>>;
}

/// What one attempt at an e-mail came to.
pub struct Outcome {
    pub id: String,
    pub status: MailStatus,
    pub subject: String,
    pub body: String,
    pub error: Option<String>,
    /// When it was sent (`Sent`), or when to try again (`Waiting`).
    pub at: i64,
}

pub(super) const MAIL_COLUMNS: &str =
    "id, kind, conversation_id, to_address, after_seq, subject, body, \
     status, attempts, last_error, due_at, created_at, sent_at";

pub(super) type MailRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    i64,
    i64,
    Option<i64>,
);

pub(super) fn from_row(row: MailRow) -> StoreResult<OutgoingMail> {
    let corrupt = |what: &str| super::StoreError::Corrupt(format!("mail {}: {what}", row.0));
    Ok(OutgoingMail {
        kind: MailKind::parse(&row.1).ok_or_else(|| corrupt("kind"))?,
        status: MailStatus::parse(&row.7).ok_or_else(|| corrupt("status"))?,
        id: row.0,
        conversation_id: row.2,
        to: row.3,
        after_seq: row.4,
        subject: row.5,
        body: row.6,
        attempts: row.8,
        last_error: row.9,
        due_at: row.10,
        created_at: row.11,
        sent_at: row.12,
    })
}

/// Implements `MailStore` for a store type with `$reader` and `$writer` pools.
macro_rules! mail_store {
    ($store:ty, $reader:ident, $writer:ident) => {
        #[async_trait::async_trait]
        impl $crate::store::mail::MailStore for $store {
            async fn queue_replies(
                &self,
                mail: &$crate::model::OutgoingMail,
            ) -> $crate::store::StoreResult<bool> {
                let done = insert(mail).execute(&self.$writer).await?;
                Ok(done.rows_affected() == 1)
            }

            async fn queue(
                &self,
                mail: &$crate::model::OutgoingMail,
            ) -> $crate::store::StoreResult<()> {
                insert(mail).execute(&self.$writer).await?;
                Ok(())
            }

            async fn due(
                &self,
                now: i64,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::model::OutgoingMail>> {
                let rows: Vec<$crate::store::mail::MailRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM mail WHERE status = 'waiting' AND due_at <= $1 \
                     ORDER BY due_at LIMIT $2",
                    $crate::store::mail::MAIL_COLUMNS
                ))
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&self.$reader)
                .await?;
                rows.into_iter().map($crate::store::mail::from_row).collect()
            }

            async fn claim(
                &self,
                id: &str,
                seen_due_at: i64,
                lease_until: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE mail SET due_at = $1, attempts = attempts + 1 \
                     WHERE id = $2 AND due_at = $3 AND status = 'waiting'",
                )
                .bind(lease_until)
                .bind(id)
                .bind(seen_due_at)
                .execute(&self.$writer)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn finish(
                &self,
                outcome: &$crate::store::mail::Outcome,
            ) -> $crate::store::StoreResult<()> {
                use $crate::model::MailStatus;
                let sent_at = (outcome.status == MailStatus::Sent).then_some(outcome.at);
                let due_at = (outcome.status == MailStatus::Waiting).then_some(outcome.at);
                sqlx::query(
                    "UPDATE mail SET status = $1, subject = $2, body = $3, last_error = $4, \
                     sent_at = $5, due_at = COALESCE($6, due_at) WHERE id = $7",
                )
                .bind(outcome.status.as_str())
                .bind(&outcome.subject)
                .bind(&outcome.body)
                .bind(&outcome.error)
                .bind(sent_at)
                .bind(due_at)
                .bind(&outcome.id)
                .execute(&self.$writer)
                .await?;
                Ok(())
            }

            async fn retry(&self, id: &str, now: i64) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE mail SET status = 'waiting', attempts = 0, last_error = NULL, \
                     due_at = $1 WHERE id = $2 AND status = 'failed'",
                )
                .bind(now)
                .bind(id)
                .execute(&self.$writer)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn recent(
                &self,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::model::OutgoingMail>> {
                let rows: Vec<$crate::store::mail::MailRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM mail ORDER BY created_at DESC, id LIMIT $1",
                    $crate::store::mail::MAIL_COLUMNS
                ))
                .bind(i64::from(limit))
                .fetch_all(&self.$reader)
                .await?;
                rows.into_iter().map($crate::store::mail::from_row).collect()
            }

            async fn add_link(
                &self,
                token_hash: &str,
                conversation_id: &str,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO visitor_links (token_hash, conversation_id, expires_at) \
                     VALUES ($1, $2, $3)",
                )
                .bind(token_hash)
                .bind(conversation_id)
                .bind(expires_at)
                .execute(&self.$writer)
                .await?;
                Ok(())
            }

            async fn link_conversation(
                &self,
                token_hash: &str,
                now: i64,
            ) -> $crate::store::StoreResult<Option<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT conversation_id FROM visitor_links \
                     WHERE token_hash = $1 AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.$reader)
                .await?)
            }
        }

        /// A new row; `ON CONFLICT DO NOTHING` keeps one gathering batch per conversation.
        fn insert(
            mail: &$crate::model::OutgoingMail,
        ) -> sqlx::query::Query<'_, Database, <Database as sqlx::Database>::Arguments<'_>> {
            sqlx::query(
                "INSERT INTO mail (id, kind, conversation_id, to_address, after_seq, subject, \
                 body, status, attempts, due_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10) ON CONFLICT DO NOTHING",
            )
            .bind(&mail.id)
            .bind(mail.kind.as_str())
            .bind(&mail.conversation_id)
            .bind(&mail.to)
            .bind(mail.after_seq)
            .bind(&mail.subject)
            .bind(&mail.body)
            .bind(mail.status.as_str())
            .bind(mail.due_at)
            .bind(mail.created_at)
        }
    };
}
pub(super) use mail_store;
