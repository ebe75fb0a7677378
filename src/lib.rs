//! Switchboard: self-hosted, real-time customer-support chat.
//! One module per feature (auth, widget, inbox, chat, live), each with its model, server
//! functions and components side by side; server-only code sits in `ssr` submodules.
pub mod app;
pub mod auth;
pub mod chat;
pub mod error;
pub mod inbox;
pub mod live;
pub mod model;
pub mod outbox;
pub mod time_fmt;
pub mod widget;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
