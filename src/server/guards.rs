//! What every request passes before a handler sees it: the origin check (CSRF and cross-site
//! socket hijacking), the body limit, and the headers every response carries.
use crate::error::{ssr::BodyLimit, AppError};
use crate::state::access::origin_of;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// Adds the security headers, the body limit and the slow-client time-out to `router`.
pub fn harden(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let limits = &state.settings.limits;
    let same_for_all = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    ];
    let mut router = router
        .layer(axum::middleware::from_fn(deny_framing))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_body,
        ))
        .layer(DefaultBodyLimit::max(limits.body_bytes));
    for (name, value) in same_for_all {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if state.settings.public_url.starts_with("https://") {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    // A client that trickles its request in (or a handler stuck on it) is cut off.
    router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        limit_time,
    ))
}

/// An upload (a file's body) gets `file_bytes` and `upload_secs`; every other request
/// `body_bytes` and `request_secs`.
fn is_upload(request: &Request) -> bool {
    request.method() == Method::POST && request.uri().path() == crate::attachments::ssr::UPLOAD_PATH
}

async fn limit_time(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.settings.limits;
    let secs = if is_upload(&request) {
        limits.upload_secs
    } else {
        limits.request_secs
    };
    let limit = std::time::Duration::from_secs(secs.max(1));
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::http::StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// Refuses state-changing requests and socket upgrades whose origin is foreign or unknown.
/// Browsers send `Origin` on both; without it, the `Referer`'s origin stands in; with
/// neither, nothing shows where the request came from, so it is refused too.
pub async fn origin_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let upgrade = headers
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let guarded = upgrade || (request.method() != Method::GET && request.method() != Method::HEAD);
    if guarded {
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| {
                let referer = headers.get(header::REFERER)?.to_str().ok()?;
                origin_of(referer)
            });
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let allowed = origin
            .as_deref()
            .is_some_and(|origin| state.settings.origin_allowed(origin, host));
        if !allowed {
            tracing::warn!(
                origin = origin.as_deref().unwrap_or("(none)"),
                "refused a request from a foreign or unknown origin"
            );
            let reason = if origin.is_some() {
                "This site may not call Switchboard."
            } else {
                "The request does not say which site it came from."
            };
            return AppError::Forbidden(reason.into()).into_response();
        }
    }
    next.run(request).await
}

/// Refuses a body announced over the limit at once, with the typed 413; one that grows past
/// it unannounced is cut off by `DefaultBodyLimit` and ends as the same error.
async fn limit_body(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let max_bytes = if is_upload(&request) {
        state.settings.limits.file_bytes
    } else {
        state.settings.limits.body_bytes
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > max_bytes as u64) {
        return AppError::TooLarge { max_bytes }.into_response();
    }
    request.extensions_mut().insert(BodyLimit(max_bytes));
    next.run(request).await
}

/// No page but the widget may be framed (clickjacking); the widget's own rule lists its
/// inbox's sites (`inboxes::ssr::frame_policy`).
async fn deny_framing(request: Request, next: Next) -> Response {
    let widget = request.uri().path() == "/widget";
    let mut response = next.run(request).await;
    if !widget {
        let headers = response.headers_mut();
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.append(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    response
}
