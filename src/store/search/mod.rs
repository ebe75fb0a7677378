//! Full-text search: what people wrote (SQLite FTS5, filled off the send path by
//! `sqlite_index` and caught up before each search; PostgreSQL tsvector, kept in step on every
//! write), visitors' names and e-mails, and labels. Every search
//! names the inboxes its agent may see; the conversations of the hits are read with them.
pub(super) mod postgres;
pub(super) mod sqlite;
pub(super) mod sqlite_index;

use super::StoreResult;
use crate::model::{Conversation, SearchTerms};
use async_trait::async_trait;

/// The filters of one search, with the inboxes the agent may see (`None`: all).
#[derive(Clone, Copy, Debug, Default)]
pub struct SearchScope<'a> {
    pub inboxes: Option<&'a [String]>,
    pub status: Option<&'a str>,
    pub assignee: Option<&'a str>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// A matched message or note, before its conversation is read.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MessageMatch {
    pub conversation_id: String,
    pub seq: i64,
    pub sender_kind: String,
    /// The text around the match, matched words between `MATCH_START` and `MATCH_END`.
    pub snippet: String,
    pub created_at: i64,
}

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Messages and notes with every word (stemmed; phrases in order), newest first.
    async fn messages(
        &self,
        terms: &SearchTerms,
        scope: SearchScope<'_>,
        limit: u32,
    ) -> StoreResult<Vec<MessageMatch>>;
    /// Conversations whose visitor's name or e-mail has every word (as a prefix), or which
    /// carry a label whose name has them; most recent activity first.
    async fn conversations(
        &self,
        terms: &SearchTerms,
        scope: SearchScope<'_>,
        limit: u32,
    ) -> StoreResult<Vec<String>>;
    /// The conversations of these ids (the hits'), in no particular order.
    async fn load(&self, ids: &[String]) -> StoreResult<Vec<Conversation>>;
}

/// The scope's conditions on `c` (conversations) and, for the date range, on the `created_at`
/// of the table aliased `dated` (none: no date range), each ending in `AND`; `next` numbers
/// PostgreSQL's parameters (SQLite's are `?`).
pub(super) fn scope_sql(
    scope: &SearchScope<'_>,
    pg: bool,
    next: &mut usize,
    dated: Option<&str>,
) -> String {
    let mut param = || {
        *next += 1;
        if pg {
            format!("${}", *next)
        } else {
            "?".to_string()
        }
    };
    let mut sql = String::new();
    if scope.inboxes.is_some() {
        if pg {
            sql += &format!("c.inbox_id = ANY({}) AND ", param());
        } else {
            sql += &format!(
                "c.inbox_id IN (SELECT value FROM json_each({})) AND ",
                param()
            );
        }
    }
    if scope.status.is_some() {
        sql += &format!("c.status = {} AND ", param());
    }
    if scope.assignee.is_some() {
        sql += &format!("c.assignee_id = {} AND ", param());
    }
    if let Some(table) = dated {
        if scope.from_ms.is_some() {
            sql += &format!("{table}.created_at >= {} AND ", param());
        }
        if scope.to_ms.is_some() {
            sql += &format!("{table}.created_at < {} AND ", param());
        }
    }
    sql
}
