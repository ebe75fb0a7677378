//! Search on SQLite: FTS5 tables beside messages and visitors (migrations/sqlite/0012).
use super::sqlite_index::SearchIndexer;
use super::{scope_sql, MessageMatch, SearchScope, SearchStore};
use crate::model::{Conversation, SearchTerms};
use crate::store::rows::{ConversationRow, CONVERSATION_SELECT};
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::sqlite::SqliteArguments;
use sqlx::SqlitePool;
use std::sync::Arc;

pub struct SqliteSearch {
    pub reader: SqlitePool,
    /// Indexes what is queued before a search reads the index.
    pub indexer: Arc<SearchIndexer>,
}

type Query<'q, O> = sqlx::query::QueryAs<'q, sqlx::Sqlite, O, SqliteArguments<'q>>;

fn bind_scope<'q, O>(
    mut query: Query<'q, O>,
    scope: &SearchScope<'q>,
    messages: bool,
) -> Query<'q, O> {
    if let Some(ids) = scope.inboxes {
        query = query.bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
    }
    if let Some(status) = scope.status {
        query = query.bind(status);
    }
    if let Some(assignee) = scope.assignee {
        query = query.bind(assignee);
    }
    if messages {
        if let Some(from) = scope.from_ms {
            query = query.bind(from);
        }
        if let Some(to) = scope.to_ms {
            query = query.bind(to);
        }
    }
    query
}

/// FTS5's query for words as prefixes (names are typed in part): `"mar"* "ruiz"*`.
fn prefixes(terms: &SearchTerms) -> String {
    terms
        .words
        .iter()
        .map(|word| format!("\"{word}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A filter that leaves at most this many conversations is searched through their `scope`
/// words (migrations/sqlite/0015); a wider one by the newest-first walk.
const NARROW: usize = 500;

/// Conditions on `c` that hold for every conversation (so SQLite seeks the inbox/status
/// index rather than scanning when only a status is asked for).
const EVERY_INBOX: &str = "c.inbox_id IN (SELECT id FROM inboxes) AND";

impl SqliteSearch {
    /// The FTS5 query for the words, narrowed to the scope's conversations when they are few;
    /// `None` when the scope leaves no conversation at all.
    async fn message_query(
        &self,
        terms: &SearchTerms,
        scope: &SearchScope<'_>,
    ) -> StoreResult<Option<String>> {
        let words = format!("body : ({})", terms.fts5);
        if scope.inboxes.is_none() && scope.status.is_none() && scope.assignee.is_none() {
            return Ok(Some(words));
        }
        let every = if scope.inboxes.is_none() {
            EVERY_INBOX
        } else {
            ""
        };
        let conditions = scope_sql(scope, false, &mut 0, None);
        let sql = format!(
            "SELECT c.id FROM conversations c WHERE {every} {conditions} 1 = 1 LIMIT {}",
            NARROW + 1
        );
        let ids: Vec<(String,)> = bind_scope(sqlx::query_as(&sql), scope, false)
            .fetch_all(&self.reader)
            .await?;
        Ok(match ids.len() {
            0 => None,
            n if n <= NARROW => {
                let scopes: Vec<String> = ids
                    .iter()
                    .map(|(id,)| format!("c{}", id.replace('-', "")))
                    .collect();
                Some(format!("{words} AND scope : ({})", scopes.join(" OR ")))
            }
            _ => Some(words),
        })
    }
}

#[async_trait]
impl SearchStore for SqliteSearch {
    async fn messages(
        &self,
        terms: &SearchTerms,
        scope: SearchScope<'_>,
        limit: u32,
    ) -> StoreResult<Vec<MessageMatch>> {
        self.indexer.catch_up().await?;
        let Some(query) = self.message_query(terms, &scope).await? else {
            return Ok(Vec::new());
        };
        let conditions = scope_sql(&scope, false, &mut 0, Some("f"));
        // Newest first by the FTS rowid (it grows with time): the walk stops at the limit.
        // CROSS JOIN keeps that walk outermost; each candidate costs one conversation lookup.
        let sql = format!(
            "SELECT f.conversation_id AS conversation_id, CAST(f.seq AS INTEGER) AS seq, \
             f.sender_kind AS sender_kind, snippet(messages_fts, 0, char(2), char(3), '…', 16) AS snippet, \
             CAST(f.created_at AS INTEGER) AS created_at \
             FROM messages_fts f CROSS JOIN conversations c ON c.id = f.conversation_id \
             WHERE messages_fts MATCH ? AND {conditions} 1 = 1 \
             ORDER BY f.rowid DESC LIMIT ?"
        );
        let query = sqlx::query_as::<_, MessageMatch>(&sql).bind(&query);
        let rows = bind_scope(query, &scope, true)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        Ok(rows)
    }

    async fn conversations(
        &self,
        terms: &SearchTerms,
        scope: SearchScope<'_>,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let conditions = scope_sql(&scope, false, &mut 0, None);
        let names = prefixes(terms);
        let by_visitor = format!(
            "SELECT c.id, c.last_activity_at FROM visitors_fts \
             JOIN visitors v ON v.rowid = visitors_fts.rowid \
             JOIN conversations c ON c.visitor_id = v.id \
             WHERE visitors_fts MATCH ? AND {conditions} 1 = 1"
        );
        let labels: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM labels WHERE lower(name) LIKE ?")
                .bind(format!("%{}%", terms.words.join("%")))
                .fetch_all(&self.reader)
                .await?;
        let sql = if labels.is_empty() {
            format!("SELECT id FROM ({by_visitor}) ORDER BY last_activity_at DESC LIMIT ?")
        } else {
            // A label's name matched: its conversations too (a scan of the label lists).
            format!(
                "SELECT id FROM ({by_visitor} UNION SELECT c.id, c.last_activity_at FROM conversations c \
                 WHERE {conditions} EXISTS (SELECT 1 FROM json_each(?) j \
                 WHERE ' ' || c.labels || ' ' LIKE '% ' || j.value || ' %')) \
                 ORDER BY last_activity_at DESC LIMIT ?"
            )
        };
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(&names);
        query = bind_scope(query, &scope, false);
        if !labels.is_empty() {
            query = bind_scope(query, &scope, false);
            let ids: Vec<&str> = labels.iter().map(|(id,)| id.as_str()).collect();
            query = query.bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()));
        }
        let rows = query.bind(i64::from(limit)).fetch_all(&self.reader).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn load(&self, ids: &[String]) -> StoreResult<Vec<Conversation>> {
        let rows: Vec<ConversationRow> = sqlx::query_as(&format!(
            "{CONVERSATION_SELECT} WHERE c.id IN (SELECT value FROM json_each(?))"
        ))
        .bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(Conversation::try_from).collect()
    }
}
