//! The stand-in customer site at `/`: the first page a new user opens. A plain page, as a
//! customer's would be, with no app bundle: the one-line embed is all it loads from
//! Switchboard, so it shows what the embed really costs. The embed comes from this server's
//! *other* loopback name (`localhost` ⇄ `127.0.0.1`), so the demo is a real cross-site embed.

/// The snippet a site owner pastes, for an embed served from `origin`.
pub fn snippet(origin: &str) -> String {
    format!("<script src=\"{origin}/embed.js\" async></script>")
}

/// Where the demo loads the embed from: `host` under its other loopback name; any other host
/// as it is.
pub fn partner_origin(scheme: &str, host: &str) -> String {
    let partner = if let Some(port) = host.strip_prefix("localhost") {
        format!("127.0.0.1{port}")
    } else if let Some(port) = host.strip_prefix("127.0.0.1") {
        format!("localhost{port}")
    } else {
        host.to_string()
    };
    format!("{scheme}//{partner}")
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::state::AppState;
    use axum::extract::State;
    use axum::http::{header, HeaderMap, HeaderValue};
    use axum::response::{Html, IntoResponse, Response};

    /// `GET /`: the demo page, with a policy that lets it run only its own copy button and the
    /// embed from the partner origin.
    pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
        let secure =
            state.settings.secure_cookies || state.settings.public_url.starts_with("https://");
        let scheme = if secure { "https:" } else { "http:" };
        // A Host header is the client's to write: only one an origin can hold is used.
        let host = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .filter(|host| crate::state::access::origin_of(&format!("http://{host}")).is_some());
        let origin = match host {
            Some(host) => super::partner_origin(scheme, host),
            None => state.settings.public_url.trim_end_matches('/').to_string(),
        };
        let nonce = crate::state::access::new_token();
        let mut response = Html(render(&origin, &nonce)).into_response();
        let policy = crate::state::csp::demo_page_policy(&nonce, &origin);
        if let Ok(value) = HeaderValue::from_str(&policy) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
        response
    }

    /// Text for HTML: the five characters that could end an element or an attribute.
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    }

    fn render(origin: &str, nonce: &str) -> String {
        let snippet = escape(&super::snippet(origin));
        let embed = escape(&format!("{origin}/embed.js"));
        PAGE.replace("{snippet}", &snippet)
            .replace("{embed}", &embed)
            .replace("{nonce}", nonce)
    }

    const PAGE: &str = include_str!("demo.html");

    #[cfg(test)]
    mod tests {
        use super::render;

        #[test]
        fn the_snippet_is_text_and_the_scripts_carry_the_nonce() {
            let page = render("http://localhost:3000", "n0nce");
            assert!(page.contains(
                "&lt;script src=&quot;http://localhost:3000/embed.js&quot; async&gt;&lt;/script&gt;"
            ));
            assert!(page.contains("src=\"http://localhost:3000/embed.js\" async"));
            assert_eq!(
                page.matches("<script").count(),
                page.matches("nonce=\"n0nce\"").count()
            );
            assert!(!page.contains("/pkg/"), "no app bundle on the demo page");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_partner_is_the_other_loopback_name() {
        use super::partner_origin;
        assert_eq!(
            partner_origin("http:", "localhost:3000"),
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            partner_origin("http:", "127.0.0.1:3000"),
            "http://localhost:3000"
        );
        assert_eq!(
            partner_origin("https:", "chat.example"),
            "https://chat.example"
        );
    }
}
