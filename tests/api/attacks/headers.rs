//! The security headers on every kind of page, and the CSP nonce on every inline script.
use crate::common::*;

/// Every kind of page carries the security headers; pages carry a CSP whose scripts need the
/// page's nonce; only the widget may be framed.
async fn security_headers_on_every_page_type(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let http = reqwest::Client::new();
    for path in [
        "/",
        "/agent/login",
        "/widget",
        "/embed.js",
        "/healthz",
        "/nowhere",
    ] {
        let response = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(header("permissions-policy").contains("camera=()"), "{path}");
        let csp = header("content-security-policy");
        if path == "/widget" {
            assert_eq!(header("x-frame-options"), "", "the widget may be framed");
        } else {
            assert_eq!(header("x-frame-options"), "DENY", "{path}");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        }
        let html = headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        if html && path != "/nowhere" {
            let page = response.text().await.unwrap();
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .unwrap_or_else(|| panic!("{path}: no nonce in {csp}"));
            assert!(!csp.contains("'unsafe-eval'"), "{path}: {csp}");
            // The demo host page is plain HTML: it compiles no WASM at all.
            let wasm = csp.contains("'wasm-unsafe-eval'");
            assert_eq!(wasm, path != "/", "{path}: {csp}");
            assert!(page.contains(&format!("nonce=\"{nonce}\"")), "{path}");
            // Every inline script carries it.
            for script in page.split("<script").skip(1) {
                let tag = script.split('>').next().unwrap();
                assert!(
                    tag.contains("src=") || tag.contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: an inline script without the nonce: <script{tag}>"
                );
            }
        }
    }
}

/// The signed-in dashboard, whose page streams resources in inline scripts: each carries the
/// page's nonce.
async fn the_dashboard_scripts_carry_the_nonce(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    start_chat(&server, "Nonce", "hello").await;
    let response = reqwest::Client::new()
        .get(format!("{}/agent", server.base))
        .header("Cookie", agent.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response
        .headers()
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|policy| policy.contains("script-src"))
        .expect("a script policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let page = response.text().await.unwrap();
    assert!(page.contains("conversation-item"), "the inbox rendered");
    let inline: Vec<&str> = page
        .split("<script")
        .skip(1)
        .map(|script| script.split('>').next().unwrap())
        .filter(|tag| !tag.contains("src="))
        .collect();
    assert!(!inline.is_empty(), "the page has inline scripts to check");
    for tag in inline {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
}

on_both_stores!(
    security_headers_on_every_page_type,
    the_dashboard_scripts_carry_the_nonce,
);
