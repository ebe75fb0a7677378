//! Inboxes, one per website: the widget's name, brand colour, greeting and away message,
//! whether it asks for an e-mail first, and the sites that may embed it. Admins edit them at
//! /agent/inbox, where the one-line snippet is. The widget page is sent with a
//! `frame-ancestors` policy from the list, so no other site can frame it.
//!
//! One inbox (`default`) for now: several inboxes, their members and the inbox filter are
//! the next step of the same table.
use crate::error::AppError;
use crate::model::InboxSettings;
use leptos::prelude::*;

/// The widget's settings: public, the widget shows them to anyone.
#[server(endpoint = "inbox_settings")]
pub async fn load_inbox() -> Result<InboxSettings, AppError> {
    let state = crate::state::AppState::from_context();
    ssr::load(&state, crate::model::DEFAULT_INBOX).await
}

/// Admins only; every field is checked before anything is kept.
#[server(endpoint = "save_inbox")]
pub async fn save_inbox(settings: InboxSettings) -> Result<InboxSettings, AppError> {
    ssr::save(settings).await
}

/// /agent/inbox (admins): the widget's settings and the snippet to put on the site.
#[component]
pub fn InboxSettingsPage() -> impl IntoView {
    let loaded = Resource::new(|| (), |_| load_inbox());
    view! {
        <section class="page" aria-labelledby="inbox-title">
            <header class="page-header">
                <h1 id="inbox-title">"Website widget"</h1>
                <p class="page-sub">"How the chat looks on your site, and which sites may show it."</p>
            </header>
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || loaded.get().map(|result| match result {
                    Ok(settings) => view! { <InboxForm settings/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn InboxForm(settings: InboxSettings) -> impl IntoView {
    let save = ServerAction::<SaveInbox>::new();
    let draft = RwSignal::new(settings);
    // The text area holds one domain per line; the list is rebuilt from it on save.
    let domains = RwSignal::new(draft.with_untracked(|d| d.allowed_domains.join("\n")));
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            domains.set(saved.allowed_domains.join("\n"));
            draft.set(saved);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut settings = draft.get_untracked();
        settings.allowed_domains = domains.with_untracked(|text| {
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect()
        });
        save.dispatch(SaveInbox { settings });
    };
    let text = |label: &'static str,
                testid: &'static str,
                get: fn(&InboxSettings) -> String,
                set: fn(&mut InboxSettings, String)| {
        view! {
            <label>{label}
                <input prop:value=move || draft.with(get) required data-testid=testid
                    on:input=move |ev| { let value = event_target_value(&ev); draft.update(|d| set(d, value)); }/>
            </label>
        }
    };
    view! {
        <form class="card settings-form" on:submit=submit data-testid="inbox-form">
            <h2>"Look and words"</h2>
            {text("Name in the widget's header", "inbox-name", |d| d.name.clone(), |d, v| d.name = v)}
            <label>"Brand colour"
                <span class="color-row">
                    <input type="color" prop:value=move || draft.with(|d| d.color.clone()) data-testid="inbox-color"
                        on:input=move |ev| { let value = event_target_value(&ev); draft.update(|d| d.color = value); }/>
                    <span class="color-sample" style=move || draft.with(|d| format!("background:{}", d.color))>"Aa"</span>
                </span>
            </label>
            {text("Greeting", "inbox-greeting", |d| d.greeting.clone(), |d, v| d.greeting = v)}
            {text("Away message (nobody online)", "inbox-away", |d| d.away_message.clone(), |d, v| d.away_message = v)}
            <label class="toggle">
                <input type="checkbox" prop:checked=move || draft.with(|d| d.ask_email) data-testid="inbox-ask-email"
                    on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| d.ask_email = on); }/>
                "Ask for an e-mail before the first message"
            </label>
            <h2>"Where it may appear"</h2>
            <label>"Allowed sites, one per line (e.g. shop.example, *.example.com, localhost:3000)"
                <textarea rows="4" prop:value=move || domains.get() data-testid="inbox-domains"
                    on:input=move |ev| domains.set(event_target_value(&ev))></textarea>
            </label>
            <Show when=move || domains.with(|d| d.trim().is_empty())>
                <p class="form-warning" role="note" data-testid="any-site-warning">
                    "No sites listed: any website can show this chat and send you messages through it."
                </p>
            </Show>
            {move || match save.value().get() {
                Some(Ok(_)) => Some(view! { <p class="form-ok" role="status">"Saved."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
            <button type="submit" class="primary" disabled=move || save.pending().get()>"Save widget"</button>
        </form>
        <Snippet color=Signal::derive(move || draft.with(|d| d.color.clone()))/>
    }
}

/// The one line to paste into the site, with a copy button.
#[component]
fn Snippet(color: Signal<String>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let snippet = move || {
        let origin = origin();
        format!(
            "<script src=\"{origin}/embed.js\" data-color=\"{}\" async></script>",
            color.get()
        )
    };
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&snippet());
            copied.set(true);
        }
    };
    view! {
        <div class="card">
            <h2>"Add it to your site"</h2>
            <p>"Paste this line before " <code>"</body>"</code> " on every page that should show the chat:"</p>
            <pre class="demo-code" data-testid="inbox-snippet">{snippet}</pre>
            <button type="button" class="secondary" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy snippet" }}
            </button>
        </div>
    }
}

/// This server's address as the browser sees it (the snippet must name it).
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        #[cfg(feature = "ssr")]
        {
            crate::state::AppState::from_context()
                .settings
                .public_url
                .trim_end_matches('/')
                .to_string()
        }
        #[cfg(not(feature = "ssr"))]
        String::new()
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::auth::ssr::{require_admin, state};
    use crate::error::{internal, AppError, AppResult};
    use crate::model::InboxSettings;
    use crate::state::AppState;
    use axum::extract::{Request, State};
    use axum::http::{header, HeaderValue};
    use axum::middleware::Next;
    use axum::response::Response;

    pub async fn load(state: &AppState, id: &str) -> AppResult<InboxSettings> {
        state
            .stores
            .inboxes
            .get(id)
            .await
            .map_err(internal)?
            .ok_or(AppError::InboxNotFound)
    }

    pub async fn save(settings: InboxSettings) -> AppResult<InboxSettings> {
        let state = state();
        let admin = require_admin().await?;
        let settings = settings.validate()?;
        let saved = state
            .stores
            .inboxes
            .save(&settings)
            .await
            .map_err(internal)?;
        if !saved {
            return Err(AppError::InboxNotFound);
        }
        tracing::info!(inbox = %settings.id, admin = %admin.id, "inbox settings saved");
        Ok(settings)
    }

    /// Sends the widget page with the inbox's `frame-ancestors`, so only the listed sites can
    /// frame it (browsers then refuse to show it anywhere else).
    pub async fn frame_policy(
        State(state): State<AppState>,
        request: Request,
        next: Next,
    ) -> Response {
        let is_widget = request.uri().path() == "/widget";
        let mut response = next.run(request).await;
        if is_widget {
            let policy = match load(&state, crate::model::DEFAULT_INBOX).await {
                Ok(inbox) => inbox.frame_ancestors(),
                // Unknown settings: refuse framing by others rather than allow everyone.
                Err(_) => Some("frame-ancestors 'self'".to_string()),
            };
            if let Some(value) = policy.and_then(|p| HeaderValue::from_str(&p).ok()) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, value);
            }
        }
        response
    }
}
