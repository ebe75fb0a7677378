//! A PostgreSQL group-commit batch in five statements, whatever its size: lock and read the
//! conversations (in id order, so two nodes' batches never wait on each other in a circle),
//! read the client ids already stored, insert the new messages, move the conversations'
//! heads, and send one hint per moved conversation; the posts are planned in memory between
//! (`batch`). Arrays travel as parameters (`UNNEST`), so a batch is five round trips, not five
//! per post.
use super::batch::plan_batch;
use super::*;
use crate::store::pg_changes::Notifier;
use crate::store::rows::*;
use crate::store::StoreResult;
use sqlx::PgConnection;
use std::collections::HashMap;

/// An error when a statement failed: the caller rolls back and takes the posts one at a time
/// (`pg_commit`), so one bad post never fails the others.
pub(super) async fn post_all(
    conn: &mut PgConnection,
    notifier: &Notifier,
    posts: &[PostMessage],
) -> StoreResult<Vec<StoreResult<Appended>>> {
    let conversations = lock_conversations(conn, posts).await?;
    let stored = already_stored(conn, posts).await?;
    let plan = plan_batch(posts, stored, conversations);
    if !plan.new_messages.is_empty() {
        insert_messages(conn, &plan.new_messages).await?;
        update_heads(conn, &plan.heads).await?;
        notifier.notify_many(&mut *conn, &plan.seq_ranges()).await?;
    }
    Ok(plan.results)
}

async fn lock_conversations(
    conn: &mut PgConnection,
    posts: &[PostMessage],
) -> StoreResult<HashMap<String, Conversation>> {
    let mut ids: Vec<&str> = posts.iter().map(|p| p.conversation_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<ConversationRow> = sqlx::query_as(&format!(
        "{CONVERSATION_SELECT} WHERE c.id = ANY($1) ORDER BY c.id FOR UPDATE OF c"
    ))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    super::batch::conversations_by_id(rows)
}

async fn already_stored(
    conn: &mut PgConnection,
    posts: &[PostMessage],
) -> StoreResult<HashMap<(String, String), Message>> {
    let (conversation_ids, client_ids): (Vec<&str>, Vec<&str>) = posts
        .iter()
        .map(|p| (p.conversation_id.as_str(), p.client_id.as_str()))
        .unzip();
    // One index lookup per post, whatever the statistics: a plan cached while the table was
    // small hash-joined all of it (4 ms a batch at 12,000 messages, auto_explain). `OFFSET 0`
    // keeps PostgreSQL from flattening the lateral lookup back into such a join.
    let rows: Vec<MessageRow> = sqlx::query_as(&format!(
        "SELECT m.* FROM UNNEST($1::text[], $2::text[]) AS k(conversation_id, client_id) \
         CROSS JOIN LATERAL (SELECT {MESSAGE_COLUMNS} FROM messages \
         WHERE conversation_id = k.conversation_id AND client_id = k.client_id OFFSET 0) AS m"
    ))
    .bind(&conversation_ids)
    .bind(&client_ids)
    .fetch_all(&mut *conn)
    .await?;
    super::batch::stored_by_key(rows)
}

async fn insert_messages(conn: &mut PgConnection, messages: &[Message]) -> StoreResult<()> {
    let column = |f: fn(&Message) -> Option<String>| messages.iter().map(f).collect::<Vec<_>>();
    let seqs: Vec<i64> = messages.iter().map(|m| m.seq).collect();
    let created: Vec<i64> = messages.iter().map(|m| m.created_at).collect();
    sqlx::query(&format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) SELECT * FROM UNNEST($1::text[], $2::int8[], \
         $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::text[])"
    ))
    .bind(column(|m| Some(m.conversation_id.clone())))
    .bind(seqs)
    .bind(column(|m| Some(m.client_id.clone())))
    .bind(column(|m| Some(m.sender.as_str().to_string())))
    .bind(column(|m| m.sender_id.clone()))
    .bind(column(|m| Some(m.sender_name.clone())))
    .bind(column(|m| Some(m.body.clone())))
    .bind(column(|m| m.status_change.map(|s| s.as_str().to_string())))
    .bind(created)
    .bind(column(crate::store::rows::attachment_json))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn update_heads(conn: &mut PgConnection, heads: &[Conversation]) -> StoreResult<()> {
    let column = |f: fn(&Conversation) -> Option<String>| heads.iter().map(f).collect::<Vec<_>>();
    let last_seq: Vec<i64> = heads.iter().map(|c| c.last_seq).collect();
    let activity: Vec<i64> = heads.iter().map(|c| c.last_activity_at).collect();
    sqlx::query(
        "UPDATE conversations AS c SET status = u.status, assignee_id = u.assignee_id, \
         last_seq = u.last_seq, last_preview = u.last_preview, last_sender = u.last_sender, \
         last_activity_at = u.last_activity_at \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], \
         $7::int8[]) AS u(id, status, assignee_id, last_seq, last_preview, last_sender, \
         last_activity_at) WHERE c.id = u.id",
    )
    .bind(column(|c| Some(c.id.clone())))
    .bind(column(|c| Some(c.status.as_str().to_string())))
    .bind(column(|c| c.assignee_id.clone()))
    .bind(last_seq)
    .bind(column(|c| Some(c.last_preview.clone())))
    .bind(column(|c| c.last_sender.map(|s| s.as_str().to_string())))
    .bind(activity)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
