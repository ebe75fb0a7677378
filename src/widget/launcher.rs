//! The widget's side of the embed (`public/embed.js`). It tells the embedding page about agent
//! replies, so the launcher can show an unread badge and chime while the chat is closed (the
//! visitor can mute the chime from the widget's header; the choice stays in the widget's own
//! storage and travels with each notice; notices carry no content). It hears from the page
//! which page the visitor is on, as they navigate, so the agent sees it.
use crate::chat::ui_language;
use crate::live::client::ConversationFeed;
use crate::model::SenderKind;
use leptos::prelude::*;
use rust_i18n::t;

#[cfg(feature = "hydrate")]
const MUTED_KEY: &str = "switchboard.muted";

/// Whether the visitor muted the reply chime.
pub fn muted() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(MUTED_KEY).ok().flatten())
            .is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

pub fn set_muted(muted: bool) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = if muted {
            storage.set_item(MUTED_KEY, "1")
        } else {
            storage.remove_item(MUTED_KEY)
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = muted;
}

/// Posts `{type: "switchboard:reply", sound}` to the embedding page for each new agent reply.
pub fn announce_replies(feed: ConversationFeed) {
    let seen = StoredValue::new(feed.last_seq());
    Effect::new(move |_| {
        let newest = feed.messages.with(|messages| {
            messages
                .iter()
                .filter(|m| m.sender == SenderKind::Agent && m.seq > seen.get_value())
                .map(|m| m.seq)
                .max()
        });
        if let Some(seq) = newest {
            seen.set_value(seq);
            post_to_host(!muted());
        }
    });
}

/// What the host site's code said about its visitor (`identify`, `setContext`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostFacts {
    pub name: String,
    pub email: String,
    pub context: Vec<(String, String)>,
}

/// What the embedding page reports: the page the visitor is on, `(url, title, referrer)`,
/// and what its code said about the visitor.
#[derive(Clone, Copy)]
pub struct HostPage(
    pub RwSignal<Option<(String, String, String)>>,
    pub RwSignal<Option<HostFacts>>,
);

impl HostPage {
    /// Listens for the embed's reports, then asks for the first ones.
    pub fn provide() -> HostPage {
        let page = HostPage(RwSignal::new(None), RwSignal::new(None));
        provide_context(page);
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| {
            listen_for_pages(page);
            notify_host("switchboard:ready", None);
        });
        page
    }

    pub fn expect() -> HostPage {
        expect_context::<HostPage>()
    }
}

/// Only the framing page is heard, and only a well-formed report (the server checks it again).
#[cfg(feature = "hydrate")]
fn listen_for_pages(page: HostPage) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(host) = host_window() else {
        return;
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            // A cross-site parent is no `instanceof Window` here: compare identities instead.
            let from_host = event
                .source()
                .is_some_and(|source| js_sys::Object::is(source.as_ref(), host.as_ref()));
            if !from_host {
                return;
            }
            let data = event.data();
            let field = |name: &str| {
                js_sys::Reflect::get(&data, &name.into())
                    .ok()
                    .and_then(|value| value.as_string())
            };
            match field("type").as_deref() {
                Some("switchboard:page") => {}
                Some("switchboard:context") => {
                    let facts = HostFacts {
                        name: field("name").unwrap_or_default(),
                        email: field("email").unwrap_or_default(),
                        context: pairs(&data),
                    };
                    if page
                        .1
                        .with_untracked(|known| known.as_ref() != Some(&facts))
                    {
                        page.1.set(Some(facts));
                    }
                    return;
                }
                _ => return,
            }
            if let (Some(url), Some(title)) = (field("url"), field("title")) {
                if url.len() <= 2000 && title.len() <= 1000 {
                    let title: String = title.chars().take(300).collect();
                    let referrer = field("referrer")
                        .filter(|r| r.len() <= 2000)
                        .unwrap_or_default();
                    let report = Some((url, title, referrer));
                    if page.0.with_untracked(|known| *known != report) {
                        page.0.set(report);
                    }
                }
            }
        });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    // Listens for the page's whole life.
    on_message.forget();
}

/// The `context` object of a report as string pairs; anything but strings is dropped (the
/// embed already turned numbers and booleans into text; the server checks sizes).
#[cfg(feature = "hydrate")]
fn pairs(data: &wasm_bindgen::JsValue) -> Vec<(String, String)> {
    let Ok(context) = js_sys::Reflect::get(data, &"context".into()) else {
        return Vec::new();
    };
    if !context.is_object() {
        return Vec::new();
    }
    js_sys::Object::entries(&js_sys::Object::from(context))
        .iter()
        .filter_map(|entry| {
            let entry = js_sys::Array::from(&entry);
            Some((entry.get(0).as_string()?, entry.get(1).as_string()?))
        })
        .take(crate::model::CONTEXT_ENTRIES)
        .collect()
}

/// The page that frames this widget, if any.
#[cfg(feature = "hydrate")]
fn host_window() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    (parent != window).then_some(parent)
}

/// Posts a notice to the embedding page. Notices carry no content, so any host may hear
/// them; the embed checks they come from its own frame.
#[cfg(feature = "hydrate")]
fn notify_host(kind: &str, sound: Option<bool>) {
    let Some(parent) = host_window() else {
        return;
    };
    let notice = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&notice, &"type".into(), &kind.into());
    if let Some(sound) = sound {
        let _ = js_sys::Reflect::set(&notice, &"sound".into(), &sound.into());
    }
    let _ = parent.post_message(&notice, "*");
}

fn post_to_host(sound: bool) {
    #[cfg(feature = "hydrate")]
    notify_host("switchboard:reply", Some(sound));
    #[cfg(not(feature = "hydrate"))]
    let _ = sound;
}

/// "Close" in the widget's header, inside the embed only (the style hides it elsewhere): on a
/// phone the widget covers the page, launcher included. Before hydration the head's script
/// sends the same notice (src/before_hydration.rs).
#[component]
pub fn CloseButton() -> impl IntoView {
    view! {
        <button type="button" class="widget-close" aria-label=t!("widget.close", locale = ui_language()) data-testid="widget-close"
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                notify_host("switchboard:close", None);
            }>
            // Drawn, not a character: not every font has "✕".
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" d="M6 6l12 12M18 6 6 18"/></svg>
        </button>
    }
}

/// The header's chime toggle.
#[component]
pub fn MuteToggle() -> impl IntoView {
    let is_muted = RwSignal::new(false);
    Effect::new(move |_| is_muted.set(muted()));
    view! {
        <button type="button" class="widget-mute" data-testid="mute"
            aria-pressed=move || is_muted.get().to_string()
            aria-label=move || if is_muted.get() { t!("widget.unmute", locale = ui_language()) } else { t!("widget.mute", locale = ui_language()) }
            on:click=move |_| { let next = !is_muted.get_untracked(); set_muted(next); is_muted.set(next); }>
            // Drawn, not emoji: not every system font has them.
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0"/>
                <Show when=move || is_muted.get()>
                    <path stroke="currentColor" stroke-width="1.8" stroke-linecap="round" d="M4 4l16 16"/>
                </Show>
            </svg>
        </button>
    }
}
