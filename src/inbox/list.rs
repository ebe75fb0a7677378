//! The inbox list: Mine / Unassigned / All with live counts, the status, inbox and label
//! filters, and each conversation's unread count for the signed-in agent.
use super::{list_conversations, Me};
use crate::chat::{Avatar, ConnectionBadge, StatusPill};
use crate::csat::RatingBadge;
use crate::labels::{LabelBook, LabelChips, LabelFilter};
use crate::live::client::{merge_fetched, use_live};
use crate::model::{Conversation, InboxFilter, InboxView};
use crate::search::SearchBox;
use crate::snooze::SnoozedTag;
use crate::time_fmt;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

/// Fetches the code of an open conversation ahead of a click: the app shell provides it, since
/// that page is a chunk of its own (src/app/pages.rs).
#[derive(Clone, Copy)]
pub struct PrefetchConversation(pub fn());

/// The list beside the open conversation (or the empty state).
#[component]
pub fn InboxLayout() -> impl IntoView {
    LabelBook::provide();
    view! {
        <InboxList/>
        <Outlet/>
    }
}

#[component]
fn InboxList() -> impl IntoView {
    let live = use_live();
    let me = StoredValue::new(expect_context::<Me>().0.id);
    let filter = RwSignal::new(InboxFilter::Open);
    let view_by = RwSignal::new(InboxView::All);
    // One website's inbox, or every inbox this agent works (empty).
    let only_inbox = RwSignal::new(String::new());
    // One label's conversations, or all (empty).
    let only_label = RwSignal::new(String::new());
    // A search in the box shows its hits in place of the list.
    let searching = RwSignal::new(false);
    let items = RwSignal::new(Vec::<Conversation>::new());
    let fetched = crate::codec::resource(
        move || {
            (
                filter.get(),
                only_inbox.get(),
                only_label.get(),
                live.inbox_resync.get(),
            )
        },
        |(f, inbox, label, _)| list_conversations(f, inbox, label),
    );
    let inboxes = crate::codec::resource(
        move || live.inbox_resync.get(),
        |_| crate::inboxes::my_inboxes(),
    );
    live.watch_inbox(items);
    // One rule for what a view shows: the list, its counts and the shortcuts' order use it.
    let shows = move |c: &Conversation, v: InboxView| {
        filter.get().matches(c)
            && only_inbox.with(|only| only.is_empty() || *only == c.inbox_id)
            && only_label.with(|only| only.is_empty() || c.labels.contains(only))
            && me.with_value(|me| v.matches(c, me))
    };
    let visible = Memo::new(move |_| {
        let v = view_by.get();
        items.with(|all| {
            all.iter()
                .filter(|c| shows(c, v))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // A full page means older ones were not loaded: the counts say "at least".
    let truncated = RwSignal::new(false);
    let count = move |v: InboxView| {
        let n = items.with(|all| all.iter().filter(|c| shows(c, v)).count());
        if truncated.get() {
            format!("{n}+")
        } else {
            n.to_string()
        }
    };
    let order = super::keys::targets().order;
    // Pointing at the list (or moving into it by keyboard) fetches an open conversation's code,
    // which is not in the first load, before the click that needs it.
    // (Pointer events include touch.)
    let prefetch = use_context::<PrefetchConversation>().map(|PrefetchConversation(f)| f);
    let prefetch = move || prefetch.inspect(|f| f());
    Effect::new(move |_| {
        order.set(visible.with(|list| list.iter().map(|c| c.id.clone()).collect()))
    });
    view! {
        <section class="inbox" aria-label="Conversations" on:pointerover=move |_| { prefetch(); } on:focusin=move |_| { prefetch(); }>
            <header class="inbox-header">
                <h1>"Inbox"</h1>
                <ConnectionBadge/>
            </header>
            <SearchBox searching inbox=only_inbox.into() my_id=me.get_value()/>
            <Show when=move || !searching.get()>
            <div class="views" role="tablist" aria-label="Whose conversations">
                {InboxView::ALL.into_iter().map(|v| {
                    view! {
                        <button role="tab" aria-selected=move || (view_by.get() == v).to_string() class:active=move || view_by.get() == v
                            on:click=move |_| view_by.set(v) data-testid=format!("view-{}", v.label().to_lowercase())>
                            {v.label()}<span class="count">{move || count(v)}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
            <Suspense fallback=|| ()>
                {move || inboxes.get().and_then(Result::ok).filter(|list| list.len() > 1).map(|list| view! {
                    <label class="inbox-filter">
                        <span class="sr-only">"Inbox"</span>
                        <select data-testid="inbox-filter" on:change=move |ev| only_inbox.set(event_target_value(&ev))>
                            <option value="" selected=move || only_inbox.with(String::is_empty)>"All inboxes"</option>
                            {list.into_iter().map(|inbox| {
                                let id = inbox.id.clone();
                                view! { <option value=inbox.id selected=move || only_inbox.with(|o| *o == id)>{inbox.name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                })}
            </Suspense>
            <LabelFilter selected=only_label/>
            <div class="filters" role="tablist" aria-label="Status">
                {InboxFilter::ALL.into_iter().map(|f| view! {
                    <button role="tab" aria-selected=move || (filter.get() == f).to_string() class:active=move || filter.get() == f
                        on:click=move |_| filter.set(f) data-testid=format!("filter-{}", f.label().to_lowercase())>
                        {f.label()}
                    </button>
                }).collect_view()}
            </div>
            <Suspense fallback=|| view! { <div class="list-loading">"Loading…"</div> }>
                {move || fetched.get().map(|result| match result {
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    Ok(initial) => {
                        live.set_unread(initial.iter().map(|item| (item.conversation.id.clone(), item.unread)));
                        truncated.set(initial.len() >= super::LIST_LIMIT as usize);
                        // Live changes that raced this fetch are kept (the list is filtered on display).
                        merge_fetched(items, initial.into_iter().map(|item| item.conversation).collect());
                        view! {
                            <ul class="conversation-list" data-testid="conversation-list">
                                <For each=move || visible.get() key=|c| (c.id.clone(), c.last_seq, c.status, c.assignee_id.clone(), c.labels.clone(), c.snoozed_until) let:conversation>
                                    <ConversationItem conversation/>
                                </For>
                            </ul>
                            <Show when=move || visible.with(Vec::is_empty)>
                                <div class="empty-list">
                                    <p class="empty-title">"All caught up"</p>
                                    <p>"New conversations appear here as visitors write."</p>
                                </div>
                            </Show>
                        }.into_any()
                    }
                })}
            </Suspense>
            </Show>
        </section>
    }
}

#[component]
fn ConversationItem(conversation: Conversation) -> impl IntoView {
    let live = use_live();
    let href = format!("/agent/c/{}", conversation.id);
    let status = conversation.status;
    let at = conversation.last_activity_at;
    let id = conversation.id.clone();
    let unread = Signal::derive(move || live.unread.with(|u| u.get(&id).copied().unwrap_or(0)));
    let assignee = conversation
        .assignee_name
        .clone()
        .unwrap_or_else(|| "Unassigned".into());
    view! {
        <li>
            <A href=href attr:class="conversation-item" attr:data-testid="conversation-item">
                <Avatar name=conversation.visitor_name.clone()/>
                <div class="item-main">
                    <div class="item-top">
                        <span class="item-name" class:unread=move || { unread.get() > 0 }>{conversation.visitor_name.clone()}</span>
                        <time class="item-time">{move || time_fmt::short(at, crate::clock::now_ms())}</time>
                    </div>
                    <div class="item-bottom">
                        <span class="item-preview">{conversation.last_preview.clone()}</span>
                        <Show when=move || { unread.get() > 0 }>
                            <span class="unread-badge" data-testid="unread-badge" aria-label=move || format!("{} unread", unread.get())>{unread}</span>
                        </Show>
                        <StatusPill status=Signal::stored(status)/>
                    </div>
                    <div class="item-assignee">
                        {assignee}
                        {conversation.started_offline.then(|| view! { " · " <span class="offline-tag" title="Started while nobody was online">"Offline"</span> })}
                        {conversation.rating.clone().map(|rating| view! { " · " <RatingBadge rating/> })}
                        <SnoozedTag until=conversation.snoozed_until/>
                    </div>
                    <LabelChips ids=conversation.labels.clone()/>
                </div>
            </A>
        </li>
    }
}
