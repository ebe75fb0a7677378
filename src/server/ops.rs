//! Endpoints for operators: `/healthz` and `/metrics`.
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// 200 while the store answers (and, on PostgreSQL, the change feed is connected).
pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.stores.feed.feed_connected() == Some(false) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "change feed disconnected\n",
        )
            .into_response();
    }
    match state.stores.feed.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n").into_response()
        }
    }
}

/// Prometheus text; every series is described in docs/operations.md.
pub async fn metrics() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::render(),
    )
        .into_response()
}
