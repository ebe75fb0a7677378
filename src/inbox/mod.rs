//! The agent's side: the shared inbox (mine, unassigned, all; unread counts), an open
//! conversation, replies, status and assignment. Every server function here starts with the
//! signed-in agent check. The list is in `list`, the conversation in `thread`, sounds,
//! notifications and the tab title in `alerts`, the shortcuts in `keys`.
mod alerts;
mod keys;
mod list;
mod thread;

pub use list::{InboxLayout, PrefetchConversation};
pub use thread::{ConversationPage, NoConversation};

use crate::auth::{current_agent, SignOut};
use crate::chat::{Avatar, AvatarColors};
use crate::error::AppError;
use crate::model::{
    Agent, AgentSettings, Conversation, InboxFilter, InboxItem, Message, Role, SenderKind, Status,
    TeamMember,
};
#[cfg(feature = "ssr")]
use crate::store::Viewer;
use crate::team::{my_settings, teammates, AgentTheme, OwnSettings};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use serde::{Deserialize, Serialize};

/// The most conversations one list fetch returns (newest activity first).
pub const LIST_LIMIT: u32 = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

/// The conversations of the inboxes this agent works (or of one of them, `inbox`; with one
/// label, `label`), with the agent's unread count per conversation.
#[server(endpoint = "list_conversations")]
pub async fn list_conversations(
    filter: InboxFilter,
    #[server(default)] inbox: String,
    #[server(default)] label: String,
) -> Result<Vec<InboxItem>, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    let access = crate::state::access::inbox_access(&state, &agent).await?;
    let only = Some(inbox.as_str()).filter(|id| !id.is_empty());
    let label = Some(label.as_str()).filter(|id| !id.is_empty());
    if label.is_some_and(|id| !crate::model::is_label_id(id)) {
        return Err(AppError::LabelNotFound);
    }
    state
        .stores
        .conversations
        .inbox(
            Viewer::Agent(&agent, &access),
            only,
            label,
            filter,
            LIST_LIMIT,
        )
        .await
        .map_err(crate::error::internal)
}

/// Assigns the conversation to an active agent, or returns it to the queue (`assignee`
/// empty). A change of hands writes a notice both sides see.
#[server(endpoint = "assign_conversation")]
pub async fn assign_conversation(
    conversation_id: String,
    assignee: String,
) -> Result<Conversation, AppError> {
    ssr::assign(conversation_id, assignee).await
}

#[server(endpoint = "open_conversation")]
pub async fn open_conversation(id: String) -> Result<ConversationDetail, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    let conversation = ssr::find(&state, &agent, &id).await?;
    // `find` checked the inbox; the read below names the agent all the same.
    let access = crate::model::InboxAccess::Only(vec![conversation.inbox_id.clone()]);
    let messages = state
        .stores
        .conversations
        .messages_before(
            Viewer::Agent(&agent, &access),
            &id,
            None,
            crate::model::PAGE_SIZE,
        )
        .await
        .map_err(crate::chat::ssr::store_error)?;
    Ok(ConversationDetail {
        conversation,
        messages,
    })
}

/// The visitor's other conversations (same e-mail), in the inboxes this agent works.
#[server(endpoint = "earlier_conversations")]
pub async fn earlier_conversations(conversation_id: String) -> Result<Vec<Conversation>, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    // One read of the agent's inboxes serves both the conversation and its neighbours.
    let access = crate::state::access::inbox_access(&state, &agent).await?;
    let viewer = Viewer::Agent(&agent, &access);
    let conversation = state
        .stores
        .conversations
        .get(viewer, &conversation_id)
        .await
        .map_err(crate::chat::ssr::store_error)?
        .ok_or(AppError::ConversationNotFound)?;
    state
        .stores
        .conversations
        .earlier_of_visitor(viewer, &conversation, 10)
        .await
        .map_err(crate::chat::ssr::store_error)
}

#[server(endpoint = "older_messages")]
pub async fn older_messages(
    conversation_id: String,
    before_seq: i64,
) -> Result<Vec<Message>, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    let conversation = ssr::find(&state, &agent, &conversation_id).await?;
    let access = crate::model::InboxAccess::Only(vec![conversation.inbox_id]);
    state
        .stores
        .conversations
        .messages_before(
            Viewer::Agent(&agent, &access),
            &conversation_id,
            Some(before_seq),
            crate::model::PAGE_SIZE,
        )
        .await
        .map_err(crate::chat::ssr::store_error)
}

#[server(endpoint = "send_agent_message")]
pub async fn send_agent_message(
    conversation_id: String,
    body: String,
    client_id: String,
) -> Result<Message, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    let conversation = ssr::find(&state, &agent, &conversation_id).await?;
    let author = crate::store::Author {
        kind: SenderKind::Agent,
        id: Some(agent.id.clone()),
        name: agent.name.clone(),
    };
    crate::chat::ssr::post(&state, &conversation, author, &body, &client_id).await
}

#[server(endpoint = "set_status")]
pub async fn set_status(conversation_id: String, status: Status) -> Result<Conversation, AppError> {
    ssr::set_status(conversation_id, status).await
}

/// /agent: signed-in agents only; everyone else is sent to the sign-in page.
#[component]
pub fn Dashboard() -> impl IntoView {
    // The agent and their settings come with the page, so theme and time zone are right at once.
    let session = crate::codec::resource(
        || (),
        |_| async move {
            match current_agent().await? {
                Some(agent) => Ok(Some((agent, my_settings().await?))),
                None => Ok(None),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <div class="page-loading">"Loading your inbox…"</div> }>
            {move || session.get().map(|result| match result {
                Ok(Some((agent, settings))) => view! { <Workspace agent settings/> }.into_any(),
                Ok(None) | Err(AppError::SignInRequired) => view! { <Redirect path="/agent/login"/> }.into_any(),
                Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

pub use crate::auth::Me;

/// The active teammates, loaded once per dashboard: the assignment menu and avatar colours.
#[derive(Clone, Copy)]
pub struct Teammates(pub crate::codec::Resource<Result<Vec<TeamMember>, AppError>>);

#[component]
fn Workspace(agent: Agent, settings: AgentSettings) -> impl IntoView {
    let live = crate::live::client::use_live();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if matches!(sign_out.value().get(), Some(Ok(()))) || live.signed_out.get() {
            // A full load, not a route change: it closes this tab's socket, so the agent
            // goes offline at once.
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href("/agent/login");
            }
        }
    });
    provide_context(Me(agent.clone()));
    let mine = OwnSettings::provide(settings);
    let team = crate::codec::resource(|| (), |_| teammates());
    provide_context(Teammates(team));
    provide_context(AvatarColors(Signal::derive(move || {
        let members = team.get().and_then(Result::ok).unwrap_or_default();
        members
            .into_iter()
            .map(|member| (member.agent.id, member.avatar_color))
            .collect()
    })));
    alerts::provide(live, mine);
    keys::install();
    live.watch_input();
    // Every dashboard page keeps the socket: presence and sign-outs reach it anywhere.
    Effect::new(move |_| live.start());
    // On a phone one pane shows at a time: the list, or the open conversation.
    let location = leptos_router::hooks::use_location();
    let in_thread = move || location.pathname.get().starts_with("/agent/c/");
    view! {
        <div class="workspace" class:in-thread=in_thread>
            <AgentTheme/>
            <Rail agent sign_out mine/>
            <Outlet/>
            <keys::ShortcutHelp/>
            <alerts::MentionToast/>
        </div>
    }
}

/// The dark rail: pages, presence (online or away, by choice), the agent and sign-out.
#[component]
fn Rail(agent: Agent, sign_out: ServerAction<SignOut>, mine: OwnSettings) -> impl IntoView {
    let live = crate::live::client::use_live();
    let away = RwSignal::new(false);
    Effect::new(move |_| away.set(live.chosen_away()));
    let is_admin = agent.role == Role::Admin;
    view! {
            <nav class="rail" aria-label="Dashboard">
                <span class="brand-mark" title="Switchboard">"S"</span>
                <A href="/agent" attr:class="rail-link" attr:title="Inbox" attr:aria-label="Inbox" exact=true>
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>
                </A>
                // Every agent sees the team (read-only unless admin); only admins the rest.
                <A href="/agent/team" attr:class="rail-link" attr:title="Team" attr:aria-label="Team" attr:data-testid="nav-team">
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM1 20c0-3.3 3.6-6 8-6s8 2.7 8 6v1H1zm17 1v-1c0-1.6-.6-3-1.7-4.2 3.2.3 5.7 2 5.7 4.2v1z"/></svg>
                </A>
                <Show when=move || is_admin>
                    <A href="/agent/inboxes" attr:class="rail-link" attr:title="Inboxes: websites and their widgets" attr:aria-label="Inboxes" attr:data-testid="nav-inboxes">
                        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M3 4h18a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm1 4v10h16V8zm11 3h4v5h-4z"/></svg>
                    </A>
                    <A href="/agent/mail" attr:class="rail-link" attr:title="E-mail" attr:aria-label="E-mail" attr:data-testid="nav-mail">
                        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm1 2.4V17h16V7.4l-8 5.3z M5.2 7 12 11.5 18.8 7z"/></svg>
                    </A>
                </Show>
                <A href="/agent/replies" attr:class="rail-link" attr:title="Saved replies" attr:aria-label="Saved replies" attr:data-testid="nav-replies">
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M4 3h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H8l-5 4V4a1 1 0 0 1 1-1zm3 4v2h10V7zm0 4v2h7v-2z"/></svg>
                </A>
                <A href="/agent/labels" attr:class="rail-link" attr:title="Labels" attr:aria-label="Labels" attr:data-testid="nav-labels">
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M3 3h8.6a1 1 0 0 1 .7.3l8.4 8.4a1 1 0 0 1 0 1.4l-7.6 7.6a1 1 0 0 1-1.4 0l-8.4-8.4a1 1 0 0 1-.3-.7V4a1 1 0 0 1 1-1zm4.5 3a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>
                </A>
                <A href="/agent/settings" attr:class="rail-link" attr:title="Your settings" attr:aria-label="Your settings" attr:data-testid="nav-settings">
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 4-2.1-.7-.5-1.3 1-2-2-2-2 1-1.3-.5L13.4 2h-2.8l-.7 2.1-1.3.5-2-1-2 2 1 2-.5 1.3L3 11.4v2.8l2.1.7.5 1.3-1 2 2 2 2-1 1.3.5.7 2.1h2.8l.7-2.1 1.3-.5 2 1 2-2-1-2 .5-1.3 2.1-.7z"/></svg>
                </A>
                <span class="rail-spacer"></span>
                <button class="rail-button" data-testid="away-toggle" aria-pressed=move || away.get().to_string()
                    title=move || if away.get() { "You are away: click to be online" } else { "You are online: click to be away" }
                    on:click=move |_| { let next = !away.get_untracked(); live.choose_away(next); away.set(next); }>
                    <span class=move || if away.get() { "presence-dot presence-away" } else { "presence-dot presence-online" } aria-hidden="true"></span>
                    <span class="sr-only">{move || if away.get() { "Away" } else { "Online" }}</span>
                </button>
                <span title=agent.email.clone()><Avatar name=agent.name.clone() kind=SenderKind::Agent color=Signal::derive(move || Some(mine.0.with(|s| s.avatar_color.clone())))/></span>
                <ActionForm action=sign_out>
                    <button class="rail-button" title="Sign out" aria-label="Sign out" data-testid="sign-out">"⎋"</button>
                </ActionForm>
            </nav>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::chat::ssr::{publish, store_error};
    use crate::clock::now_ms;
    use crate::error::{AppError, AppResult};
    use crate::model::{Agent, Conversation, Status};
    use crate::state::AppState;
    use crate::store::{Assign, ChangeStatus, StoreError};

    /// The conversation as this agent may see it.
    pub async fn find(state: &AppState, agent: &Agent, id: &str) -> AppResult<Conversation> {
        let access = crate::state::access::inbox_access(state, agent).await?;
        crate::state::access::agent_conversation(state, agent, &access, id).await
    }

    pub async fn assign(conversation_id: String, assignee: String) -> AppResult<Conversation> {
        let state = crate::auth::ssr::state();
        let agent = crate::auth::ssr::require_agent().await?;
        find(&state, &agent, &conversation_id).await?;
        let assignee = match assignee.trim() {
            "" => None,
            id => Some(
                state
                    .stores
                    .accounts
                    .member(id)
                    .await
                    .map_err(crate::error::internal)?
                    .filter(|member| member.active)
                    .ok_or(AppError::AgentUnavailable)?
                    .agent,
            ),
        };
        let appended = state
            .stores
            .conversations
            .assign(Assign {
                conversation_id,
                assignee,
                actor: agent,
                only_if_unassigned: false,
                now: now_ms(),
            })
            .await
            .map_err(|error| match error {
                StoreError::Inactive => AppError::AgentUnavailable,
                other => store_error(other),
            })?;
        if !appended.events.is_empty() {
            publish(&state, &appended);
        }
        Ok(appended.conversation)
    }

    pub async fn set_status(conversation_id: String, status: Status) -> AppResult<Conversation> {
        let state = crate::auth::ssr::state();
        let agent = crate::auth::ssr::require_agent().await?;
        find(&state, &agent, &conversation_id).await?;
        if status == Status::Waiting {
            return Err(AppError::Invalid(
                "A conversation goes back to waiting only when its visitor writes.".into(),
            ));
        }
        let appended = state
            .stores
            .conversations
            .change_status(ChangeStatus {
                conversation_id,
                status,
                agent,
                now: now_ms(),
            })
            .await
            .map_err(store_error)?;
        if !appended.events.is_empty() {
            publish(&state, &appended);
        }
        Ok(appended.conversation)
    }
}
