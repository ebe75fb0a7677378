//! Endpoints for operators: `/healthz` and `/metrics`, and `switchboard --healthcheck`.
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

/// `switchboard --healthcheck`: whether the server listening on `address` answers `/healthz`
/// with 200 within 5 s. A blocking HTTP/1.0 request over loopback, so a container image needs
/// no curl. An unspecified address (0.0.0.0, ::) is asked on loopback.
pub fn check_health(address: std::net::SocketAddr) -> bool {
    use std::io::{Read, Write};
    use std::time::Duration;
    let mut target = address;
    if target.ip().is_unspecified() {
        let loopback: std::net::IpAddr = if target.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        };
        target.set_ip(loopback);
    }
    let timeout = Duration::from_secs(5);
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&target, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request = format!("GET /healthz HTTP/1.0\r\nHost: {target}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut status_line = [0u8; 12];
    stream.read_exact(&mut status_line).is_ok()
        && (status_line.starts_with(b"HTTP/1.1 200") || status_line.starts_with(b"HTTP/1.0 200"))
}
