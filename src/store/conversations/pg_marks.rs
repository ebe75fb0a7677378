//! PostgreSQL's writes that mark a conversation without adding an event (labels, snooze): one
//! statement each, the conversation read back and a hint to the other nodes, in one
//! transaction.
use super::postgres::load_conversation;
use crate::model::Conversation;
use crate::store::pg_changes::Notifier;
use crate::store::StoreResult;
use sqlx::PgPool;

/// Runs one UPDATE of a conversation, reads it back and hints the other nodes, in one
/// transaction: what every mark here does.
async fn mark(
    pool: &PgPool,
    notifier: &Notifier,
    conversation_id: &str,
    update: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
) -> StoreResult<Option<Conversation>> {
    let mut tx = pool.begin().await?;
    update.execute(&mut *tx).await?;
    let conversation = load_conversation(&mut tx, conversation_id).await?;
    notifier
        .notify(&mut *tx, conversation_id, None, None)
        .await?;
    tx.commit().await?;
    Ok(conversation)
}

pub async fn snooze(
    pool: &PgPool,
    notifier: &Notifier,
    conversation_id: &str,
    until: Option<i64>,
) -> StoreResult<Option<Conversation>> {
    let update = sqlx::query("UPDATE conversations SET snoozed_until = $1 WHERE id = $2")
        .bind(until)
        .bind(conversation_id);
    mark(pool, notifier, conversation_id, update).await
}

pub async fn wake_snoozed(
    pool: &PgPool,
    notifier: &Notifier,
    now: i64,
    limit: u32,
) -> StoreResult<Vec<Conversation>> {
    let mut tx = pool.begin().await?;
    let woken: Vec<(String,)> = sqlx::query_as(
        "UPDATE conversations SET snoozed_until = NULL WHERE id IN \
             (SELECT id FROM conversations WHERE snoozed_until <= $1 LIMIT $2) \
             AND snoozed_until <= $1 RETURNING id",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    let mut conversations = Vec::with_capacity(woken.len());
    for (id,) in woken {
        notifier.notify(&mut *tx, &id, None, None).await?;
        conversations.extend(load_conversation(&mut tx, &id).await?);
    }
    tx.commit().await?;
    Ok(conversations)
}

pub async fn change_label(
    pool: &PgPool,
    notifier: &Notifier,
    conversation_id: &str,
    label_id: &str,
    on: bool,
) -> StoreResult<Option<Conversation>> {
    // Added only if the label still exists; either way the padded list decides.
    let (query, value) = if on {
        (
            "UPDATE conversations SET labels = TRIM(labels || ' ' || $1) WHERE id = $2 \
             AND ' ' || labels || ' ' NOT LIKE $3 AND EXISTS (SELECT 1 FROM labels WHERE id = $1)",
            label_id.to_string(),
        )
    } else {
        (
            "UPDATE conversations SET labels = TRIM(REPLACE(' ' || labels || ' ', $1, ' ')) \
             WHERE id = $2 AND ' ' || labels || ' ' LIKE $3",
            format!(" {label_id} "),
        )
    };
    let update = sqlx::query(query)
        .bind(value)
        .bind(conversation_id)
        .bind(format!("% {label_id} %"));
    mark(pool, notifier, conversation_id, update).await
}
