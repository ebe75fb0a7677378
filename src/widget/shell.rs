//! The widget as a page of its own, apart from the dashboard's router: its HTML shell and its
//! root. The browser hydrates it with the lean widget bundle (`pkg/widget.*`, built by
//! `scripts/build-widget.sh` with the `widget-bundle` feature), which holds the widget's code
//! alone: no router, no dashboard. Every KB of it is paid on every page that opens the chat.
use super::WidgetPage;
use crate::before_hydration::KeepEarlyInput;
use leptos::prelude::*;

/// The bundle's name (`pkg/{name}.js`, `pkg/{name}.wasm`) when it was built; without it (a
/// developer's `cargo leptos watch` builds only the whole app's), the whole app's bundle
/// hydrates the widget too.
pub const LEAN_BUNDLE: &str = "widget";

/// The bundle this code runs in, in the browser: the service worker keeps the same files.
pub const RUNNING_BUNDLE: &str = if cfg!(feature = "widget-bundle") {
    LEAN_BUNDLE
} else {
    "switchboard"
};

/// The widget page's HTML: `bundle` names what hydrates it (`LEAN_BUNDLE`, or the app's own
/// `output_name`).
pub fn widget_shell(options: LeptosOptions, bundle: &str) -> impl IntoView {
    let mut options = options;
    options.output_name = bundle.into();
    #[cfg(feature = "ssr")]
    crate::state::csp::send_page_policy(&options, None);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="color-scheme" content="light dark"/>
                <title>"Chat"</title>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/pkg/switchboard.css"/>
                <AutoReload options=options.clone()/>
                <KeepEarlyInput/>
                <HydrationScripts options/>
            </head>
            <body>
                <WidgetApp/>
            </body>
        </html>
    }
}

/// What the widget page needs around it: the local clock and the live connection.
#[component]
pub fn WidgetApp() -> impl IntoView {
    crate::time_fmt::provide_local_clock();
    crate::live::client::Live::provide();
    view! { <WidgetPage/> }
}

/// `inbox` from the page's address (`/widget?inbox=ID`), on the server and in the browser;
/// empty means the default inbox. Public ids are plain letters and digits, so no decoding.
pub fn inbox_in_address() -> String {
    #[cfg(feature = "ssr")]
    let query = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.uri.query().map(str::to_string))
        .unwrap_or_default();
    #[cfg(feature = "hydrate")]
    let query = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let query = String::new();
    query_value(&query, "inbox").unwrap_or_default()
}

fn query_value(query: &str, key: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == key)
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::query_value;

    #[test]
    fn reads_one_value_from_a_query() {
        assert_eq!(
            query_value("?inbox=ab12&x=1", "inbox").as_deref(),
            Some("ab12")
        );
        assert_eq!(query_value("x=1&inbox=", "inbox").as_deref(), Some(""));
        assert_eq!(query_value("inboxes=1", "inbox"), None);
        assert_eq!(query_value("", "inbox"), None);
    }
}
