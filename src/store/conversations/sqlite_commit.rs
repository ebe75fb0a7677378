//! SQLite's group commit for posts: posts that arrive while a transaction is being written
//! wait and share the next one, so many concurrent senders cost one WAL sync, not one each.
use super::sqlite::{insert_message, load_conversation};
use super::*;
use crate::store::rows::*;
use crate::store::{StoreError, StoreResult};
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::mpsc;

pub(super) use super::batch::{PostJob, MAX_BATCH};

/// Group commit: posts that arrive while a transaction is being written wait and then share
/// the next one, so many concurrent senders cost one commit (one WAL sync), not one each.
pub(super) async fn group_commit(writer: SqlitePool, mut jobs: mpsc::Receiver<PostJob>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (posts, replies): (Vec<PostMessage>, Vec<_>) =
            batch.into_iter().map(|job| (job.post, job.reply)).unzip();
        let (count, started) = (posts.len(), std::time::Instant::now());
        let results = commit_batch(&writer, posts).await;
        crate::telemetry::batch_committed(count, started.elapsed());
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

/// Writes a batch in one transaction, in two round trips (`sqlite_bulk`). A statement that
/// fails rolls the batch back; then every post is retried in a transaction of its own, so one
/// bad post never fails the others and nothing is half-written.
async fn commit_batch(writer: &SqlitePool, posts: Vec<PostMessage>) -> Vec<StoreResult<Appended>> {
    if let Some(results) = try_bulk(writer, &posts).await {
        return results;
    }
    let mut results = Vec::with_capacity(posts.len());
    for post in &posts {
        results.push(post_alone(writer, post).await);
    }
    results
}

/// The whole batch (`sqlite_bulk`); `None` when it had to be abandoned (rolled back: nothing
/// of it is written). Its transaction is begun and committed by its own statements, so on an
/// error it is rolled back here before the connection goes back to the pool.
async fn try_bulk(
    writer: &SqlitePool,
    posts: &[PostMessage],
) -> Option<Vec<StoreResult<Appended>>> {
    let mut conn = writer.acquire().await.ok()?;
    match super::sqlite_bulk::post_all(&mut conn, posts).await {
        Ok(results) => Some(results),
        Err(error) => {
            // Fails harmlessly when the error came before BEGIN or after a failed COMMIT
            // (SQLite has then rolled back itself).
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            crate::telemetry::batch_fell_back(posts.len(), &error);
            None
        }
    }
}

/// One post in a transaction of its own, once its batch was abandoned. A post that fails
/// part-way is never committed: the transaction is rolled back and the post reports its error.
async fn post_alone(writer: &SqlitePool, post: &PostMessage) -> StoreResult<Appended> {
    let mut tx = writer
        .begin()
        .await
        .map_err(|error| StoreError::Batch(error.to_string()))?;
    let result = post_in_tx(&mut tx, post).await;
    if result.is_err() {
        let _ = tx.rollback().await;
        return result;
    }
    tx.commit()
        .await
        .map_err(|error| StoreError::Batch(error.to_string()))?;
    result
}

async fn post_in_tx(conn: &mut SqliteConnection, post: &PostMessage) -> StoreResult<Appended> {
    let existing: Option<MessageRow> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND client_id = ?"
    ))
    .bind(&post.conversation_id)
    .bind(&post.client_id)
    .fetch_optional(&mut *conn)
    .await?;
    let conversation = load_conversation(conn, &post.conversation_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if let Some(row) = existing {
        return Ok(Appended {
            events: vec![row.try_into()?],
            conversation,
            duplicate: true,
        });
    }
    let plan = plan_post(&conversation, post);
    for event in &plan.events {
        insert_message(conn, event).await?;
    }
    let conversation = plan.applied_to(conversation, post);
    sqlx::query(
        "UPDATE conversations SET status = ?, assignee_id = ?, last_seq = ?, last_preview = ?, \
         last_sender = ?, last_activity_at = ? WHERE id = ?",
    )
    .bind(plan.status.as_str())
    .bind(&plan.assignee)
    .bind(plan.last_seq)
    .bind(&conversation.last_preview)
    .bind(conversation.last_sender.map(SenderKind::as_str))
    .bind(conversation.last_activity_at)
    .bind(&post.conversation_id)
    .execute(&mut *conn)
    .await?;
    Ok(Appended {
        conversation,
        events: plan.events,
        duplicate: false,
    })
}
