//! Internal notes: what agents write in a conversation for each other. A note is an event of
//! the conversation like any message (numbered, idempotent, live, resumed), written by an
//! agent with `SenderKind::Note`, and it never reaches the visitor: the store leaves notes out
//! of every visitor read (`store::Viewer`), the hub marks them agents-only and a visitor's
//! socket skips them, and a note changes neither the conversation's status, its assignee nor
//! the preview the widget sees.
use crate::error::AppError;
use crate::model::Message;
use leptos::prelude::*;

/// Adds a note to a conversation the agent may read; answered with the note as stored.
#[server(endpoint = "add_note")]
pub async fn add_note(
    conversation_id: String,
    body: String,
    client_id: String,
) -> Result<Message, AppError> {
    ssr::add(conversation_id, body, client_id).await
}

/// The composer's two modes: a reply the visitor reads, or a note only agents read (the
/// `n` shortcut picks notes, `c` replies).
#[component]
pub fn ComposeMode(note: RwSignal<bool>) -> impl IntoView {
    let pick = move |as_note: bool| {
        move |_| {
            note.set(as_note);
            focus_composer();
        }
    };
    view! {
        <div class="compose-mode" role="group" aria-label="Write as">
            <button type="button" class="mode-reply" aria-pressed=move || (!note.get()).to_string()
                data-testid="mode-reply" on:click=pick(false)>"Reply"</button>
            <button type="button" class="mode-note" aria-pressed=move || note.get().to_string()
                data-testid="mode-note" on:click=pick(true)>"Note"</button>
            <Show when=move || note.get()>
                <span class="mode-hint" data-testid="note-hint">"Only your team sees notes."</span>
            </Show>
        </div>
    }
}

/// Puts the keyboard in the composer; false when there is none on the page.
pub fn focus_composer() -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        document()
            .query_selector("[data-testid=composer-input]")
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            .is_some_and(|el| el.focus().is_ok())
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::{AppError, AppResult};
    use crate::live::post;
    use crate::model::{Agent, Conversation, Message, SenderKind};
    use crate::state::AppState;
    use crate::store::{Author, Viewer};

    pub async fn add(
        conversation_id: String,
        body: String,
        client_id: String,
    ) -> AppResult<Message> {
        let state = crate::auth::ssr::state();
        let agent = crate::auth::ssr::require_agent().await?;
        let access = crate::state::access::inbox_access(&state, &agent).await?;
        let conversation = state
            .stores
            .conversations
            .get(Viewer::Agent(&agent, &access), &conversation_id)
            .await
            .map_err(post::store_error)?
            .ok_or(AppError::ConversationNotFound)?;
        let author = Author {
            kind: SenderKind::Note,
            id: Some(agent.id.clone()),
            name: agent.name.clone(),
        };
        let note = post::post(&state, &conversation.id, author, &body, &client_id).await?;
        mention(&state, &agent, &conversation, &note).await;
        Ok(note)
    }

    /// Tells each teammate the note names (`@name`) who may read the conversation.
    async fn mention(
        state: &AppState,
        author: &Agent,
        conversation: &Conversation,
        note: &Message,
    ) {
        // Most notes name nobody: no read of the team for those.
        if !note.body.contains('@') {
            return;
        }
        let team = match state.stores.accounts.team().await {
            Ok(team) => team,
            Err(error) => {
                tracing::warn!(%error, "mentions not sent: the team could not be read");
                return;
            }
        };
        for member in crate::model::mentioned(&note.body, &team) {
            if member.agent.id == author.id {
                continue;
            }
            let allowed = crate::state::access::inbox_access(state, &member.agent)
                .await
                .is_ok_and(|access| access.allows(&conversation.inbox_id));
            if allowed {
                crate::live::presence::mention(
                    state,
                    &member.agent.id,
                    &conversation.id,
                    &author.name,
                    &note.body,
                )
                .await;
            }
        }
    }
}
