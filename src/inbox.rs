//! The agent's side: the shared inbox, an open conversation, replies and status controls.
//! Every server function here starts with the signed-in agent check.
use crate::auth::{current_agent, SignOut};
use crate::chat::{Avatar, Composer, ConnectionBadge, MessageList, StatusPill};
use crate::error::AppError;
use crate::live::client::{merge_fetched, use_live, ConversationFeed};
#[cfg(feature = "ssr")]
use crate::model::DEFAULT_INBOX;
use crate::model::{Agent, Conversation, InboxFilter, Message, SenderKind, Status};
use crate::outbox::{resend_when_online, Outbox};
#[cfg(feature = "ssr")]
use crate::store::Viewer;
use crate::time_fmt;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
const LIST_LIMIT: u32 = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

#[server(endpoint = "list_conversations")]
pub async fn list_conversations(filter: InboxFilter) -> Result<Vec<Conversation>, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    state
        .stores
        .conversations
        .list(Viewer::Agent(&agent), DEFAULT_INBOX, filter, LIST_LIMIT)
        .await
        .map_err(crate::error::internal)
}

#[server(endpoint = "open_conversation")]
pub async fn open_conversation(id: String) -> Result<ConversationDetail, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    let conversation = ssr::find(&state, &agent, &id).await?;
    let messages = state
        .stores
        .conversations
        .messages_before(Viewer::Agent(&agent), &id, None, crate::model::PAGE_SIZE)
        .await
        .map_err(crate::chat::ssr::store_error)?;
    Ok(ConversationDetail {
        conversation,
        messages,
    })
}

#[server(endpoint = "older_messages")]
pub async fn older_messages(
    conversation_id: String,
    before_seq: i64,
) -> Result<Vec<Message>, AppError> {
    let state = crate::auth::ssr::state();
    let agent = crate::auth::ssr::require_agent().await?;
    ssr::find(&state, &agent, &conversation_id).await?;
    state
        .stores
        .conversations
        .messages_before(
            Viewer::Agent(&agent),
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
    let agent = Resource::new(|| (), |_| current_agent());
    view! {
        <Suspense fallback=|| view! { <div class="page-loading">"Loading your inbox…"</div> }>
            {move || agent.get().map(|result| match result {
                Ok(Some(agent)) => view! { <Workspace agent/> }.into_any(),
                Ok(None) | Err(AppError::SignInRequired) => view! { <Redirect path="/agent/login"/> }.into_any(),
                Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Workspace(agent: Agent) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            navigate("/agent/login", Default::default());
        }
    });
    view! {
        <div class="workspace">
            <nav class="rail">
                <span class="brand-mark" title="Switchboard">"S"</span>
                <span class="rail-spacer"></span>
                <span title=agent.email.clone()><Avatar name=agent.name.clone() kind=SenderKind::Agent/></span>
                <ActionForm action=sign_out>
                    <button class="rail-button" title="Sign out" data-testid="sign-out">"⎋"</button>
                </ActionForm>
            </nav>
            <InboxList/>
            <Outlet/>
        </div>
    }
}

#[component]
fn InboxList() -> impl IntoView {
    let live = use_live();
    let filter = RwSignal::new(InboxFilter::Open);
    let items = RwSignal::new(Vec::<Conversation>::new());
    let fetched = Resource::new(
        move || (filter.get(), live.inbox_resync.get()),
        |(f, _)| list_conversations(f),
    );
    live.watch_inbox(items);
    let visible = move || {
        let f = filter.get();
        items.with(|all| {
            all.iter()
                .filter(|c| f.matches(c.status))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="inbox">
            <header class="inbox-header">
                <h1>"Inbox"</h1>
                <ConnectionBadge/>
            </header>
            <div class="filters" role="tablist">
                {InboxFilter::ALL.into_iter().map(|f| view! {
                    <button role="tab" class:active=move || filter.get() == f
                        on:click=move |_| filter.set(f) data-testid=format!("filter-{}", f.label().to_lowercase())>
                        {f.label()}
                    </button>
                }).collect_view()}
            </div>
            <Suspense fallback=|| view! { <div class="list-loading">"Loading…"</div> }>
                {move || fetched.get().map(|result| match result {
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    Ok(initial) => {
                        // Live changes that raced this fetch are kept (the list is filtered on display).
                        merge_fetched(items, initial);
                        view! {
                            <ul class="conversation-list" data-testid="conversation-list">
                                <For each=visible key=|c| (c.id.clone(), c.last_seq, c.status) let:conversation>
                                    <ConversationItem conversation/>
                                </For>
                            </ul>
                            <Show when=move || visible().is_empty()>
                                <div class="empty-list">
                                    <p class="empty-title">"All caught up"</p>
                                    <p>"New conversations appear here as visitors write."</p>
                                </div>
                            </Show>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ConversationItem(conversation: Conversation) -> impl IntoView {
    let href = format!("/agent/c/{}", conversation.id);
    let status = conversation.status;
    let at = conversation.last_activity_at;
    view! {
        <li>
            <A href=href attr:class="conversation-item" attr:data-testid="conversation-item">
                <Avatar name=conversation.visitor_name.clone()/>
                <div class="item-main">
                    <div class="item-top">
                        <span class="item-name">{conversation.visitor_name.clone()}</span>
                        <time class="item-time">{move || time_fmt::short(at, crate::clock::now_ms())}</time>
                    </div>
                    <div class="item-bottom">
                        <span class="item-preview">{conversation.last_preview.clone()}</span>
                        <StatusPill status=Signal::stored(status)/>
                    </div>
                </div>
            </A>
        </li>
    }
}

#[component]
pub fn NoConversation() -> impl IntoView {
    view! {
        <section class="thread thread-empty">
            <div class="empty-state">
                <div class="empty-icon"><svg viewBox="0 0 24 24" width="44" height="44" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm2 4v2h12V8zm0 4v2h8v-2z"/></svg></div>
                <p class="empty-title">"Pick a conversation"</p>
                <p>"Choose one from the inbox to read it and reply."</p>
            </div>
        </section>
    }
}

/// /agent/c/:id
#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, open_conversation);
    view! {
        <Suspense fallback=|| view! { <section class="thread"><div class="page-loading">"Loading…"</div></section> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) => view! { <Thread detail/> }.into_any(),
                Err(error) => view! {
                    <section class="thread thread-empty"><div class="empty-state">
                        <p class="empty-title">"Can't open this conversation"</p>
                        <p class="form-error" role="alert">{error.to_string()}</p>
                    </div></section>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Thread(detail: ConversationDetail) -> impl IntoView {
    let live = use_live();
    let conversation_id = detail.conversation.id.clone();
    let feed: ConversationFeed = live.follow(detail.conversation, detail.messages);
    let outbox = Outbox::new(feed, |conversation_id, body, client_id| {
        Box::pin(send_agent_message(conversation_id, body, client_id))
    });
    resend_when_online(live, outbox);
    let older = ServerAction::<OlderMessages>::new();
    let change = ServerAction::<SetStatus>::new();
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(messages)) = older.value().get() {
            feed.merge(messages);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(conversation)) = change.value().get() {
            feed.update_conversation(conversation);
        }
    });
    let error = Signal::derive(move || match change.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    let status = Signal::derive(move || feed.conversation.with(|c| c.status));
    let c = move || feed.conversation.get();
    let (id_older, id_change) = (conversation_id.clone(), conversation_id);
    view! {
        <section class="thread">
            <header class="thread-header">
                <Avatar name=c().visitor_name/>
                <div class="thread-title">
                    <h2 data-testid="thread-title">{move || c().visitor_name}</h2>
                    <span class="thread-sub">
                        {move || c().assignee_name.map(|a| format!("Assigned to {a}")).unwrap_or_else(|| "Unassigned".into())}
                    </span>
                </div>
                <StatusPill status/>
                {move || {
                    let id = id_change.clone();
                    let (label, target) = if status.get() == Status::Resolved { ("Reopen", Status::Active) } else { ("Resolve", Status::Resolved) };
                    view! {
                        <button class="secondary" data-testid="toggle-status" disabled=move || change.pending().get()
                            on:click=move |_| { change.dispatch(SetStatus { conversation_id: id.clone(), status: target }); }>
                            {label}
                        </button>
                    }
                }}
            </header>
            <MessageList feed outbox viewer=SenderKind::Agent
                on_load_older=Callback::new(move |before_seq| { older.dispatch(OlderMessages { conversation_id: id_older.clone(), before_seq }); })
                loading_older=older.pending()/>
            <Composer draft error placeholder="Reply to the visitor… (Enter to send, Shift+Enter for a new line)"
                on_send=Callback::new(move |body| { draft.set(String::new()); outbox.send(body); })
                on_typing=Callback::new(move |_| live.typing(feed.conversation.with_untracked(|c| c.id.clone())))/>
        </section>
        <VisitorContext feed/>
    }
}

#[component]
fn VisitorContext(feed: ConversationFeed) -> impl IntoView {
    let c = move || feed.conversation.get();
    let row = |label: &'static str, value: Option<String>| {
        value.map(|value| view! { <div class="context-row"><dt>{label}</dt><dd>{value}</dd></div> })
    };
    view! {
        <aside class="context">
            <div class="context-card">
                <Avatar name=c().visitor_name/>
                <h3>{move || c().visitor_name}</h3>
                <p class="context-email">{move || c().visitor_email.unwrap_or_else(|| "No e-mail given".into())}</p>
            </div>
            <dl class="context-list">
                {move || row("Page", c().visitor_page)}
                {move || row("Browser", c().visitor_agent.map(|ua| crate::model::browser_name(&ua)))}
                <div class="context-row">
                    <dt>"Started"</dt>
                    <dd><time>{move || format!("{} {}", time_fmt::day_label(c().created_at, crate::clock::now_ms()), time_fmt::clock(c().created_at))}</time></dd>
                </div>
                {move || row("Messages", Some(c().last_seq.to_string()))}
            </dl>
        </aside>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::chat::ssr::{publish, store_error};
    use crate::clock::now_ms;
    use crate::error::{AppError, AppResult};
    use crate::model::{Agent, Conversation, Status};
    use crate::state::AppState;
    use crate::store::{ChangeStatus, Viewer};

    /// The conversation as this agent may see it.
    pub async fn find(state: &AppState, agent: &Agent, id: &str) -> AppResult<Conversation> {
        state
            .stores
            .conversations
            .get(Viewer::Agent(agent), id)
            .await
            .map_err(store_error)?
            .ok_or(AppError::ConversationNotFound)
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
