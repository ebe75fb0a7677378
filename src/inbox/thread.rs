//! An open conversation: its thread, the composer, status and assignment controls, and the
//! visitor's details beside it.
use super::{
    open_conversation, send_agent_message, AssignConversation, ConversationDetail, Me,
    OlderMessages, SetStatus,
};
use crate::attachments::{UploadTray, Uploads};
use crate::canned::ReplyPicker;
use crate::chat::{Avatar, Composer, MessageList, StatusPill};
use crate::csat::RatingBadge;
use crate::labels::ConversationLabels;
use crate::live::client::{use_live, ConversationFeed};
use crate::model::ReplyFacts;
use crate::model::{Conversation, SenderKind, Status};
use crate::notes::{add_note, ComposeMode};
use crate::outbox::{resend_when_online, Outbox};
use crate::snooze::SnoozeMenu;
use crate::team::PresenceDot;
use crate::time_fmt;
use crate::transcripts::TranscriptMenu;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

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
    let detail = crate::codec::resource(id, open_conversation);
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
    let outbox = Outbox::new(feed, |conversation_id, item| {
        if item.note {
            Box::pin(add_note(conversation_id, item.body, item.client_id))
        } else {
            Box::pin(send_agent_message(
                conversation_id,
                item.body,
                item.client_id,
            ))
        }
    });
    resend_when_online(live, outbox);
    let older = ServerAction::<OlderMessages>::new();
    let change = ServerAction::<SetStatus>::new();
    let assign = ServerAction::<AssignConversation>::new();
    // Seen while it is open: its unread count goes away (the receipt records it on the server).
    let read_id = conversation_id.clone();
    Effect::new(move |_| {
        feed.messages.track();
        if live.visible.get() {
            live.mark_read(&read_id);
        }
    });
    // Reply or internal note: what the composer writes next.
    let note = RwSignal::new(false);
    let actions = ThreadActions {
        change,
        assign,
        feed,
        note,
    };
    provide_context(actions);
    let shortcuts = super::keys::targets().thread;
    shortcuts.set(Some(actions));
    on_cleanup(move || shortcuts.set(None));
    let draft = RwSignal::new(String::new());
    let uploads = Uploads::new(feed, note.into());
    // Saved replies: `/` in the composer; their placeholders are this conversation's.
    let picker_keys = StoredValue::new(None);
    let me = expect_context::<super::Me>().0.name;
    let reply_facts = Signal::derive(move || {
        feed.conversation.with(|c| ReplyFacts {
            visitor_name: c.visitor_name.clone(),
            visitor_email: c.visitor_email.clone().unwrap_or_default(),
            agent_name: me.clone(),
        })
    });
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
    Effect::new(move |_| {
        if let Some(Ok(conversation)) = assign.value().get() {
            feed.update_conversation(conversation);
        }
    });
    let error = Signal::derive(move || match (change.value().get(), assign.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e.to_string()),
        _ => None,
    });
    let status = Signal::derive(move || feed.conversation.with(|c| c.status));
    let c = move || feed.conversation.get();
    let id_older = conversation_id.clone();
    let actions_open = RwSignal::new(false);
    view! {
        <section class="thread">
            <header class="thread-header">
                <a href="/agent" class="back-link" aria-label="Back to the inbox">"←"</a>
                <Avatar name=c().visitor_name/>
                <div class="thread-title">
                    <h2 data-testid="thread-title">{move || c().visitor_name}</h2>
                    <span class="thread-sub" data-testid="assignee">
                        {move || c().assignee_name.map(|a| format!("Assigned to {a}")).unwrap_or_else(|| "Unassigned".into())}
                        {move || c().assignee_id.map(|id| view! { <PresenceDot presence=crate::team::presence_of(&id)/> })}
                    </span>
                </div>
                // On a phone the actions fold into this menu; wider, they sit in the header.
                <button type="button" class="thread-more" data-testid="thread-more" aria-controls="thread-actions"
                    aria-expanded=move || actions_open.get().to_string() aria-label="Conversation actions"
                    on:click=move |_| actions_open.update(|open| *open = !*open)>
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M5 10a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm7 0a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm7 0a2 2 0 1 1 0 4 2 2 0 0 1 0-4z"/></svg>
                </button>
                <div id="thread-actions" class="thread-actions" class:open=move || actions_open.get()>
                    <AssignMenu/>
                    <SnoozeMenu conversation_id=conversation_id.clone() conversation=Signal::derive(move || feed.conversation.get())
                        on_changed=Callback::new(move |conversation| feed.update_conversation(conversation))/>
                    <TranscriptMenu conversation_id=conversation_id.clone()/>
                    {move || c().rating.map(|rating| view! { <RatingBadge rating/> })}
                    <StatusPill status/>
                    // aria-disabled, not disabled: a disabled button drops the keyboard focus.
                    <button class="secondary" data-testid="toggle-status" aria-disabled=move || change.pending().get().to_string()
                        on:click=move |_| actions.toggle_status()>
                        {move || if status.get() == Status::Resolved { "Reopen" } else { "Resolve" }}
                    </button>
                </div>
            </header>
            <MessageList feed outbox viewer=SenderKind::Agent
                on_load_older=Callback::new(move |before_seq| { older.dispatch(OlderMessages { conversation_id: id_older.clone(), before_seq }); })
                loading_older=older.pending()/>
            <div class="compose" class:as-note=move || note.get()>
                <ReplyPicker draft facts=reply_facts keys=picker_keys/>
                <ComposeMode note/>
                <UploadTray uploads lang="en"/>
                <Composer draft error
                    on_files=Callback::new(move |picked| uploads.send(picked))
                    on_key=Callback::new(move |ev| picker_keys.with_value(|keys| keys.is_some_and(|keys| keys.run(ev))))
                    placeholder=Signal::derive(move || if note.get() {
                        "Write a note for your team… (the visitor never sees it)"
                    } else {
                        "Reply to the visitor… (Enter to send, Shift+Enter for a new line)"
                    }.to_string())
                    on_send=Callback::new(move |body| { draft.set(String::new()); outbox.send(body, note.get_untracked()); })
                    // Writing a note is not typing to the visitor.
                    on_typing=Callback::new(move |_| if !note.get_untracked() { live.typing(feed.conversation.with_untracked(|c| c.id.clone())) })/>
            </div>
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
            <ConversationLabels conversation_id=feed.conversation.with_untracked(|c| c.id.clone())
                labels=Signal::derive(move || feed.conversation.with(|c| c.labels.clone()))
                on_changed=Callback::new(move |conversation| feed.update_conversation(conversation))/>
            <dl class="context-list">
                {move || c().visitor_page.map(|url| view! {
                    <div class="context-row" data-testid="visitor-page">
                        <dt>"Page"</dt>
                        <dd><PageLink url title=c().visitor_page_title/></dd>
                    </div>
                })}
                {move || row("Browser", c().visitor_agent.map(|ua| crate::model::browser_name(&ua)))}
                {move || row("Device", c().visitor_agent.map(|ua| crate::model::device_kind(&ua).to_string()))}
                {move || c().visitor_facts.referrer.map(|url| view! {
                    <div class="context-row" data-testid="visitor-referrer">
                        <dt>"Came from"</dt>
                        <dd><PageLink url title=None/></dd>
                    </div>
                })}
                {move || row("Language", c().visitor_facts.language)}
                {move || c().visitor_facts.time_zone.map(|zone| view! {
                    <div class="context-row" data-testid="visitor-zone">
                        <dt>"Local time"</dt>
                        <dd><LocalClock zone/></dd>
                    </div>
                })}
                {move || row("Visits", Some(c().visitor_facts.visits.max(1).to_string()))}
                {move || row("Last seen", Some(seen(c().visitor_facts.last_seen_at)))}
                {move || c().out_of_hours.then(|| view! {
                    <div class="context-row"><dt>"Arrived"</dt><dd>"Out of business hours"</dd></div>
                })}
                // What the host site's code said (`Switchboard.setContext`): text, never markup.
                {move || c().visitor_context.into_iter().map(|(key, value)| view! {
                    <div class="context-row" data-testid="visitor-context"><dt>{key}</dt><dd>{value}</dd></div>
                }).collect_view()}
                <div class="context-row">
                    <dt>"Started"</dt>
                    <dd><time>{move || format!("{} {}", time_fmt::day_label(c().created_at, crate::clock::now_ms()), time_fmt::clock(c().created_at))}</time></dd>
                </div>
                {move || row("Messages", Some(message_count(feed)))}
            </dl>
            <EarlierConversations feed/>
        </aside>
    }
}

/// The visitor's page, by its title when known. A link only for a web address: the address
/// comes from the visitor, and `javascript:` must never become a link.
#[component]
fn PageLink(url: String, title: Option<String>) -> impl IntoView {
    let text = title.unwrap_or_else(|| url.clone());
    if url.starts_with("https://") || url.starts_with("http://") {
        view! { <a href=url.clone() title=url target="_blank" rel="noopener noreferrer nofollow">{text}</a> }.into_any()
    } else {
        view! { <span>{text}</span> }.into_any()
    }
}

fn seen(ms: i64) -> String {
    format!(
        "{} {}",
        time_fmt::day_label(ms, crate::clock::now_ms()),
        time_fmt::clock(ms)
    )
}

/// The visitor's other conversations, known by their e-mail; fetched after hydration.
#[component]
fn EarlierConversations(feed: ConversationFeed) -> impl IntoView {
    let earlier = RwSignal::new(Vec::<Conversation>::new());
    // Fetched again when the conversation or the visitor's e-mail changes, not per message.
    let visitor = Memo::new(move |_| {
        feed.conversation
            .with(|c| (c.id.clone(), c.visitor_email.clone()))
    });
    Effect::new(move |_| {
        let (id, email) = visitor.get();
        if email.is_none() {
            earlier.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(found) = super::earlier_conversations(id).await {
                earlier.set(found);
            }
        });
    });
    view! {
        <Show when=move || earlier.with(|e| !e.is_empty())>
            <section class="context-earlier" aria-labelledby="earlier-title" data-testid="earlier-conversations">
                <h4 id="earlier-title">"Earlier conversations"</h4>
                <ul>
                    {move || earlier.get().into_iter().map(|c| view! {
                        <li>
                            <a href=format!("/agent/c/{}", c.id)>{c.last_preview.clone()}</a>
                            <span class="earlier-meta">{time_fmt::short(c.last_activity_at, crate::clock::now_ms())} " · " {c.status.label()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// "14:05 (Europe/Madrid)": the time now where the visitor is, filled in by the browser.
#[component]
fn LocalClock(zone: String) -> impl IntoView {
    let now_there = RwSignal::new(String::new());
    let zone_for_clock = zone.clone();
    Effect::new(move |_| now_there.set(local_clock(&zone_for_clock)));
    view! { <span>{move || now_there.get()}</span> " (" {zone} ")" }
}

fn local_clock(zone: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let options = js_sys::Object::new();
        for (key, value) in [
            ("timeZone", zone),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        let now = js_sys::Date::new_0();
        String::from(now.to_locale_time_string_with_options("en-GB", &options))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = zone;
        String::new()
    }
}

/// Messages written by people (notices are not counted); "50+" while older pages are unloaded.
fn message_count(feed: ConversationFeed) -> String {
    feed.messages.with(|messages| {
        let count = messages
            .iter()
            .filter(|m| m.sender != SenderKind::System)
            .count();
        match messages.first() {
            Some(first) if first.seq > 1 => format!("{count}+"),
            _ => count.to_string(),
        }
    })
}

/// What the open conversation's controls act on; the shortcuts use it too.
#[derive(Clone, Copy)]
pub struct ThreadActions {
    pub change: ServerAction<SetStatus>,
    pub assign: ServerAction<AssignConversation>,
    pub feed: ConversationFeed,
    /// The composer writes an internal note rather than a reply (the `n`/`c` shortcuts set
    /// it, in the browser).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub note: RwSignal<bool>,
}

impl ThreadActions {
    pub fn assign_to(&self, assignee: String) {
        let conversation_id = self.feed.conversation.with_untracked(|c| c.id.clone());
        self.assign.dispatch(AssignConversation {
            conversation_id,
            assignee,
        });
    }

    pub fn toggle_status(&self) {
        // One change at a time (the button stays focusable while one is on its way).
        if self.change.pending().get_untracked() {
            return;
        }
        let (conversation_id, status) = self
            .feed
            .conversation
            .with_untracked(|c| (c.id.clone(), c.status));
        let status = if status == Status::Resolved {
            Status::Active
        } else {
            Status::Resolved
        };
        self.change.dispatch(SetStatus {
            conversation_id,
            status,
        });
    }
}

/// Assign to me, to a teammate (with their presence), or back to the queue.
#[component]
fn AssignMenu() -> impl IntoView {
    let actions = expect_context::<ThreadActions>();
    let me = expect_context::<Me>().0;
    let team = expect_context::<super::Teammates>().0;
    let current = move || actions.feed.conversation.with(|c| c.assignee_id.clone());
    let my_id = me.id.clone();
    view! {
        <div class="assign">
            <Show when={let my_id = my_id.clone(); move || current().as_deref() != Some(my_id.as_str())}>
                <button class="secondary" data-testid="assign-me" disabled=move || actions.assign.pending().get()
                    on:click={let id = me.id.clone(); move |_| actions.assign_to(id.clone())}>"Assign to me"</button>
            </Show>
            <label class="sr-only" for="assign-select">"Assignee"</label>
            <select id="assign-select" data-testid="assign-select" disabled=move || actions.assign.pending().get()
                on:change=move |ev| actions.assign_to(event_target_value(&ev))>
                <option value="" selected=move || current().is_none()>"Unassigned"</option>
                <Suspense fallback=|| ()>
                    {move || team.get().and_then(Result::ok).map(|members| members.into_iter().map(|member| {
                        let id = member.agent.id.clone();
                        let selected = { let id = id.clone(); move || current().as_deref() == Some(id.as_str()) };
                        let presence = crate::team::presence_of(&id);
                        let name = member.agent.name.clone();
                        view! { <option value=id selected=selected>{move || format!("{name} ({})", presence.get().label().to_lowercase())}</option> }
                    }).collect_view())}
                </Suspense>
            </select>
        </div>
    }
}
