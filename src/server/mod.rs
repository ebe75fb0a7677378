//! The server process: shared state, the router, health and metrics, start-up and shutdown.
pub mod config;

use crate::app::{shell, App};
use crate::live::hub::Hub;
use crate::store::DynStore;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use config::Settings;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Everything a handler or server function needs; provided to server functions as context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub store: DynStore,
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
    /// One-time token for the first admin when none was configured.
    pub setup_token: Arc<Mutex<Option<String>>>,
    pub presence: Arc<crate::live::presence::Presence>,
    /// Flips to true when the node is stopping: sockets tell their clients to reconnect.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Default)]
pub struct Metrics {
    pub sockets_open: AtomicI64,
    pub messages_stored: AtomicU64,
    pub frames_sent: AtomicU64,
    pub resyncs: AtomicU64,
    /// Events received from other nodes, and their summed age on arrival (fan-out lag).
    pub fanout_events: AtomicU64,
    pub fanout_lag_ms_sum: AtomicU64,
    /// Server-function store writes: count and summed latency.
    pub store_writes: AtomicU64,
    pub store_write_us_sum: AtomicU64,
}

impl Metrics {
    fn render(&self, hub: &Hub) -> String {
        let lines = [
            (
                "switchboard_sockets_open",
                "gauge",
                "Open WebSocket connections.",
                self.sockets_open.load(Ordering::Relaxed) as u64,
            ),
            (
                "switchboard_messages_stored_total",
                "counter",
                "Messages stored (excluding duplicates).",
                self.messages_stored.load(Ordering::Relaxed),
            ),
            (
                "switchboard_frames_sent_total",
                "counter",
                "Frames written to sockets.",
                self.frames_sent.load(Ordering::Relaxed),
            ),
            (
                "switchboard_resyncs_total",
                "counter",
                "Catch-ups a lagging socket needed from the store.",
                self.resyncs.load(Ordering::Relaxed),
            ),
            (
                "switchboard_events_published_total",
                "counter",
                "Events published to the hub.",
                hub.published_total(),
            ),
            (
                "switchboard_hub_topics",
                "gauge",
                "Live topics with subscribers.",
                hub.topic_count() as u64,
            ),
        ];
        lines
            .iter()
            .map(|(name, kind, help, value)| {
                format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n")
            })
            .collect()
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.feed_connected() == Some(false) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "change feed disconnected\n",
        )
            .into_response();
    }
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&state.hub),
    )
        .into_response()
}

/// Refuses state-changing requests and socket upgrades from foreign origins (CSRF and
/// cross-site WebSocket hijacking); browsers always send Origin on both.
async fn origin_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let upgrade = headers
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let guarded = upgrade || (request.method() != Method::GET && request.method() != Method::HEAD);
    if guarded {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        if let Some(origin) = origin {
            if !state.settings.origin_allowed(origin, host) {
                tracing::warn!(origin, "refused a request from a foreign origin");
                return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
            }
        }
    }
    next.run(request).await
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/ws", get(crate::live::socket::upgrade))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), origin_guard))
        // The widget's WASM and pages go to every visitor of every embedding site.
        .layer(tower_http::compression::CompressionLayer::new())
        // Typed server-function errors travel as HTTP 500; real faults are logged where they
        // happen (`auth::ssr::internal`), so a 500 here is not an error by itself.
        .layer(
            tower_http::trace::TraceLayer::new_for_http().on_failure(
                tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG),
            ),
        )
        .with_state(state)
}

/// Starts Switchboard with the given settings and serves until Ctrl-C or SIGTERM.
pub async fn run(settings: Settings) -> Result<(), Box<dyn std::error::Error>> {
    let conf = get_configuration(None)?;
    let mut leptos_options = conf.leptos_options;
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "switchboard".into();
    }
    let store = crate::store::open(&settings.database_url).await?;
    tracing::info!(database = %redact(&settings.database_url), "store ready");
    let settings_live_buffer = settings.live_buffer;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let state = AppState {
        leptos_options,
        settings: Arc::new(settings),
        store,
        hub: Hub::new(settings_live_buffer),
        metrics: Arc::new(Metrics::default()),
        setup_token: Arc::new(Mutex::new(None)),
        presence: Arc::default(),
        stopping,
    };
    crate::auth::ssr::bootstrap_admin(&state).await?;
    crate::live::fanout::spawn(state.clone());
    crate::live::presence::spawn_heartbeat(state.clone());

    let listener = tokio::net::TcpListener::bind(state.settings.address).await?;
    let bound = listener.local_addr()?;
    // Tests and scripts read this line to find the port.
    println!("listening on http://{bound}");
    tracing::info!(%bound, "Switchboard is up");
    let metrics = state.metrics.clone();
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Sockets close with 1012 (service restart) so clients reconnect, to another node
            // if there is one; then in-flight requests drain.
            let _ = stop.send(true);
        })
        .await?;
    // Upgraded sockets are not connections axum waits for: let their sessions send the
    // close frame and finish before the process exits.
    let drained = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while metrics.sockets_open.load(Ordering::Relaxed) > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!("stopping with sockets still open");
    }
    tracing::info!("stopped");
    Ok(())
}

fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((scheme_and_user, host)) => {
            let scheme = scheme_and_user.split("://").next().unwrap_or("db");
            format!("{scheme}://…@{host}")
        }
        None => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
