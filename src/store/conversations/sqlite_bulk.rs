//! A group-commit batch in four statements, whatever its size: the client ids already stored,
//! the conversations as they stand, the new messages, the conversations' new heads. Each
//! statement is a round trip to sqlx's SQLite worker thread (a wake-up on each side), so a
//! batch of 200 posts costs 4 of them instead of 800. The posts are planned in memory, in
//! order, each against the conversation as the earlier ones leave it (`batch`).
use super::*;
use crate::store::rows::*;
use crate::store::{StoreError, StoreResult};
use serde_json::json;
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet};

/// An error when a statement failed: the caller rolls back and takes the posts one at a time
/// (`sqlite_commit`), so one bad post never fails the others.
pub(super) async fn post_all(
    conn: &mut SqliteConnection,
    posts: &[PostMessage],
) -> StoreResult<Vec<StoreResult<Appended>>> {
    let stored = already_stored(conn, posts).await?;
    let conversations = conversations_of(conn, posts).await?;
    let plan = super::batch::plan_batch(posts, stored, conversations);
    if !plan.new_messages.is_empty() {
        insert_messages(conn, &plan.new_messages).await?;
        update_heads(conn, &plan.heads).await?;
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

async fn conversations_of(
    conn: &mut SqliteConnection,
    posts: &[PostMessage],
) -> StoreResult<HashMap<String, Conversation>> {
    let ids: HashSet<&str> = posts.iter().map(|p| p.conversation_id.as_str()).collect();
    let rows: Vec<ConversationRow> = sqlx::query_as(&format!(
        "{CONVERSATION_SELECT} WHERE c.id IN (SELECT value FROM json_each(?))"
    ))
    .bind(json_text(&ids)?)
    .fetch_all(&mut *conn)
    .await?;
    super::batch::conversations_by_id(rows)
}

async fn insert_messages(conn: &mut SqliteConnection, messages: &[Message]) -> StoreResult<()> {
    let rows: Vec<serde_json::Value> = messages
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
    let columns: Vec<&str> = MESSAGE_COLUMNS.split(", ").collect();
    sqlx::query(&format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) SELECT {} FROM json_each(?)",
        json_columns(&columns)
    ))
    .bind(json_text(&rows)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn update_heads(conn: &mut SqliteConnection, heads: &[Conversation]) -> StoreResult<()> {
    let rows: Vec<serde_json::Value> = heads
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
    let heads = [
        "status",
        "assignee_id",
        "last_seq",
        "last_preview",
        "last_sender",
        "last_activity_at",
    ];
    let set = heads
        .iter()
        .map(|name| format!("{name} = u.{name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let columns = json_columns(&[&["id"][..], &heads[..]].concat());
    sqlx::query(&format!(
        "UPDATE conversations SET {set} FROM (SELECT {columns} FROM json_each(?)) AS u \
         WHERE conversations.id = u.id"
    ))
    .bind(json_text(&rows)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
