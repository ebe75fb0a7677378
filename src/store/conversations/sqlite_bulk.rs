//! A group-commit batch in two round trips to sqlx's SQLite worker thread, whatever its size:
//! the transaction begins with the read of the batch's conversations as they stand (each with
//! how many of the batch's client ids it already holds), and the new messages and the
//! conversations' new heads are written with the COMMIT. Each round trip is a wake-up on both
//! sides of a channel, and at 1,000 msg/s they were most of a commit's time (six for a lone
//! post, docs/benchmarks.md). The posts are planned in memory, in order, each against the
//! conversation as the earlier ones leave it (`batch`).
use super::*;
use crate::store::rows::*;
use crate::store::{StoreError, StoreResult};
use serde_json::json;
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet};

/// Writes the batch in one transaction, opened and committed by these statements. On an error
/// the transaction may still be open: the caller rolls it back (`sqlite_commit`) and takes the
/// posts one at a time, so one bad post never fails the others.
pub(super) async fn post_all(
    conn: &mut SqliteConnection,
    posts: &[PostMessage],
) -> StoreResult<Vec<StoreResult<Appended>>> {
    let (conversations, any_stored) = begin_with_conversations(conn, posts).await?;
    // A retried send (its client id already stored) is rare: only then one more read.
    let stored = if any_stored {
        already_stored(conn, posts).await?
    } else {
        HashMap::new()
    };
    let plan = super::batch::plan_batch(posts, stored, conversations);
    if plan.new_messages.is_empty() {
        sqlx::query("COMMIT").execute(&mut *conn).await?;
    } else {
        write_and_commit(conn, &plan.new_messages, &plan.heads).await?;
    }
    Ok(plan.results)
}

/// `json_extract(value, '$[0]') AS name0, …`: the columns of rows sent as one JSON array of
/// arrays and read back with `json_each(?)`.
fn json_columns(names: &[&str]) -> String {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("json_extract(value, '$[{i}]') AS {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn json_text(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|error| StoreError::Batch(error.to_string()))
}

async fn already_stored(
    conn: &mut SqliteConnection,
    posts: &[PostMessage],
) -> StoreResult<HashMap<(String, String), Message>> {
    let keys: Vec<[&str; 2]> = posts
        .iter()
        .map(|p| [p.conversation_id.as_str(), p.client_id.as_str()])
        .collect();
    let rows: Vec<MessageRow> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE (conversation_id, client_id) IN \
         (SELECT {} FROM json_each(?))",
        json_columns(&["conversation_id", "client_id"])
    ))
    .bind(json_text(&keys)?)
    .fetch_all(&mut *conn)
    .await?;
    super::batch::stored_by_key(rows)
}

/// A conversation as it stands, and how many of the batch's client ids it already holds.
#[derive(sqlx::FromRow)]
struct ConversationAndStored {
    #[sqlx(flatten)]
    conversation: ConversationRow,
    stored: i64,
}

/// `BEGIN IMMEDIATE` and the batch's conversations in one round trip; says whether any post's
/// client id is already stored.
async fn begin_with_conversations(
    conn: &mut SqliteConnection,
    posts: &[PostMessage],
) -> StoreResult<(HashMap<String, Conversation>, bool)> {
    let ids: HashSet<&str> = posts.iter().map(|p| p.conversation_id.as_str()).collect();
    let keys: Vec<[&str; 2]> = posts
        .iter()
        .map(|p| [p.conversation_id.as_str(), p.client_id.as_str()])
        .collect();
    let columns = CONVERSATION_SELECT
        .strip_prefix("SELECT ")
        .ok_or_else(|| StoreError::Batch("unexpected conversation query".into()))?;
    let rows: Vec<ConversationAndStored> = sqlx::query_as(&format!(
        "BEGIN IMMEDIATE; \
         SELECT (SELECT count(*) FROM messages s WHERE s.conversation_id = c.id \
           AND s.client_id IN (SELECT json_extract(value, '$[1]') FROM json_each(?2) \
             WHERE json_extract(value, '$[0]') = c.id)) AS stored, {columns} \
         WHERE c.id IN (SELECT value FROM json_each(?1))"
    ))
    .bind(json_text(&ids)?)
    .bind(json_text(&keys)?)
    .fetch_all(&mut *conn)
    .await?;
    let any_stored = rows.iter().any(|row| row.stored > 0);
    let conversations = rows.into_iter().map(|row| row.conversation).collect();
    Ok((
        super::batch::conversations_by_id(conversations)?,
        any_stored,
    ))
}

/// The new messages, the conversations' new heads and the COMMIT, in one round trip.
async fn write_and_commit(
    conn: &mut SqliteConnection,
    messages: &[Message],
    heads: &[Conversation],
) -> StoreResult<()> {
    let messages: Vec<serde_json::Value> = messages
        .iter()
        .map(|m| {
            json!([
                m.conversation_id,
                m.seq,
                m.client_id,
                m.sender.as_str(),
                m.sender_id,
                m.sender_name,
                m.body,
                m.status_change.map(Status::as_str),
                m.created_at,
                crate::store::rows::attachment_json(m)
            ])
        })
        .collect();
    let message_columns: Vec<&str> = MESSAGE_COLUMNS.split(", ").collect();
    let heads: Vec<serde_json::Value> = heads
        .iter()
        .map(|c| {
            json!([
                c.id,
                c.status.as_str(),
                c.assignee_id,
                c.last_seq,
                c.last_preview,
                c.last_sender.map(SenderKind::as_str),
                c.last_activity_at
            ])
        })
        .collect();
    let head_columns = [
        "status",
        "assignee_id",
        "last_seq",
        "last_preview",
        "last_sender",
        "last_activity_at",
    ];
    let set = head_columns
        .iter()
        .map(|name| format!("{name} = u.{name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let columns = json_columns(&[&["id"][..], &head_columns[..]].concat());
    sqlx::query(&format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) SELECT {} FROM json_each(?1); \
         UPDATE conversations SET {set} FROM (SELECT {columns} FROM json_each(?2)) AS u \
         WHERE conversations.id = u.id; \
         COMMIT",
        json_columns(&message_columns)
    ))
    .bind(json_text(&messages)?)
    .bind(json_text(&heads)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
