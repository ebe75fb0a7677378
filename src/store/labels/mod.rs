//! Labels the team defines (name, colour). Which conversation carries which is kept on the
//! conversation (`ConversationStore::set_labels`); deleting a label takes it off them all.
pub(super) mod postgres;
pub(super) mod sqlite;

use super::StoreResult;
use crate::model::Label;
use async_trait::async_trait;

#[async_trait]
pub trait LabelStore: Send + Sync {
    /// Every label, by name.
    async fn list(&self) -> StoreResult<Vec<Label>>;
    /// Adds a label, or renames and recolours the one with its id; `Conflict` when another
    /// label has that name (in any case).
    async fn save(&self, label: &Label, now: i64) -> StoreResult<()>;
    /// Deletes a label and takes it off every conversation; `false` when it was already gone.
    async fn delete(&self, id: &str) -> StoreResult<bool>;
}

pub(super) const LABEL_SELECT: &str = "SELECT id, name, color FROM labels ORDER BY lower(name)";

/// `labels` padded with spaces, so that `LIKE '% id %'` finds an id anywhere in the list.
pub(super) fn padded_id(id: &str) -> (String, String) {
    (format!(" {id} "), format!("% {id} %"))
}
