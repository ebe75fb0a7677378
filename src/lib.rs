//! Switchboard: self-hosted, real-time customer-support chat.
//!
//! A one-way house (docs/architecture.md): `model`, `error` and `clock` at the bottom, with
//! `time_fmt`, `codec` and `before_hydration` beside `model`; then `store` and `telemetry`; then `state`
//! (what every handler sees); then `live` (the socket, fan-out, the browser's connection); then
//! the feature modules (`auth`, `chat`, `team`,
//! `outbox`, `notes`, `canned`, `labels`, `snooze`, `search`, `transcripts`, `csat`, `mail`,
//! `demo`, `inbox`, `widget`), each with its model, server functions and components,
//! server-only code in an `ssr` submodule; then the `app` shell; and `server` on top, which only
//! assembles. A module imports only from the layers below it.
// Leptos views are deeply nested types; the dashboard's outgrow the default limit in release.
#![recursion_limit = "256"]

// The widget's words, per language (src/locales/*.yml), compiled in.
rust_i18n::i18n!("src/locales", fallback = "en");

pub mod app;
pub mod attachments;
pub mod auth;
pub mod avatar;
pub mod before_hydration;
pub mod canned;
pub mod chat;
pub mod clock;
pub mod codec;
pub mod csat;
pub mod demo;
pub mod error;
pub mod inbox;
pub mod inboxes;
pub mod labels;
pub mod live;
pub mod mail;
pub mod model;
pub mod notes;
pub mod outbox;
pub mod routing;
pub mod search;
pub mod snooze;
pub mod team;
pub mod time_fmt;
pub mod transcripts;
pub mod widget;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod telemetry;

/// The whole app's bundle: the dashboard, and the widget page when no lean bundle was built
/// (`cargo leptos watch`). Built beside the lean bundle (`--features hydrate,dashboard-bundle`,
/// scripts/build-site.sh), it leaves the widget out: the server hydrates `/widget` with
/// `pkg/widget.*` whenever that exists.
#[cfg(all(feature = "hydrate", not(feature = "widget-bundle")))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    #[cfg(not(feature = "dashboard-bundle"))]
    if web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .as_deref()
        == Some("/widget")
    {
        leptos::mount::hydrate_body(widget::WidgetApp);
        return;
    }
    #[cfg(not(feature = "dashboard-bundle"))]
    leptos::mount::hydrate_body(app::App);
    // The page's own chunk first: hydration cannot wait for it half-way (`app::pages`).
    #[cfg(feature = "dashboard-bundle")]
    wasm_bindgen_futures::spawn_local(async {
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        if app::pages::preload_current_page(&path).await {
            leptos::mount::hydrate_body(app::App);
        } else {
            app::pages::announce_unloaded_page();
        }
    });
}

/// The lean widget bundle (`--features hydrate,widget-bundle`): the widget page only, so
/// nothing of the dashboard reaches visitors' browsers. Its main module waits for the visitor's
/// first use (or not, for a returning visitor's chat), then fetches the code that hydrates the
/// page (`widget::hydrate_when_used`).
#[cfg(all(feature = "hydrate", feature = "widget-bundle"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    wasm_bindgen_futures::spawn_local(widget::hydrate_when_used());
}
