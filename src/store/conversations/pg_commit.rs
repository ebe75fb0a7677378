//! PostgreSQL's group commit for posts: posts that arrive while a batch is being written wait
//! and share the next transaction, so many concurrent senders cost one commit (one WAL flush)
//! and a handful of round trips, not one commit and six round trips each.
use super::batch::{PostJob, MAX_BATCH};
use super::postgres::post_one;
use super::*;
use crate::store::pg_changes::Notifier;
use crate::store::{StoreError, StoreResult};
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};

/// Writers taking batches at once: while one waits for its commit, another gathers and sends
/// the next batch. Batches lock their conversations in id order, so writers (on this node or
/// another) never deadlock on each other.
pub(super) const WRITERS: usize = 2;

/// Starts the writers; posts go in through the returned sender.
pub(super) fn spawn(pool: PgPool, notifier: Arc<Notifier>) -> mpsc::Sender<PostJob> {
    let (posts, jobs) = mpsc::channel(4 * MAX_BATCH);
    let jobs = Arc::new(Mutex::new(jobs));
    for _ in 0..WRITERS {
        tokio::spawn(group_commit(pool.clone(), notifier.clone(), jobs.clone()));
    }
    posts
}

async fn group_commit(
    pool: PgPool,
    notifier: Arc<Notifier>,
    jobs: Arc<Mutex<mpsc::Receiver<PostJob>>>,
) {
    loop {
        // Gather a batch while holding the queue; write it after letting go of it.
        let batch = {
            let mut jobs = jobs.lock().await;
            let Some(first) = jobs.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        let (posts, replies): (Vec<PostMessage>, Vec<_>) =
            batch.into_iter().map(|job| (job.post, job.reply)).unzip();
        let (count, started) = (posts.len(), std::time::Instant::now());
        let results = commit_batch(&pool, &notifier, posts).await;
        crate::telemetry::batch_committed(count, started.elapsed());
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

/// The batch in one transaction (`pg_bulk`); when a statement fails, it is rolled back and
/// every post is written in a transaction of its own, so one bad post never fails the others.
async fn commit_batch(
    pool: &PgPool,
    notifier: &Notifier,
    posts: Vec<PostMessage>,
) -> Vec<StoreResult<Appended>> {
    if posts.len() > 1 {
        match try_bulk(pool, notifier, &posts).await {
            Ok(results) => return results,
            Err(error) => crate::telemetry::batch_fell_back(posts.len(), &error),
        }
    }
    let mut results = Vec::with_capacity(posts.len());
    for post in posts {
        results.push(post_one(pool, notifier, post).await);
    }
    results
}

async fn try_bulk(
    pool: &PgPool,
    notifier: &Notifier,
    posts: &[PostMessage],
) -> StoreResult<Vec<StoreResult<Appended>>> {
    let mut tx = pool.begin().await?;
    let results = match super::pg_bulk::post_all(&mut tx, notifier, posts).await {
        Ok(results) => results,
        Err(error) => {
            let _ = tx.rollback().await;
            return Err(error);
        }
    };
    tx.commit()
        .await
        .map_err(|error| StoreError::Batch(error.to_string()))?;
    Ok(results)
}
