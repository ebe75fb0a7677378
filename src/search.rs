//! Full-text search in the inbox: one box over messages, notes, visitor names, e-mails and
//! labels, with filters (status, assignee, dates; the list's inbox filter applies too), hits
//! newest first with the matched words marked. Agents find only what they may see.
use crate::avatar::Avatar;
use crate::error::AppError;
use crate::model::{SearchHit, SenderKind};
use crate::time_fmt;
use leptos::prelude::*;
use leptos_router::components::A;

/// `status` and `assignee` empty mean any; `from_ms`/`to_ms` 0 mean no bound.
#[server(endpoint = "search")]
pub async fn search(
    text: String,
    #[server(default)] inbox: String,
    #[server(default)] status: String,
    #[server(default)] assignee: String,
    #[server(default)] from_ms: i64,
    #[server(default)] to_ms: i64,
) -> Result<Vec<SearchHit>, AppError> {
    let filters = ssr::Filters {
        inbox,
        status,
        assignee,
        from_ms,
        to_ms,
    };
    ssr::search(text, filters).await
}

/// Midnight of a `yyyy-mm-dd` date on the agent's own clock (the browser's), in ms; `0` when
/// empty or unreadable.
fn local_day_start(date: &str, days_after: u32) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        let mut parts = date.split('-').filter_map(|p| p.parse::<u32>().ok());
        let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next())
        else {
            return 0;
        };
        let at = js_sys::Date::new_with_year_month_day(
            year,
            month as i32 - 1,
            (day + days_after) as i32,
        );
        at.get_time() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (date, days_after);
        0
    }
}

/// The search box and, while it holds a search, the hits in place of the list (`searching`).
#[component]
pub fn SearchBox(
    searching: RwSignal<bool>,
    inbox: Signal<String>,
    /// The signed-in agent, for "assigned to me".
    my_id: String,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let mine_only = RwSignal::new(false);
    let (from, to) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let run = ServerAction::<Search>::new();
    let my_id = StoredValue::new(my_id);
    let submit = move || {
        if text.with_untracked(|t| t.trim().is_empty()) {
            searching.set(false);
            return;
        }
        searching.set(true);
        run.dispatch(Search {
            text: text.get_untracked(),
            inbox: inbox.get_untracked(),
            status: status.get_untracked(),
            assignee: if mine_only.get_untracked() {
                my_id.get_value()
            } else {
                String::new()
            },
            from_ms: local_day_start(&from.get_untracked(), 0),
            to_ms: local_day_start(&to.get_untracked(), 1),
        });
    };
    let clear = move || {
        text.set(String::new());
        searching.set(false);
    };
    view! {
        <form class="search" role="search" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <label class="sr-only" for="search-input">"Search conversations"</label>
            <input id="search-input" type="search" data-testid="search-input" maxlength="200"
                placeholder="Search messages, names, e-mails, labels"
                prop:value=move || text.get()
                on:input=move |ev| { text.set(event_target_value(&ev)); if text.with_untracked(String::is_empty) { searching.set(false); } }
                on:keydown=move |ev| if ev.key() == "Escape" { clear(); }/>
            <Show when=move || searching.get()>
                <div class="search-filters">
                    <label>"Status"
                        <select data-testid="search-status" on:change=move |ev| { status.set(event_target_value(&ev)); submit(); }>
                            <option value="">"Any"</option>
                            <option value="waiting">"Waiting"</option>
                            <option value="active">"Active"</option>
                            <option value="resolved">"Resolved"</option>
                        </select>
                    </label>
                    <label>"From" <input type="date" data-testid="search-from" on:change=move |ev| { from.set(event_target_value(&ev)); submit(); }/></label>
                    <label>"To" <input type="date" data-testid="search-to" on:change=move |ev| { to.set(event_target_value(&ev)); submit(); }/></label>
                    <label class="toggle"><input type="checkbox" data-testid="search-mine" on:change=move |ev| { mine_only.set(event_target_checked(&ev)); submit(); }/>"Assigned to me"</label>
                </div>
            </Show>
        </form>
        <Show when=move || searching.get()>
            <div class="search-results" aria-live="polite">
                {move || match run.value().get() {
                    None => view! { <div class="list-loading">"Searching…"</div> }.into_any(),
                    Some(Err(error)) => view! { <p class="form-error" role="alert" data-testid="search-error">{error.to_string()}</p> }.into_any(),
                    Some(Ok(hits)) if hits.is_empty() => view! {
                        <div class="empty-list"><p class="empty-title">"Nothing found"</p><p>"Try other words, or fewer filters."</p></div>
                    }.into_any(),
                    Some(Ok(hits)) => view! {
                        <p class="search-count">{format!("{} found", hits.len())}</p>
                        <ul class="conversation-list" data-testid="search-results">
                            {hits.into_iter().map(|hit| view! { <Hit hit/> }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
        </Show>
    }
}

#[component]
fn Hit(hit: SearchHit) -> impl IntoView {
    let href = format!("/agent/c/{}", hit.conversation.id);
    let who = match hit.sender {
        Some(SenderKind::Note) => "Note · ",
        Some(SenderKind::Agent) => "Reply · ",
        _ => "",
    };
    let at = hit.at;
    view! {
        <li>
            <A href=href attr:class="conversation-item" attr:data-testid="search-hit">
                <Avatar name=hit.conversation.visitor_name.clone()/>
                <div class="item-main">
                    <div class="item-top">
                        <span class="item-name">{hit.conversation.visitor_name.clone()}</span>
                        <time class="item-time">{move || time_fmt::short(at, crate::clock::now_ms())}</time>
                    </div>
                    <div class="item-bottom">
                        // The snippet's pieces are text; only the <mark> around a match is ours.
                        <span class="item-preview search-snippet">
                            {who}
                            {hit.snippet.into_iter().map(|(text, matched)| if matched {
                                view! { <mark>{text}</mark> }.into_any()
                            } else {
                                view! { <span>{text}</span> }.into_any()
                            }).collect_view()}
                        </span>
                        <span class=format!("pill pill-{}", hit.conversation.status.as_str())>{hit.conversation.status.label()}</span>
                    </div>
                </div>
            </A>
        </li>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::auth::ssr::{require_agent, state};
    use crate::error::{internal, AppError, AppResult};
    use crate::model::{
        search_terms, split_snippet, InboxAccess, SearchHit, SenderKind, Status, SEARCH_LIMIT,
    };
    use crate::store::search::SearchScope;
    use std::collections::HashMap;

    pub struct Filters {
        pub inbox: String,
        pub status: String,
        pub assignee: String,
        pub from_ms: i64,
        pub to_ms: i64,
    }

    pub async fn search(text: String, filters: Filters) -> AppResult<Vec<SearchHit>> {
        let state = state();
        let agent = require_agent().await?;
        let terms = search_terms(&text)?;
        let status = match filters.status.as_str() {
            "" => None,
            other => Some(
                Status::parse(other)
                    .ok_or_else(|| AppError::Invalid(format!("Unknown status {other:?}.")))?,
            ),
        };
        let access = crate::state::access::inbox_access(&state, &agent).await?;
        let inboxes: Option<Vec<String>> = match (filters.inbox.as_str(), &access) {
            ("", InboxAccess::All) => None,
            ("", InboxAccess::Only(ids)) => Some(ids.clone()),
            (id, access) if access.allows(id) => Some(vec![id.to_string()]),
            _ => return Ok(Vec::new()),
        };
        if inboxes.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        let scope = SearchScope {
            inboxes: inboxes.as_deref(),
            status: status.map(Status::as_str),
            assignee: Some(filters.assignee.as_str()).filter(|a| !a.is_empty()),
            from_ms: Some(filters.from_ms).filter(|ms| *ms > 0),
            to_ms: Some(filters.to_ms).filter(|ms| *ms > 0),
        };
        let store = &state.stores.search;
        let (by_visitor, messages) = tokio::try_join!(
            store.conversations(&terms, scope, SEARCH_LIMIT),
            store.messages(&terms, scope, SEARCH_LIMIT),
        )
        .map_err(internal)?;
        let mut ids: Vec<String> = by_visitor.clone();
        ids.extend(messages.iter().map(|m| m.conversation_id.clone()));
        ids.sort();
        ids.dedup();
        let conversations: HashMap<String, _> = store
            .load(&ids)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let mut hits: Vec<SearchHit> = by_visitor
            .iter()
            .filter_map(|id| conversations.get(id))
            .map(|conversation| SearchHit {
                snippet: vec![(
                    match &conversation.visitor_email {
                        Some(email) => format!("{} · {email}", conversation.visitor_name),
                        None => conversation.visitor_name.clone(),
                    },
                    false,
                )],
                seq: None,
                sender: None,
                at: conversation.last_activity_at,
                conversation: conversation.clone(),
            })
            .collect();
        hits.extend(messages.into_iter().filter_map(|found| {
            Some(SearchHit {
                conversation: conversations.get(&found.conversation_id)?.clone(),
                seq: Some(found.seq),
                sender: SenderKind::parse(&found.sender_kind),
                snippet: split_snippet(&found.snippet),
                at: found.created_at,
            })
        }));
        hits.truncate(SEARCH_LIMIT as usize);
        Ok(hits)
    }
}
