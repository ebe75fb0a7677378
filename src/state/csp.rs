//! The Content-Security-Policy of an HTML page: scripts only from this server or carrying the
//! page's nonce (Leptos's hydration and streaming scripts carry it), WASM compiled without
//! `eval`, connections only back to this server. Framing rules are set apart: `frame-ancestors
//! 'none'` by the router for every page but the widget, whose inbox lists its sites.
use axum::http::{header, request::Parts, HeaderValue};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::use_context;

/// Adds the page's policy to its response; called by each HTML shell as it renders.
/// `also`: one more origin the page may load from (the demo host page's embed).
pub fn send_page_policy(options: &LeptosOptions, also: Option<String>) {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let host = use_context::<Parts>()
        .and_then(|parts| {
            let host = parts.headers.get(header::HOST)?.to_str().ok()?;
            // A Host header is the client's to write: only one an origin can hold goes in.
            super::access::origin_of(&format!("ws://{host}")).map(|_| host.to_string())
        })
        .unwrap_or_default();
    // Leptos's AutoReload runs under `cargo leptos watch` only (LEPTOS_WATCH).
    let watching = options.env == Env::DEV && std::env::var_os("LEPTOS_WATCH").is_some();
    let reload = watching.then_some(options.reload_port);
    // The public address may differ from the one this page was asked by (the demo host page
    // on `localhost` loads the embed from the public `127.0.0.1`): it is ours too.
    let public = use_context::<super::AppState>()
        .and_then(|state| super::access::origin_of(&state.settings.public_url));
    let also = also.as_deref().and_then(super::access::origin_of);
    let public = [public, also]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce, &host, &public, reload)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The policy's text. `public`: the public address as a source (may be empty); `reload`:
/// cargo-leptos's live-reload port, in development only.
fn policy(nonce: &str, host: &str, public: &str, reload: Option<u32>) -> String {
    let ours = format!("'self' {public}");
    let ours = ours.trim_end();
    let mut connect = ours.to_string();
    if !host.is_empty() {
        // The socket: older engines do not count ws: as 'self'.
        connect.push_str(&format!(" ws://{host} wss://{host}"));
    }
    if let Some(port) = reload {
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        connect.push_str(&format!(" ws://{name}:{port}"));
    }
    format!(
        "default-src {ours}; script-src {ours} 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src {ours} 'unsafe-inline'; img-src {ours} data: blob:; connect-src {connect}; \
         object-src 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The demo host page's policy (src/demo.rs): no app bundle, only its own script (by nonce)
/// and the embed from `partner`, which also frames the widget.
pub fn demo_page_policy(nonce: &str, partner: &str) -> String {
    format!(
        "default-src 'self' {partner}; script-src 'nonce-{nonce}' {partner}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' {partner} data:; frame-src {partner}; \
         connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::policy;

    #[test]
    fn scripts_need_the_nonce_and_nothing_evaluates_strings() {
        let text = policy("abc123", "chat.example:8443", "", None);
        assert!(text.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!text.contains("'unsafe-eval'"));
        assert!(text.contains("connect-src 'self' ws://chat.example:8443 wss://chat.example:8443;"));
        let dev = policy("n", "localhost:3000", "http://127.0.0.1:3000", Some(3001));
        assert!(dev.contains("ws://localhost:3001"));
        assert!(dev.contains("script-src 'self' http://127.0.0.1:3000 'nonce-n'"));
        assert!(dev.contains("default-src 'self' http://127.0.0.1:3000;"));
    }
}
