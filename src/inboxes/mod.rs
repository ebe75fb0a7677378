//! Inboxes, one per website: the widget's name, brand colour, greeting and away message,
//! business hours, language, whether it asks for an e-mail first, the sites that may embed it,
//! and the agents who work it. Admins edit them at /agent/inboxes, where each one's snippet is.
//! The widget page is sent with a `frame-ancestors` policy from the inbox's list, so no other
//! site can frame it, and the widget's server functions refuse pages of other sites.
mod form;

use crate::error::AppError;
use crate::model::{InboxSettings, InboxSummary, WidgetInbox};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// What the widget needs of its inbox: public. `host` is the origin of the page that frames
/// the widget (empty: its own page, or the request's `Referer`); a site that is not on the
/// inbox's list gets `SiteNotAllowed`.
#[server(endpoint = "widget_inbox")]
pub async fn load_widget_inbox(
    #[server(default)] inbox: String,
    #[server(default)] host: String,
) -> Result<WidgetInbox, AppError> {
    ssr::widget(&inbox, &host).await
}

/// The inboxes this agent works (admins: all), for the dashboard's filter.
#[server(endpoint = "my_inboxes")]
pub async fn my_inboxes() -> Result<Vec<InboxSummary>, AppError> {
    ssr::mine().await
}

/// Admins only: one inbox's settings.
#[server(endpoint = "inbox_settings")]
pub async fn load_inbox(id: String) -> Result<InboxSettings, AppError> {
    ssr::load_for_admin(&id).await
}

/// Admins only; every field is checked before anything is kept.
#[server(endpoint = "save_inbox", input = server_fn::codec::Json)]
pub async fn save_inbox(settings: InboxSettings) -> Result<InboxSettings, AppError> {
    ssr::save(settings).await
}

/// Admins only: a new inbox with default settings, worked by the admin who made it.
#[server(endpoint = "create_inbox")]
pub async fn create_inbox(name: String) -> Result<InboxSettings, AppError> {
    ssr::create(name).await
}

/// Who may work an inbox: every active agent, and which of them are its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxMembers {
    pub agents: Vec<(String, String)>,
    pub members: Vec<String>,
}

/// Admins only: what the settings page of one inbox shows.
#[server(endpoint = "inbox_page")]
pub async fn load_inbox_page(id: String) -> Result<(InboxSettings, InboxMembers), AppError> {
    ssr::page(&id).await
}

#[server(endpoint = "save_inbox_members", input = server_fn::codec::Json)]
pub async fn save_inbox_members(
    id: String,
    members: Vec<String>,
) -> Result<InboxMembers, AppError> {
    ssr::save_members(&id, members).await
}

/// /agent/inboxes?id=… (admins): the websites' inboxes, one form each, and their snippets
/// (the old /agent/inbox redirects here).
#[component]
pub fn InboxSettingsPage() -> impl IntoView {
    if !crate::auth::Me::is_admin() {
        return view! {
            <section class="page" aria-labelledby="inbox-title">
                <header class="page-header"><h1 id="inbox-title">"Inboxes"</h1></header>
                <p class="card empty-note" data-testid="admins-only">"Only admins set up inboxes: ask one to change a website's widget."</p>
            </section>
        }
        .into_any();
    }
    let query = use_query_map();
    let chosen = move || {
        query
            .with(|q| q.get("id"))
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| crate::model::DEFAULT_INBOX.to_string())
    };
    let create = ServerAction::<CreateInbox>::new();
    let list = crate::codec::resource(move || create.version().get(), |_| my_inboxes());
    // Settings and members in one call: a resource made inside a Suspense's children would
    // not hydrate from the server's data, and while the page renders on the server a second
    // call after the first's await would find no request context.
    let loaded = crate::codec::resource(chosen, load_inbox_page);
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(made)) = create.value().get() {
            navigate(
                &format!("/agent/inboxes?id={}", made.id),
                Default::default(),
            );
        }
    });
    let new_name = RwSignal::new(String::new());
    view! {
        <section class="page" aria-labelledby="inbox-title">
            <header class="page-header">
                <h1 id="inbox-title">"Inboxes"</h1>
                <p class="page-sub">"One inbox per website: how its chat looks, when the team is there, and who answers."</p>
            </header>
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || list.get().map(|result| match result {
                    Ok(inboxes) => view! {
                        <nav class="inbox-tabs" aria-label="Inboxes">
                            {inboxes.into_iter().map(|inbox| {
                                let href = format!("/agent/inboxes?id={}", inbox.id);
                                let id = inbox.id.clone();
                                view! {
                                    <a href=href class="inbox-tab" data-testid="inbox-tab"
                                        aria-current=move || (chosen() == id).then_some("page")>
                                        <span class="inbox-dot" style=format!("background:{}", inbox.color)></span>
                                        {inbox.name}
                                    </a>
                                }
                            }).collect_view()}
                        </nav>
                    }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
            <form class="inbox-new" on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateInbox { name: new_name.get_untracked() });
                new_name.set(String::new());
            }>
                <label>"New inbox for another website"
                    <input prop:value=move || new_name.get() required maxlength="60" placeholder="Acme Shop"
                        data-testid="new-inbox-name" on:input=move |ev| new_name.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="secondary" disabled=move || create.pending().get()>"Add inbox"</button>
                {move || match create.value().get() {
                    Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
                    _ => None,
                }}
            </form>
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || loaded.get().map(|result| match result {
                    Ok((settings, members)) => view! { <form::InboxForm settings members/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub mod ssr;
