//! The visitor's side: start a chat, write, read answers live. Reached only with the visitor's
//! own token (an HttpOnly cookie, or sent explicitly when framed on another site: `identity`),
//! so a visitor can never see another conversation.
// `start_conversation` takes the fields of the one form the widget posts (the browser build
// sees them as arguments); a struct would only rename them.
#![allow(clippy::too_many_arguments)]
mod chunk;
mod conversation;
mod identity;
mod launcher;
mod offline;
mod shell;
mod start;
mod transcript;
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
mod wake;

pub use shell::{widget_shell, WidgetApp, LEAN_BUNDLE, RUNNING_BUNDLE};

use chunk::ChatWhenLoaded;
use start::{StartForm, WidgetHeader};
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
pub use wake::hydrate_when_used;

use crate::chat::UiLanguage;
use crate::error::AppError;
use crate::model::{Availability, Conversation, Message, WidgetInbox};
use leptos::prelude::*;
use rust_i18n::t;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WidgetSession {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// The visitor's token, only in the answer that started the conversation.
    #[serde(default)]
    pub visitor_token: Option<String>,
}

// Every visitor server function takes `visitor`: the token the widget keeps itself (framed on
// another site, where our cookie is not sent); empty means "use the cookie".

#[server(endpoint = "visitor_session")]
pub async fn visitor_session(
    #[server(default)] visitor: String,
    #[server(default)] inbox: String,
) -> Result<Option<WidgetSession>, AppError> {
    let state = crate::state::AppState::from_context();
    match ssr::resume(&state, &visitor, &inbox).await? {
        Some(conversation) => Ok(Some(ssr::session(&state, conversation).await?)),
        None => Ok(None),
    }
}

#[server(endpoint = "start_conversation")]
pub async fn start_conversation(
    name: String,
    email: String,
    body: String,
    client_id: String,
    page_url: String,
    #[server(default)] visitor: String,
    #[server(default)] inbox: String,
    #[server(default)] host: String,
    #[server(default)] language: String,
    #[server(default)] time_zone: String,
) -> Result<WidgetSession, AppError> {
    let facts = ssr::StartFacts {
        inbox,
        host,
        page_url,
        language,
        time_zone,
    };
    ssr::start(name, email, body, client_id, facts, visitor).await
}

#[server(endpoint = "send_visitor_message")]
pub async fn send_visitor_message(
    body: String,
    client_id: String,
    #[server(default)] visitor: String,
) -> Result<Message, AppError> {
    let state = crate::state::AppState::from_context();
    let from = crate::state::access::client_address();
    let conversation = ssr::own_conversation(&state, &visitor)
        .await?
        .ok_or(AppError::ConversationNotFound)?;
    crate::live::post::post_from_visitor(
        &state,
        &conversation.id,
        ssr::author(&conversation),
        &body,
        &client_id,
        from,
    )
    .await
}

#[server(endpoint = "older_visitor_messages")]
pub async fn older_visitor_messages(
    before_seq: i64,
    #[server(default)] visitor: String,
) -> Result<Vec<Message>, AppError> {
    let state = crate::state::AppState::from_context();
    let conversation = ssr::own_conversation(&state, &visitor)
        .await?
        .ok_or(AppError::ConversationNotFound)?;
    state
        .stores
        .conversations
        .messages_before(
            ssr::viewer(&conversation),
            &conversation.id,
            Some(before_seq),
            crate::model::PAGE_SIZE,
        )
        .await
        .map_err(crate::chat::ssr::store_error)
}

/// The widget page: what the embed's iframe shows, and a page of its own at /widget.
#[component]
pub fn WidgetPage() -> impl IntoView {
    launcher::HostPage::provide();
    // `/widget?inbox=…`: the embed names the inbox; without one, the default inbox.
    let inbox_id = shell::inbox_in_address();
    // On the server only the cookie can say who this is; a token the widget keeps itself is
    // read after hydration (`WidgetBody`). The server checks the framing site by its Referer.
    let session = crate::codec::resource(
        {
            let inbox_id = inbox_id.clone();
            move || inbox_id.clone()
        },
        |inbox| visitor_session(String::new(), inbox),
    );
    let inbox = crate::codec::resource(
        move || inbox_id.clone(),
        |inbox| crate::inboxes::load_widget_inbox(inbox, String::new()),
    );
    Effect::new(|_| offline::register_service_worker());
    view! {
        <main class="widget-page">
            <section class="widget" aria-label="Chat with support">
                <Suspense fallback=|| view! { <div class="widget-loading">"Loading…"</div> }>
                    // Both read on every pass, so the server waits for both before rendering.
                    {move || { let (inbox, session) = (inbox.get(), session.get()); Some(match (inbox?, session?) {
                        (Ok(inbox), Ok(initial)) => view! { <WidgetBody inbox initial/> }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }) }}
                </Suspense>
            </section>
        </main>
    }
}

/// Shown by the lean bundle's main module (`wake`) when the widget's code cannot be fetched:
/// rendered by the server, hidden, in the page's language, since that module has no views.
#[component]
fn WidgetFailed() -> impl IntoView {
    let lang = crate::chat::ui_language();
    view! {
        <div id="widget-failed" class="widget-chunk-failed" role="alert" data-testid="widget-failed" hidden>
            <p>{t!("widget.load_failed", locale = lang)}</p>
            <button type="button" class="primary">{t!("widget.retry", locale = lang)}</button>
        </div>
    }
}

/// The inbox this widget belongs to: its name, brand colour and words.
fn inbox() -> WidgetInbox {
    expect_context::<WidgetInbox>()
}

#[component]
fn WidgetBody(inbox: WidgetInbox, initial: Option<WidgetSession>) -> impl IntoView {
    // The brand colour reaches the header, the buttons and the visitor's bubbles.
    let brand = format!("--brand:{}", inbox.color);
    let inbox_id = inbox.id.clone();
    // Every text of the widget, the shared chat parts included, speaks the visitor's language.
    provide_context(UiLanguage(crate::model::widget_language(
        &inbox.language,
        "",
    )));
    provide_context(inbox);
    let session = RwSignal::new(initial);
    // Framed on another site: the token the host page or this frame kept finds the chat.
    Effect::new(move |_| {
        let Some(known) = identity::load() else {
            return;
        };
        if session.with_untracked(Option::is_some) {
            return;
        }
        let inbox_id = inbox_id.clone();
        leptos::task::spawn_local(async move {
            if let Ok(Some(found)) = visitor_session(known, inbox_id).await {
                session.set(Some(found));
            }
        });
    });
    let started = Callback::new(move |started: WidgetSession| {
        if let Some(new_token) = started.visitor_token.clone() {
            identity::remember(new_token);
        }
        session.set(Some(started));
    });
    // The page the service worker keeps for offline use must show the chat, not the start form.
    Effect::new(move |was_started: Option<bool>| {
        let started = session.with(Option::is_some);
        if was_started == Some(false) && started {
            offline::refresh_cached_page();
        }
        started
    });
    view! {
        <div class="widget-brand" style=brand>
            {move || match session.get() {
                Some(started) => view! { <ChatWhenLoaded started/> }.into_any(),
                None => view! { <StartForm on_started=started/> }.into_any(),
            }}
            <WidgetFailed/>
        </div>
    }
}

/// The visitor leaves an e-mail so the reply can reach them after they leave.
#[server(endpoint = "leave_email")]
pub async fn leave_email(
    email: String,
    #[server(default)] visitor: String,
) -> Result<Conversation, AppError> {
    ssr::leave_email(email, visitor).await
}

/// The visitor moved to another page of the host site: the agent's panel follows.
#[server(endpoint = "visitor_page")]
pub async fn visitor_page(
    url: String,
    title: String,
    #[server(default)] referrer: String,
    #[server(default)] visitor: String,
) -> Result<Conversation, AppError> {
    ssr::visitor_page(url, title, referrer, visitor).await
}

/// What the host site's code said about its visitor (`Switchboard.identify` and `setContext`
/// in the embed): shown to the agent. `context` is JSON: `[["plan", "pro"], …]`.
#[server(endpoint = "visitor_context")]
pub async fn visitor_context(
    name: String,
    email: String,
    context: String,
    #[server(default)] visitor: String,
) -> Result<Conversation, AppError> {
    ssr::visitor_context(name, email, context, visitor).await
}

#[server(endpoint = "agents_online")]
pub async fn agents_online() -> Result<Vec<String>, AppError> {
    Ok(crate::state::AppState::from_context().presence.names())
}

/// "We're online" while any agent is, with their faces beside it; `None` when nobody is.
fn online_line(names: &[String], lang: &'static str) -> Option<String> {
    (!names.is_empty()).then(|| t!("widget.online", locale = lang).into())
}

/// "We're back Monday 09:00." when the inbox is out of hours, in the visitor's language and
/// time zone. Empty on the server: the browser formats it after hydration.
fn back_line(lang: &'static str) -> Signal<String> {
    let line = RwSignal::new(String::new());
    if let Availability::Closed { back_at: Some(at) } = inbox().availability {
        Effect::new(move |_| {
            let when = local_time(at, lang);
            if !when.is_empty() {
                line.set(t!("widget.back_at", when = when, locale = lang).into());
            }
        });
    }
    line.into()
}

/// A moment as the visitor reads it: weekday and time, in their language and time zone.
fn local_time(ms: i64, lang: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        let options = js_sys::Object::new();
        for (key, value) in [
            ("weekday", "long"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        String::from(date.to_locale_string(lang, &options))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ms, lang);
        String::new()
    }
}

#[cfg(feature = "ssr")]
pub mod ssr;
