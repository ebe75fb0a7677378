//! The HTML shell and the routes.
pub mod pages;

use crate::auth::{SetupPage, SignInPage};
use crate::before_hydration::KeepEarlyInput;
use crate::inbox::{Dashboard, InboxLayout, NoConversation};
use crate::live::client::Live;
use crate::team::InvitePage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::state::csp::send_page_policy(&options, None);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <KeepEarlyInput/>
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
    provide_context(crate::inbox::PrefetchConversation(
        pages::prefetch_conversation,
    ));
    view! {
        <Stylesheet id="leptos" href="/pkg/switchboard.css"/>
        <Title text="Switchboard"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/agent/login") view=SignInPage/>
                <Route path=path!("/agent/setup") view=SetupPage/>
                <Route path=path!("/agent/invite") view=InvitePage/>
                // Rendered whole before it is sent, so the agent's theme reaches `<html>` in the
                // server's HTML (no flash of the other theme).
                // The inbox's list is in the first load; every page below it is a chunk of its
                // own (`pages`).
                <ParentRoute path=path!("/agent") view=Dashboard ssr=SsrMode::Async>
                    <Route path=path!("team") view={Lazy::<pages::Team>::new()}/>
                    <Route path=path!("inboxes") view={Lazy::<pages::Inboxes>::new()}/>
                    <Route path=path!("settings") view={Lazy::<pages::Settings>::new()}/>
                    <Route path=path!("replies") view={Lazy::<pages::Replies>::new()}/>
                    <Route path=path!("labels") view={Lazy::<pages::Labels>::new()}/>
                    <Route path=path!("mail") view={Lazy::<pages::Mail>::new()}/>
                    <ParentRoute path=path!("") view=InboxLayout>
                        <Route path=path!("") view=NoConversation/>
                        <Route path=path!("c/:id") view={Lazy::<pages::Conversation>::new()}/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
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
                <a href="/">"Go home"</a>
            </div>
        </main>
    }
}
