//! Search on PostgreSQL: generated tsvector columns with GIN indexes (migrations/postgres/0012).
use super::{scope_sql, MessageMatch, SearchScope, SearchStore};
use crate::model::{Conversation, SearchTerms};
use crate::store::rows::{ConversationRow, CONVERSATION_SELECT};
use crate::store::StoreResult;
use async_trait::async_trait;
use sqlx::postgres::PgArguments;
use sqlx::PgPool;

pub struct PgSearch {
    pub pool: PgPool,
}

/// Below this many matches a word is rare: its matches are read whole and sorted.
const FEW_MATCHES: i64 = 500;

type Query<'q, O> = sqlx::query::QueryAs<'q, sqlx::Postgres, O, PgArguments>;

fn bind_scope<'q, O>(
    mut query: Query<'q, O>,
    scope: &SearchScope<'q>,
    messages: bool,
) -> Query<'q, O> {
    if let Some(ids) = scope.inboxes {
        query = query.bind(ids);
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

/// A tsquery of every word as a prefix (`mar:* & ruiz:*`); the words are letters and digits
/// only (`search_terms`), so nothing in them is tsquery syntax.
fn prefixes(terms: &SearchTerms) -> String {
    terms
        .words
        .iter()
        .map(|word| format!("{word}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

#[async_trait]
impl SearchStore for PgSearch {
    async fn messages(
        &self,
        terms: &SearchTerms,
        scope: SearchScope<'_>,
        limit: u32,
    ) -> StoreResult<Vec<MessageMatch>> {
        // Newest first takes one of two walks, and the planner, which cannot tell a rare word
        // from a common one, picked the wrong one for rare words (the whole date index, 400 ms
        // over 1M messages). So ask first: a word with few matches reads them all through the
        // GIN index and sorts them; a common one walks the date index and stops at the limit.
        let few: bool = sqlx::query_scalar(
            "SELECT count(*) < $2 FROM (SELECT 1 FROM messages \
             WHERE search @@ websearch_to_tsquery('english', $1) LIMIT $2) probe",
        )
        .bind(&terms.fts5)
        .bind(FEW_MATCHES)
        .fetch_one(&self.pool)
        .await?;
        let mut next = 2;
        let conditions = scope_sql(&scope, true, &mut next, Some("m"));
        let matches = if few {
            "(SELECT * FROM messages WHERE search @@ websearch_to_tsquery('english', $1) OFFSET 0)"
        } else {
            "messages"
        };
        let sql = format!(
            "SELECT m.conversation_id, m.seq, m.sender_kind, \
             ts_headline('english', m.body, q, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || \
             ', MaxWords=24, MinWords=10, MaxFragments=1, FragmentDelimiter=…') AS snippet, m.created_at \
             FROM {matches} m JOIN conversations c ON c.id = m.conversation_id, \
             websearch_to_tsquery('english', $1) q \
             WHERE m.search @@ q AND {conditions} TRUE \
             ORDER BY m.created_at DESC LIMIT $2"
        );
        // Every word quoted, as for FTS5: `websearch_to_tsquery` then reads no operator in
        // what was typed ("or", "-"), and never fails on syntax.
        let query = sqlx::query_as::<_, MessageMatch>(&sql)
            .bind(&terms.fts5)
            .bind(i64::from(limit));
        Ok(bind_scope(query, &scope, true)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn conversations(
        &self,
        terms: &SearchTerms,
        scope: SearchScope<'_>,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let labels: Vec<String> =
            sqlx::query_scalar("SELECT id FROM labels WHERE lower(name) LIKE $1")
                .bind(format!("%{}%", terms.words.join("%")))
                .fetch_all(&self.pool)
                .await?;
        let mut next = 3;
        let conditions = scope_sql(&scope, true, &mut next, None);
        // A label's name matched: its conversations too (a scan of the label lists).
        let by_label = if labels.is_empty() {
            String::new()
        } else {
            format!(
                " UNION SELECT c.id, c.last_activity_at FROM conversations c WHERE {conditions} \
                 EXISTS (SELECT 1 FROM unnest($3::text[]) l WHERE ' ' || c.labels || ' ' LIKE '% ' || l || ' %')"
            )
        };
        let sql = format!(
            "SELECT id FROM (SELECT c.id, c.last_activity_at FROM visitors v \
             JOIN conversations c ON c.visitor_id = v.id \
             WHERE v.search @@ to_tsquery('simple', $1) AND {conditions} TRUE{by_label}) hits \
             ORDER BY last_activity_at DESC LIMIT $2"
        );
        let query = sqlx::query_as::<_, (String,)>(&sql)
            .bind(prefixes(terms))
            .bind(i64::from(limit))
            .bind(&labels);
        let rows = bind_scope(query, &scope, false)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn load(&self, ids: &[String]) -> StoreResult<Vec<Conversation>> {
        let rows: Vec<ConversationRow> =
            sqlx::query_as(&format!("{CONVERSATION_SELECT} WHERE c.id = ANY($1)"))
                .bind(ids)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(Conversation::try_from).collect()
    }
}
