//! The process: assembles the state, the router and the background tasks, serves, and shuts
//! down cleanly. Nothing below imports from here.
mod assets;
mod guards;
mod listen;
pub mod ops;
mod router;

use crate::state::settings::Settings;
use crate::state::AppState;
use leptos::prelude::*;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;

pub use assets::Site;
pub use router::router;

type StartError = Box<dyn std::error::Error + Send + Sync>;

/// Binds the configured address and serves `site` until Ctrl-C or SIGTERM.
pub async fn serve(settings: Settings, site: Site) -> Result<(), StartError> {
    let listener = TcpListener::bind(settings.address).await?;
    run(settings, site, listener, shutdown_signal()).await
}

/// Serves on `listener` until `shutdown` completes: the embedding point for the binary and
/// for tests (bind port 0, pass a oneshot receiver and `Site::none()`).
pub async fn run(
    settings: Settings,
    site: Site,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let mut leptos_options = get_configuration(None)?.leptos_options;
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "switchboard".into();
    }
    crate::telemetry::handle();
    site.report();
    let database_url = secrecy::ExposeSecret::expose_secret(&settings.database_url).to_string();
    let stores = crate::store::open(&database_url).await?;
    tracing::info!(database = %redact(&database_url), "store ready");
    let files =
        crate::store::files::FileStore::open(settings.files.store.as_deref(), &database_url)?;
    tracing::info!(place = %files.place, "file store ready");
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let state = AppState::new(leptos_options, settings, stores, files, stopping);
    crate::auth::ssr::bootstrap_admin(&state).await?;
    crate::live::fanout::spawn(state.clone());
    crate::live::presence::spawn_heartbeat(state.clone());
    crate::routing::ssr::spawn(state.clone());
    crate::snooze::ssr::spawn(state.clone());
    crate::mail::ssr::spawn(state.clone());
    spawn_limit_sweeper(state.clone());

    let bound = listener.local_addr()?;
    // Tests and scripts read this line to find the port.
    println!("listening on http://{bound}");
    tracing::info!(%bound, "Switchboard is up");
    let open_sockets = state.open_sockets.clone();
    let header_time = Duration::from_secs(state.settings.limits.header_secs.max(1));
    listen::serve(listener, router(state, site), header_time, async move {
        shutdown.await;
        tracing::info!("shutting down");
        // Sockets close with 1012 (service restart) so clients reconnect, to another node
        // if there is one; then in-flight requests drain.
        let _ = stop.send(true);
    })
    .await;
    // Upgraded sockets are not connections axum waits for: let their sessions send the
    // close frame and finish before the process exits.
    let drained = tokio::time::timeout(Duration::from_secs(5), async {
        while open_sockets.load(Ordering::Relaxed) > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!("stopping with sockets still open");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Rate limiters keep a key per visitor and address: forget the idle ones every minute.
fn spawn_limit_sweeper(state: AppState) {
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            state.rate_limits.forget_idle();
        }
    });
}

/// The database URL without its credentials, for logs.
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
}
