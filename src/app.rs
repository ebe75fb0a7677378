//! The HTML shell and the routes.
use crate::auth::{SetupPage, SignInPage};
use crate::inbox::{ConversationPage, Dashboard, InboxLayout, NoConversation};
use crate::inboxes::InboxSettingsPage;
use crate::live::client::Live;
use crate::team::{InvitePage, SettingsPage, TeamPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The demo host page loads the embed from its partner site (see `demo_embed_origin`).
    #[cfg(feature = "ssr")]
    {
        let home = use_context::<axum::http::request::Parts>()
            .is_some_and(|parts| parts.uri.path() == "/");
        crate::state::csp::send_page_policy(&options, home.then(demo_embed_origin));
    }
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
                <Route path=path!("/agent/login") view=SignInPage/>
                <Route path=path!("/agent/setup") view=SetupPage/>
                <Route path=path!("/agent/invite") view=InvitePage/>
                // Rendered whole before it is sent, so the agent's theme reaches `<html>` in the
                // server's HTML (no flash of the other theme).
                <ParentRoute path=path!("/agent") view=Dashboard ssr=SsrMode::Async>
                    <Route path=path!("team") view=TeamPage/>
                    <Route path=path!("inbox") view=InboxSettingsPage/>
                    <Route path=path!("settings") view=SettingsPage/>
                    <Route path=path!("replies") view=crate::canned::CannedPage/>
                    <Route path=path!("labels") view=crate::labels::LabelsPage/>
                    <Route path=path!("mail") view=crate::mail::MailPage/>
                    <ParentRoute path=path!("") view=InboxLayout>
                        <Route path=path!("") view=NoConversation/>
                        <Route path=path!("c/:id") view=ConversationPage/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Where the demo page loads the embed from: this server under its *other* loopback name
/// (`localhost` ⇄ `127.0.0.1`), so the demo is a real cross-site embed, as on a customer's
/// site. Any other host is used as it is. The same on the server and after hydration.
fn demo_embed_origin() -> String {
    #[cfg(feature = "ssr")]
    let (scheme, host) = {
        let state = crate::state::AppState::from_context();
        let secure =
            state.settings.secure_cookies || state.settings.public_url.starts_with("https://");
        let host = crate::state::access::request_headers()
            .get(axum::http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .filter(|host| !host.is_empty() && host.len() <= 255)
            .map(str::to_string);
        match host {
            Some(host) => ((if secure { "https:" } else { "http:" }).to_string(), host),
            None => return state.settings.public_url.trim_end_matches('/').to_string(),
        }
    };
    #[cfg(not(feature = "ssr"))]
    let (scheme, host) = {
        let location = web_sys::window().map(|w| w.location());
        (
            location
                .as_ref()
                .and_then(|l| l.protocol().ok())
                .unwrap_or_default(),
            location.and_then(|l| l.host().ok()).unwrap_or_default(),
        )
    };
    let partner = if let Some(port) = host.strip_prefix("localhost") {
        format!("127.0.0.1{port}")
    } else if let Some(port) = host.strip_prefix("127.0.0.1") {
        format!("localhost{port}")
    } else {
        host
    };
    format!("{scheme}//{partner}")
}

/// A stand-in customer website with the one-line embed, to see the widget as visitors do.
#[component]
fn HomePage() -> impl IntoView {
    let origin = demo_embed_origin();
    let snippet = format!("<script src=\"{origin}/embed.js\" async></script>");
    view! {
        <main class="demo-site">
            <header class="demo-nav">
                <span class="demo-logo">"Acme Outdoor"</span>
                <nav><a href="#">"Shop"</a><a href="#">"Guides"</a><a href="#">"Help"</a></nav>
            </header>
            <section class="demo-hero">
                <h1>"Gear for every trail"</h1>
                <p>"This page stands in for your website. The chat bubble in the corner is Switchboard's widget, added with one script tag:"</p>
                <pre class="demo-code" data-testid="embed-snippet">{snippet}</pre>
                <p>"It loads from another site than this page (" <code>"localhost"</code> " and " <code>"127.0.0.1"</code> " are different sites to a browser), as it will on yours."</p>
                <p class="demo-links"><a href="/widget">"Open the widget page"</a>" · "<A href="/agent">"Agent dashboard"</A></p>
            </section>
            <script src=format!("{origin}/embed.js") async></script>
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
