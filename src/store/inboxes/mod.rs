//! Inboxes, one per website: each widget's settings, and the agents who work it.
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use crate::model::{parse_hours, InboxAccess, InboxSettings, InboxSummary, Role};
use async_trait::async_trait;

#[async_trait]
pub trait InboxStore: Send + Sync {
    async fn get(&self, id: &str) -> StoreResult<Option<InboxSettings>>;
    /// Every inbox, by name.
    async fn list(&self) -> StoreResult<Vec<InboxSummary>>;
    /// Adds a new inbox with checked settings (its id is new) and its first members.
    async fn create(
        &self,
        settings: &InboxSettings,
        members: &[String],
        now: i64,
    ) -> StoreResult<()>;
    /// Keeps checked settings; `false` when there is no such inbox.
    async fn save(&self, settings: &InboxSettings) -> StoreResult<bool>;
    /// The agents who work an inbox.
    async fn members(&self, inbox_id: &str) -> StoreResult<Vec<String>>;
    /// Replaces an inbox's members in one transaction; `false` when there is no such inbox.
    async fn set_members(&self, inbox_id: &str, agent_ids: &[String]) -> StoreResult<bool>;
    /// The inboxes an agent is a member of.
    async fn member_of(&self, agent_id: &str) -> StoreResult<Vec<String>>;
}

/// What an agent may see: admins every inbox, the others the ones they work.
pub async fn access(
    store: &dyn InboxStore,
    agent: &crate::model::Agent,
) -> StoreResult<InboxAccess> {
    Ok(match agent.role {
        Role::Admin => InboxAccess::All,
        Role::Agent => InboxAccess::Only(store.member_of(&agent.id).await?),
    })
}

/// Both databases keep the allowed domains one per line and the week as seven lines.
#[derive(sqlx::FromRow)]
pub(super) struct InboxRow {
    id: String,
    name: String,
    color: String,
    greeting: String,
    away_message: String,
    allowed_domains: String,
    ask_email: bool,
    language: String,
    time_zone: String,
    hours: String,
    enabled: bool,
}

pub(super) const INBOX_SELECT: &str = "SELECT id, name, color, greeting, away_message, \
     allowed_domains, ask_email, language, time_zone, hours, enabled FROM inboxes";

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
            language: row.language,
            time_zone: row.time_zone,
            hours: parse_hours(&row.hours),
            enabled: row.enabled,
        }
    }
}
