//! What the widget and the dashboard share: posting a message, and showing a conversation.
pub use crate::attachments::Picked;
pub use crate::avatar::{Avatar, AvatarColors};
use crate::live::client::ConversationFeed;
use crate::model::Pending;
use crate::model::{validate_body_within, Attachment, Message, SenderKind, Status, Tick};
use crate::outbox::Outbox;
use crate::time_fmt;
use leptos::prelude::*;
use rust_i18n::t;

/// The language the shared chat parts speak (`src/locales`): the widget provides the
/// visitor's; the dashboard speaks English.
#[derive(Clone, Copy, Debug)]
pub struct UiLanguage(pub &'static str);

pub fn ui_language() -> &'static str {
    use_context::<UiLanguage>().map_or("en", |language| language.0)
}

#[component]
pub fn StatusPill(status: Signal<Status>) -> impl IntoView {
    view! {
        <span class=move || format!("pill pill-{}", status.get().as_str())>{move || status.get().label()}</span>
    }
}

/// The shared socket's state. `quiet_when_online`: show it only when it is not working.
#[component]
pub fn ConnectionBadge(#[prop(optional)] quiet_when_online: bool) -> impl IntoView {
    let live = crate::live::client::use_live();
    let hidden = move || {
        quiet_when_online && live.state.get() == crate::live::client::ConnectionState::Online
    };
    view! {
        <span class=move || live.state.get().css() class:conn-quiet=hidden data-testid="connection" role="status">
            <span class="conn-dot"></span>
            {move || live.state.get().label()}
        </span>
    }
}

#[derive(Clone, PartialEq)]
enum Row {
    Day(String),
    Event(Box<Message>),
}

impl Row {
    fn key(&self) -> String {
        match self {
            Row::Day(label) => format!("day-{label}"),
            Row::Event(message) => format!("m-{}", message.seq),
        }
    }
}

/// The conversation's events, grouped by day, newest at the bottom, scrolled to the newest.
#[component]
pub fn MessageList(
    feed: ConversationFeed,
    outbox: Outbox,
    /// Whose bubbles sit on the right.
    viewer: SenderKind,
    /// Asks for the page before this sequence number.
    on_load_older: Callback<i64>,
    #[prop(into)] loading_older: Signal<bool>,
) -> impl IntoView {
    let rows = Memo::new(move |_| {
        let now = crate::clock::now_ms();
        let mut rows = Vec::new();
        let mut last_day = None;
        feed.messages.with(|messages| {
            for message in messages {
                let day = time_fmt::day_key(message.created_at);
                if last_day != Some(day) {
                    last_day = Some(day);
                    rows.push(Row::Day(time_fmt::day_label(message.created_at, now)));
                }
                rows.push(Row::Event(Box::new(message.clone())));
            }
        });
        rows
    });
    let first_seq = move || {
        feed.messages
            .with(|m| m.first().map(|m| m.seq).unwrap_or(1))
    };
    let scroller = NodeRef::<leptos::html::Div>::new();
    // How far above the bottom the reader has scrolled, as of their last scroll.
    let from_bottom = StoredValue::new(0);
    let on_scroll = move |_| {
        if let Some(element) = scroller.get_untracked() {
            from_bottom.set_value(
                element.scroll_height() - element.scroll_top() - element.client_height(),
            );
        }
    };
    // Follows the newest message and the typing notice while the reader is at the bottom (or
    // just sent something); loading older messages keeps the reader's place. Runs after the
    // browser laid the new rows out, so the scroll height is final.
    Effect::new(move |previous: Option<(i64, i64, usize, bool)>| {
        let now = (
            first_seq(),
            feed.messages.with(|m| m.last().map(|m| m.seq).unwrap_or(0)),
            feed.pending.with(Vec::len),
            feed.typing.with(Option::is_some),
        );
        let older_loaded = previous.is_some_and(|before| now.0 < before.0);
        let sent = previous.is_some_and(|before| now.2 > before.2);
        let follow = previous.is_none() || sent || from_bottom.get_value() < 80;
        if previous != Some(now) {
            request_animation_frame(move || {
                let Some(element) = scroller.get_untracked() else {
                    return;
                };
                let bottom = element.scroll_height() - element.client_height();
                if older_loaded {
                    element.set_scroll_top(bottom - from_bottom.get_value());
                } else if follow {
                    element.set_scroll_top(bottom);
                    from_bottom.set_value(0);
                }
            });
        }
        now
    });
    let lang = ui_language();
    view! {
        // A scrolling region the keyboard can reach (and scroll), read out as a chat log.
        <div class="messages" node_ref=scroller data-testid="messages" on:scroll=on_scroll
            tabindex="0" role="log" aria-label=t!("chat.conversation", locale = lang)>
            <Show when=move || { first_seq() > 1 }>
                <button class="load-older" on:click=move |_| on_load_older.run(first_seq())
                    disabled=move || loading_older.get()>
                    {move || if loading_older.get() { t!("chat.loading", locale = lang) } else { t!("chat.load_earlier", locale = lang) }}
                </button>
            </Show>
            <Show when=move || feed.messages.with(Vec::is_empty)>
                <div class="empty-thread">{t!("chat.no_messages", locale = lang)}</div>
            </Show>
            <For each=move || rows.get() key=Row::key let:row>
                {match row {
                    Row::Day(label) => view! { <div class="day-separator"><time>{label}</time></div> }.into_any(),
                    Row::Event(message) => view! { <Bubble message=*message viewer feed/> }.into_any(),
                }}
            </For>
            <For each=move || feed.pending.get() key=|p| (p.client_id.clone(), p.failed.clone()) let:pending>
                <PendingBubble pending outbox/>
            </For>
            <TypingNotice feed/>
        </div>
    }
}

/// "Ana is typing…" while the other side types; it fades a few seconds after the last notice.
#[component]
fn TypingNotice(feed: ConversationFeed) -> impl IntoView {
    // Re-checks the deadline once it has passed, unless a newer notice moved it.
    Effect::new(move |_| {
        if let Some((_, until)) = feed.typing.get() {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let wait = (until - js_sys::Date::now()).max(0.0) as u32;
                gloo_timers::future::TimeoutFuture::new(wait + 50).await;
                let expired = feed
                    .typing
                    .try_with_untracked(|t| {
                        t.as_ref().is_some_and(|(_, u)| *u <= js_sys::Date::now())
                    })
                    .unwrap_or(false);
                if expired {
                    feed.typing.set(None);
                }
            });
            let _ = until;
        }
    });
    view! {
        {move || feed.typing.get().map(|(name, _)| view! {
            <div class="typing" data-testid="typing" aria-live="polite">
                <span class="typing-dots"><i></i><i></i><i></i></span>
                {t!("chat.typing", name = name, locale = ui_language())}
            </div>
        })}
    }
}

#[component]
fn TickMark(#[prop(into)] tick: Signal<Tick>) -> impl IntoView {
    let glyph = move || match tick.get() {
        Tick::Sending => "◷",
        Tick::Failed => "!",
        Tick::Sent => "✓",
        Tick::Delivered | Tick::Read => "✓✓",
    };
    let lang = ui_language();
    let label = move || match tick.get() {
        Tick::Sending => t!("chat.sending", locale = lang),
        Tick::Failed => t!("chat.not_sent", locale = lang),
        Tick::Sent => t!("chat.sent", locale = lang),
        Tick::Delivered => t!("chat.delivered", locale = lang),
        Tick::Read => t!("chat.read", locale = lang),
    };
    view! {
        <span class=move || format!("tick tick-{}", tick.get().as_str()) title=label aria-label=label
            data-testid="tick" data-state=move || tick.get().as_str()>{glyph}</span>
    }
}

/// A message of mine the store has not confirmed: sending, or refused with a reason.
#[component]
fn PendingBubble(pending: Pending, outbox: Outbox) -> impl IntoView {
    let failed = pending.failed.clone();
    let tick = if failed.is_some() {
        Tick::Failed
    } else {
        Tick::Sending
    };
    let (retry_id, discard_id) = (pending.client_id.clone(), pending.client_id.clone());
    view! {
        <div class="bubble-row mine pending" class:failed=failed.is_some() class:note=pending.note data-testid="message" data-client-id=pending.client_id.clone()>
            <div class="bubble">
                <div class="bubble-body">{pending.body}</div>
                <div class="bubble-time"><TickMark tick/></div>
            </div>
        </div>
        {failed.map(|reason| view! {
            <div class="failed-note" role="alert" data-testid="failed-note">
                <span>{reason}</span>
                <button on:click=move |_| outbox.retry(&retry_id)>{t!("chat.retry", locale = ui_language())}</button>
                <button on:click=move |_| outbox.discard(&discard_id)>{t!("chat.delete", locale = ui_language())}</button>
            </div>
        })}
    }
}

#[component]
fn Bubble(message: Message, viewer: SenderKind, feed: ConversationFeed) -> impl IntoView {
    let at = message.created_at;
    let time = move || time_fmt::clock(at);
    if message.sender == SenderKind::System {
        return view! {
            <div class="system-line" data-seq=message.seq data-testid="system-message">
                <span>{message.body}</span><time datetime=time_fmt::iso(at)>{time}</time>
            </div>
        }
        .into_any();
    }
    if message.sender == SenderKind::Note {
        // Shown to agents only (visitors never receive one), apart from the conversation.
        return view! {
            <div class="bubble-row note" data-seq=message.seq data-testid="note">
                <div class="bubble" role="note" aria-label=format!("Internal note by {}", message.sender_name)>
                    <div class="bubble-author">"Note · "{message.sender_name.clone()}</div>
                    {body(&message, viewer)}
                    <div class="bubble-time"><time datetime=time_fmt::iso(at)>{time}</time></div>
                </div>
            </div>
        }
        .into_any();
    }
    let mine = message.sender == viewer;
    let class = if mine {
        "bubble-row mine"
    } else {
        "bubble-row theirs"
    };
    // Bodies are text nodes, never HTML: whatever a visitor types is shown, not run.
    view! {
        <div class=class data-seq=message.seq data-testid="message">
            {(!mine).then(|| view! { <Avatar name=message.sender_name.clone() kind=message.sender color=AvatarColors::of(message.sender_id.clone())/> })}
            <div class="bubble">
                {(!mine).then(|| view! { <div class="bubble-author">{message.sender_name.clone()}</div> })}
                {body(&message, viewer)}
                <div class="bubble-time">
                    <time datetime=time_fmt::iso(at)>{time}</time>
                    {mine.then(|| {
                        let seq = message.seq;
                        let tick = Signal::derive(move || feed.conversation.with(|c| c.receipts.tick_for(viewer, seq)));
                        view! { <TickMark tick/> }
                    })}
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// A message's text, or the file it carries.
fn body(message: &Message, viewer: SenderKind) -> AnyView {
    match &message.attachment {
        Some(file) => view! {
            <FileView file=file.clone() conversation_id=message.conversation_id.clone() seq=message.seq
                keyed=viewer == SenderKind::Visitor/>
        }
        .into_any(),
        None => view! { <div class="bubble-body">{message.body.clone()}</div> }.into_any(),
    }
}

/// A sent file: an image inline (its thumbnail when it has one; opens whole in a new tab), any
/// other file as a download. `keyed`: the visitor's widget, which fetches with the file's key.
#[component]
pub fn FileView(file: Attachment, conversation_id: String, seq: i64, keyed: bool) -> impl IntoView {
    let full = file.url(&conversation_id, seq, false, keyed);
    if file.is_image() {
        let shown = file.url(&conversation_id, seq, true, keyed);
        // The thread's width for it, keeping its shape, so nothing jumps while it loads.
        let (w, h) = match (file.width, file.height) {
            (Some(w), Some(h)) if w > 0 => {
                let width = w.min(240);
                (
                    Some(width),
                    Some((u64::from(h) * u64::from(width) / u64::from(w)) as u32),
                )
            }
            _ => (None, None),
        };
        return view! {
            <a class="bubble-image" href=full target="_blank" rel="noopener" data-testid="attachment-image">
                <img src=shown alt=file.name.clone() width=w height=h loading="lazy"/>
            </a>
        }
        .into_any();
    }
    let download = format!("{full}{}download=1", if keyed { '&' } else { '?' });
    view! {
        <a class="file-card" href=download download=file.name.clone() data-testid="attachment-file">
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm-1 7V3.5L18.5 9z"/></svg>
            <span class="file-name">{file.name.clone()}</span>
            <span class="file-size">{file.size_label()}</span>
        </a>
    }
    .into_any()
}

/// The message box. The draft belongs to the caller, who clears it once the send succeeded,
/// so a failed send never loses what was typed.
#[component]
pub fn Composer(
    draft: RwSignal<String>,
    on_send: Callback<String>,
    /// Called at most every 2 s while the user types.
    #[prop(optional)]
    on_typing: Option<Callback<()>>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] placeholder: Signal<String>,
    /// Sees each key first (a picker open above the composer); `true` means it took the key.
    #[prop(optional)]
    on_key: Option<Callback<leptos::ev::KeyboardEvent, bool>>,
    /// Takes files (the paperclip, a drop, a pasted image); without it the composer has none.
    #[prop(optional)]
    on_files: Option<Callback<Picked>>,
) -> impl IntoView {
    let local_error = RwSignal::new(None::<String>);
    // The server's `message_chars` limit, once its socket said.
    let max = crate::live::client::use_live().max_message_chars;
    let submit = move || match validate_body_within(&draft.get_untracked(), max.get_untracked()) {
        Ok(body) => {
            local_error.set(None);
            on_send.run(body);
        }
        Err(e) => local_error.set(Some(e.to_string())),
    };
    let count = move || draft.with(|d| d.chars().count());
    let last_typing = StoredValue::new(0i64);
    let typed = move || {
        let now = crate::clock::now_ms();
        if let Some(on_typing) = on_typing {
            if now - last_typing.get_value() > 2_000 {
                last_typing.set_value(now);
                on_typing.run(());
            }
        }
    };
    let lang = ui_language();
    let dragging = RwSignal::new(false);
    // Typed, or even sent, before the page hydrated: kept, and sent now.
    let (form, field) = (NodeRef::new(), NodeRef::new());
    crate::before_hydration::keep(field, draft);
    crate::before_hydration::sent_early(form, submit);
    #[cfg(feature = "hydrate")]
    let take = move |picked: Option<Picked>| match (on_files, picked) {
        (Some(on_files), Some(picked)) => {
            on_files.run(picked);
            true
        }
        _ => false,
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        if take(Picked::of(ev.data_transfer().and_then(|d| d.files()))) {
            ev.prevent_default();
        }
        let _ = ev;
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        if take(Picked::of(ev.clipboard_data().and_then(|d| d.files()))) {
            ev.prevent_default();
        }
        let _ = ev;
    };
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                take(Picked::of(input.files()));
                // The same file can be picked again.
                input.set_value("");
            }
        }
        let _ = ev;
    };
    view! {
        <form class="composer" node_ref=form class:drag-over=move || dragging.get() on:submit=move |ev| { ev.prevent_default(); submit(); }
            on:dragover=move |ev| { if on_files.is_some() { ev.prevent_default(); dragging.set(true); } }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop>
            {on_files.map(|_| view! {
                <label class="attach" title=t!("files.attach", locale = lang)>
                    <input type="file" multiple class="sr-only" aria-label=t!("files.attach", locale = lang)
                        data-testid="attach-input" on:change=on_pick/>
                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z"/></svg>
                </label>
            })}
            <textarea
                node_ref=field
                data-keep=""
                name="body"
                rows="1"
                aria-label=t!("chat.message", locale = lang)
                placeholder=move || placeholder.get()
                prop:value=move || draft.get()
                on:input=move |ev| { draft.set(event_target_value(&ev)); local_error.set(None); typed(); }
                on:paste=on_paste
                on:keydown=move |ev| {
                    if on_key.is_some_and(|keys| keys.run(ev.clone())) {
                        ev.prevent_default();
                        return;
                    }
                    if ev.key() == "Enter" && !ev.shift_key() {
                        ev.prevent_default();
                        submit();
                    }
                }
                data-testid="composer-input"
            ></textarea>
            <button type="submit" class="send" aria-label=t!("chat.send", locale = lang) data-testid="send">
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="M3 20.5 21 12 3 3.5l.01 6.6L15 12 3.01 13.9z"/></svg>
            </button>
            <div class="composer-foot">
                {move || local_error.get().or_else(|| error.get()).map(|e| view! { <span class="form-error" role="alert" data-testid="composer-error">{e}</span> })}
                <Show when=move || { count() + 500 > max.get() }>
                    <span class="char-count" class:over=move || { count() > max.get() }>{move || format!("{}/{}", count(), max.get())}</span>
                </Show>
            </div>
        </form>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::AppResult;
    use crate::model::{Conversation, Message};
    use crate::state::AppState;
    use crate::store::Author;

    pub use crate::live::post::{publish, store_error};

    /// Validates, stores (idempotently) and publishes one message; returns the stored message.
    pub async fn post(
        state: &AppState,
        conversation: &Conversation,
        author: Author,
        body: &str,
        client_id: &str,
    ) -> AppResult<Message> {
        crate::live::post::post(state, &conversation.id, author, body, client_id).await
    }
}
