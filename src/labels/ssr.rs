//! The labels' server side: admins keep the list; agents label what they may see.
use crate::auth::ssr::{require_agent, state};
use crate::error::{AppError, AppResult};
use crate::model::{is_label_id, validate_label, Conversation, Label, Role};
use crate::store::{StoreError, Viewer};

fn store_error(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict => {
            AppError::Invalid("There is already a label with that name.".into())
        }
        other => crate::live::post::store_error(other),
    }
}

async fn require_admin() -> AppResult<crate::model::Agent> {
    let agent = require_agent().await?;
    if agent.role != Role::Admin {
        return Err(AppError::AdminOnly);
    }
    Ok(agent)
}

pub async fn list() -> AppResult<Vec<Label>> {
    // The context is read before the first await: during SSR it is gone after one (the
    // labels page never finished streaming for agents).
    let state = state();
    require_agent().await?;
    state.stores.labels.list().await.map_err(store_error)
}

pub async fn save(id: String, name: String, color: String) -> AppResult<Label> {
    let state = state();
    require_admin().await?;
    let (name, color) = validate_label(&name, &color)?;
    let id = if id.is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else {
        let known = state.stores.labels.list().await.map_err(store_error)?;
        if !known.iter().any(|label| label.id == id) {
            return Err(AppError::LabelNotFound);
        }
        id
    };
    let label = Label { id, name, color };
    state
        .stores
        .labels
        .save(&label, crate::clock::now_ms())
        .await
        .map_err(store_error)?;
    Ok(label)
}

pub async fn delete(id: String) -> AppResult<()> {
    let state = state();
    require_admin().await?;
    if !state.stores.labels.delete(&id).await.map_err(store_error)? {
        return Err(AppError::LabelNotFound);
    }
    Ok(())
}

pub async fn label_conversation(
    conversation_id: String,
    label: String,
    on: bool,
) -> AppResult<Conversation> {
    let state = state();
    let agent = require_agent().await?;
    let access = crate::state::access::inbox_access(&state, &agent).await?;
    let viewer = Viewer::Agent(&agent, &access);
    if !is_label_id(&label) {
        return Err(AppError::LabelNotFound);
    }
    if on {
        let known = state.stores.labels.list().await.map_err(store_error)?;
        let current =
            crate::state::access::agent_conversation(&state, &agent, &access, &conversation_id)
                .await?;
        let mut wanted = current.labels;
        wanted.push(label.clone());
        crate::model::validate_conversation_labels(&wanted, &known)?;
    }
    let conversation = state
        .stores
        .conversations
        .change_label(viewer, &conversation_id, &label, on)
        .await
        .map_err(store_error)?
        .ok_or(AppError::ConversationNotFound)?;
    // Every agent tab following it or watching its inbox, on every node (the store's hint).
    state.hub.publish_conversation(&conversation);
    Ok(conversation)
}
