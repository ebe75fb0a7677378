//! The lean bundle's chunks (docs/architecture.md). Its main module only waits for the
//! visitor's first use (`wake`); then the widget's chunk hydrates the page (`start_widget`).
//! The chat is a chunk of its own: everything after the first message (the socket's client,
//! the outbox, the thread, files, ratings, transcripts) sits behind one split function,
//! fetched while the first message is typed or, for a returning visitor, with the widget's
//! chunk. The server and the dashboard's bundle render the same `Suspense` around a ready
//! future.
use super::conversation::WidgetChat;
use super::WidgetSession;
use crate::chat::ui_language;
use leptos::prelude::*;
use rust_i18n::t;

/// The conversation, once it exists.
#[component]
pub(super) fn ChatWhenLoaded(started: WidgetSession) -> impl IntoView {
    let lang = ui_language();
    view! {
        <div class="widget-chat" data-chunk="widget-chat" lang=lang>
        <Suspense fallback=move || view! { <div class="widget-loading">{t!("widget.loading", locale = lang)}</div> }>
            {Suspend::new(async move {
                match chat_view(started).await {
                    Ok(chat) => chat,
                    Err(ChunkNotLoaded) => view! { <ChunkFailed/> }.into_any(),
                }
            })}
        </Suspense>
        </div>
    }
}

/// Marks the chat the server rendered (a returning visitor's), whose code must be in before
/// the page hydrates.
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
pub(super) const RENDERED_CHAT: &str = "[data-chunk=widget-chat]";

/// The lean bundle's second half, fetched when the widget is first used (`wake`): everything
/// that hydrates the page. `chat_loaded` says whether the chat the server rendered (a returning
/// visitor's) has its code; when not, that chat is not hydrated (its HTML needs that code) and
/// says so in its place, with a retry.
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
#[leptos::wasm_split::wasm_split(widget_app, wasm_split_path = ::leptos::wasm_split, fallible)]
pub(super) fn start_widget(chat_loaded: bool) -> Result<(), ChunkNotLoaded> {
    use crate::chat::UiLanguage;
    use wasm_bindgen::JsCast;
    let rendered_chat = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(RENDERED_CHAT).ok().flatten());
    match rendered_chat {
        Some(chat) if !chat_loaded => {
            let lang =
                crate::model::widget_language(&chat.get_attribute("lang").unwrap_or_default(), "");
            chat.set_inner_html("");
            if let Ok(chat) = chat.dyn_into::<web_sys::HtmlElement>() {
                leptos::mount::mount_to(chat, move || {
                    provide_context(UiLanguage(lang));
                    view! { <ChunkFailed/> }
                })
                .forget();
            }
        }
        _ => leptos::mount::hydrate_body(super::WidgetApp),
    }
    Ok(())
}

/// Fetches the widget's chunk (and the code it shares with the chat's) without running it.
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
pub(super) async fn preload_widget() -> bool {
    __wasm_split_preload_start_widget().await.is_ok()
}

/// Fetches the chat's chunk without running it: before hydrating a chat the server rendered.
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
pub(super) async fn preload_chat() -> bool {
    __wasm_split_preload_chat_view().await.is_ok()
}

/// The chat's chunk could not be fetched (the network dropped, or a redeploy replaced it):
/// a reload fetches the page and its files afresh, and the conversation resumes from the
/// server (the first message was stored before the chunk was asked for).
#[component]
fn ChunkFailed() -> impl IntoView {
    let lang = ui_language();
    let reload = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        <div class="widget-chunk-failed" role="alert" data-testid="chunk-failed">
            <p>{t!("widget.chunk_failed", locale = lang)}</p>
            <button type="button" class="primary" on:click=reload>{t!("widget.retry", locale = lang)}</button>
        </div>
    }
}

/// The chat's chunk did not load.
#[derive(Debug)]
pub struct ChunkNotLoaded;

#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkNotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkNotLoaded
    }
}

/// The chat itself: in the lean bundle, the body of the split function below.
fn chat(started: WidgetSession) -> AnyView {
    view! { <WidgetChat started/> }.into_any()
}

// Split off the lean bundle only (`wasm-split-cli` runs on it alone, scripts/build-site.sh).
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
#[leptos::wasm_split::wasm_split(widget_chat, wasm_split_path = ::leptos::wasm_split, fallible)]
fn chat_view(started: WidgetSession) -> Result<AnyView, ChunkNotLoaded> {
    Ok(chat(started))
}

#[cfg(not(all(feature = "hydrate", feature = "widget-bundle")))]
async fn chat_view(started: WidgetSession) -> Result<AnyView, ChunkNotLoaded> {
    Ok(chat(started))
}

/// Starts fetching the chat's chunk while the visitor writes the first message, so it is in
/// (or well on its way) when the conversation starts. A failure is not kept: the chat asks
/// again when it opens, and says so if it still cannot.
pub(super) fn prefetch_chat() {
    #[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
    leptos::task::spawn_local(async {
        preload_chat().await;
    });
}
