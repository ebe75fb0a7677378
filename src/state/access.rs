//! Who is asking: the agent behind a session cookie, the visitor behind a visitor token, and
//! the tokens and cookies that carry them. Shared by server functions and the socket.
use super::AppState;
use crate::clock::now_ms;
use crate::error::{internal, AppResult};
use crate::model::{origin_matches, Agent, Conversation, InboxAccess, InboxSettings};
use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "sb_session";
pub const VISITOR_COOKIE: &str = "sb_visitor";

/// 256 random bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are stored hashed, so a leaked database does not leak sessions.
pub fn token_hash(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The headers of the request a server function is answering.
pub fn request_headers() -> HeaderMap {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .map(|parts| parts.headers)
        .unwrap_or_default()
}

/// The origin (`scheme://host[:port]`) of a URL, or `None` when it has none or holds a
/// character no origin has (so it is safe in a header such as a CSP).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let clean = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]+".contains(c))
    };
    (clean(scheme) && clean(authority)).then(|| format!("{scheme}://{authority}"))
}

/// The address the request came from: the connection's, or behind a trusted reverse proxy
/// the client's it names.
pub fn client_address() -> Option<std::net::IpAddr> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    let trusted = leptos::prelude::use_context::<AppState>()
        .map(|state| state.settings.trusted_proxies.clone())
        .unwrap_or_default();
    Some(address_of(peer, &parts.headers, &trusted))
}

/// The client's address: `peer`, unless `peer` is a trusted proxy; then the nearest address
/// in `X-Forwarded-For` that is not one (the ones before it are the client's to write).
pub fn address_of(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
}

/// Adds a `Set-Cookie` to the server function's response.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) {
    // Served over https (by its public address), cookies are Secure even if not asked.
    let secure =
        if state.settings.secure_cookies || state.settings.public_url.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
    let cookie =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// The signed-in agent, if the session cookie names a live session.
pub async fn agent_from_headers(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Agent>> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    state
        .stores
        .accounts
        .agent_for_session(&token_hash(&token), now_ms())
        .await
        .map_err(internal)
}

pub use crate::model::protocol::SOCKET_PROTOCOL;
const VISITOR_PROTOCOL_PREFIX: &str = "visitor.";

/// The visitor's token: given explicitly (a widget framed on another site, where no cookie
/// reaches us), else in the socket's subprotocols, else in the visitor cookie.
pub fn visitor_token(headers: &HeaderMap, explicit: &str) -> Option<String> {
    let explicit = explicit.trim();
    if !explicit.is_empty() {
        return Some(explicit.to_string());
    }
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(|protocol| protocol.trim().strip_prefix(VISITOR_PROTOCOL_PREFIX))
        .map(str::to_string)
        .or_else(|| cookie(headers, VISITOR_COOKIE))
}

/// The visitor's own conversation, if their token (see `visitor_token`) names one.
pub async fn visitor_conversation(
    state: &AppState,
    headers: &HeaderMap,
    explicit: &str,
) -> AppResult<Option<Conversation>> {
    let Some(token) = visitor_token(headers, explicit) else {
        return Ok(None);
    };
    if !crate::model::plausible_token(&token) {
        return Ok(None);
    }
    let hash = token_hash(&token);
    let stores = &state.stores;
    if let Some(found) = stores
        .conversations
        .for_visitor(&hash)
        .await
        .map_err(internal)?
    {
        return Ok(Some(found));
    }
    // A link from an e-mail (`mail`) opens its conversation as the visitor's token would.
    let linked = stores.mail.link_conversation(&hash, crate::clock::now_ms());
    match linked.await.map_err(internal)? {
        Some(id) => {
            let viewer = crate::store::Viewer::Visitor {
                conversation_id: &id,
            };
            stores
                .conversations
                .get(viewer, &id)
                .await
                .map_err(internal)
        }
        None => Ok(None),
    }
}

/// Which inboxes' conversations this agent sees.
pub async fn inbox_access(state: &AppState, agent: &Agent) -> AppResult<InboxAccess> {
    crate::store::inboxes::access(&*state.stores.inboxes, agent)
        .await
        .map_err(internal)
}

/// The conversation as this agent (with `access`) may see it; one they may not, or that does
/// not exist, is `ConversationNotFound` alike, so ids cannot be probed.
pub async fn agent_conversation(
    state: &AppState,
    agent: &Agent,
    access: &InboxAccess,
    id: &str,
) -> AppResult<Conversation> {
    state
        .stores
        .conversations
        .get(crate::store::Viewer::Agent(agent, access), id)
        .await
        .map_err(internal)?
        .ok_or(crate::error::AppError::ConversationNotFound)
}

/// Whether the widget of this inbox may work on the page of `host` (an origin; empty when the
/// widget is its own page). Our own address always may; an empty list allows any site.
pub fn host_allowed(state: &AppState, inbox: &InboxSettings, host: &str) -> bool {
    let host = host.trim();
    host.is_empty()
        || inbox.allowed_domains.is_empty()
        || host.eq_ignore_ascii_case(state.settings.public_url.trim_end_matches('/'))
        || origin_matches(&inbox.allowed_domains, host)
}

/// The origin of the page that framed a request (its `Referer`), as browsers send it.
pub fn referring_origin(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let (scheme, rest) = referer.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::{address_of, origin_of};
    use axum::http::HeaderMap;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        let client: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(
            address_of(proxy, &headers, &[proxy]),
            client,
            "the hop the proxy saw"
        );
        assert_eq!(
            address_of(proxy, &headers, &[]),
            proxy,
            "an untrusted peer is itself"
        );
        let direct: std::net::IpAddr = "198.51.100.2".parse().unwrap();
        assert_eq!(
            address_of(direct, &headers, &[proxy]),
            direct,
            "no spoofing directly"
        );
        assert_eq!(address_of(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn a_referer_stands_in_for_its_origin() {
        assert_eq!(
            origin_of("https://shop.example:8443/cart?x=1").as_deref(),
            Some("https://shop.example:8443")
        );
        assert_eq!(
            origin_of("http://a.example").as_deref(),
            Some("http://a.example")
        );
        assert_eq!(origin_of("not a url"), None);
        assert_eq!(origin_of("https:///path"), None);
        assert_eq!(
            origin_of("https://a.example;script-src *"),
            None,
            "no policy injection"
        );
    }
}
