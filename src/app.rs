//! The HTML shell and the routes.
use crate::auth::{SetupPage, SignInPage};
use crate::inbox::{ConversationPage, Dashboard, InboxLayout, NoConversation};
use crate::live::client::Live;
use crate::team::{InvitePage, SettingsPage, TeamPage};
use crate::widget::WidgetPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes, A};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::time_fmt::provide_local_clock();
    Live::provide();
    view! {
        <Stylesheet id="leptos" href="/pkg/switchboard.css"/>
        <Title text="Switchboard"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=HomePage/>
                <Route path=path!("/widget") view=WidgetPage/>
                <Route path=path!("/agent/login") view=SignInPage/>
                <Route path=path!("/agent/setup") view=SetupPage/>
                <Route path=path!("/agent/invite") view=InvitePage/>
                <ParentRoute path=path!("/agent") view=Dashboard>
                    <Route path=path!("team") view=TeamPage/>
                    <Route path=path!("settings") view=SettingsPage/>
                    <ParentRoute path=path!("") view=InboxLayout>
                        <Route path=path!("") view=NoConversation/>
                        <Route path=path!("c/:id") view=ConversationPage/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// A stand-in customer website with the one-line embed, to see the widget as visitors do.
/// The origin this page was served from, for the embed snippet people copy.
#[server(endpoint = "embed_origin")]
pub async fn embed_origin() -> Result<String, crate::error::AppError> {
    let state = crate::state::AppState::from_context();
    let headers = crate::state::access::request_headers();
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| !host.is_empty() && host.len() <= 255);
    Ok(match host {
        Some(host) => {
            let secure =
                state.settings.secure_cookies || state.settings.public_url.starts_with("https://");
            format!("{}://{host}", if secure { "https" } else { "http" })
        }
        None => state.settings.public_url.trim_end_matches('/').to_string(),
    })
}

#[component]
fn HomePage() -> impl IntoView {
    let origin = Resource::new(|| (), |_| embed_origin());
    let snippet = move || {
        let origin = origin
            .get()
            .and_then(Result::ok)
            .unwrap_or_else(|| "https://YOUR-SWITCHBOARD".into());
        format!("<script src=\"{origin}/embed.js\" defer></script>")
    };
    view! {
        <main class="demo-site">
            <header class="demo-nav">
                <span class="demo-logo">"Acme Outdoor"</span>
                <nav><a href="#">"Shop"</a><a href="#">"Guides"</a><a href="#">"Help"</a></nav>
            </header>
            <section class="demo-hero">
                <h1>"Gear for every trail"</h1>
                <p>"This page stands in for your website. The chat bubble in the corner is Switchboard's widget, added with one script tag:"</p>
                <Suspense fallback=|| ()>
                    <pre class="demo-code" data-testid="embed-snippet">{snippet}</pre>
                </Suspense>
                <p class="demo-links"><A href="/widget">"Open the widget page"</A>" · "<A href="/agent">"Agent dashboard"</A></p>
            </section>
            <script src="/embed.js" defer></script>
        </main>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <A href="/">"Go home"</A>
            </div>
        </main>
    }
}
