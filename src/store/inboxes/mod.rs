//! Inboxes: each website's widget settings. One, `default`, for now; the table holds many.
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use crate::model::InboxSettings;
use async_trait::async_trait;

#[async_trait]
pub trait InboxStore: Send + Sync {
    async fn get(&self, id: &str) -> StoreResult<Option<InboxSettings>>;
    /// Keeps checked settings; `false` when there is no such inbox.
    async fn save(&self, settings: &InboxSettings) -> StoreResult<bool>;
}

/// Both databases keep the allowed domains as one line each.
#[derive(sqlx::FromRow)]
pub(super) struct InboxRow {
    id: String,
    name: String,
    color: String,
    greeting: String,
    away_message: String,
    allowed_domains: String,
    ask_email: bool,
}

pub(super) const INBOX_SELECT: &str =
    "SELECT id, name, color, greeting, away_message, allowed_domains, ask_email FROM inboxes";

impl From<InboxRow> for InboxSettings {
    fn from(row: InboxRow) -> Self {
        InboxSettings {
            id: row.id,
            name: row.name,
            color: row.color,
            greeting: row.greeting,
            away_message: row.away_message,
            allowed_domains: row.allowed_domains.lines().map(str::to_string).collect(),
            ask_email: row.ask_email,
        }
    }
}
