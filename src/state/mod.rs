//! What every handler, server function and socket sees: settings, the stores, the hub and
//! presence. Below the features and `live`, above `model` and `store`; it imports neither a
//! feature nor `server`, which only assembles it.
pub mod access;
pub mod attempts;
pub mod csp;
pub mod hub;
pub mod limits;
pub mod presence;
pub mod settings;

use crate::store::Stores;
use axum::extract::FromRef;
use hub::Hub;
use leptos::prelude::LeptosOptions;
use presence::Presence;
use settings::Settings;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Provided to server functions as context and to axum handlers as state. Cloned for every
/// request and socket, so it is one shared pointer (a field-by-field clone showed in the
/// reconnect storm's profile).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the node's handlers share; reached through `AppState`.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub stores: Stores,
    pub hub: Arc<Hub>,
    pub presence: Arc<Presence>,
    /// One-time token for the first admin when none was configured.
    pub setup_token: Arc<Mutex<Option<String>>>,
    /// Flips to true when the node is stopping: sockets tell their clients to reconnect.
    pub stopping: watch::Receiver<bool>,
    /// Sockets open on this node, so shutdown can wait for their close handshakes.
    pub open_sockets: Arc<AtomicI64>,
    /// Failed sign-ins per account and address: slowed, then locked for a while.
    pub sign_in_failures: Arc<attempts::FailedAttempts>,
    /// Message, conversation and socket rates per visitor and address.
    pub rate_limits: Arc<limits::RateLimits>,
    /// The bytes of files sent in conversations (a folder or S3-compatible storage).
    pub files: Arc<crate::store::files::FileStore>,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        settings: Settings,
        stores: Stores,
        files: crate::store::files::FileStore,
        stopping: watch::Receiver<bool>,
    ) -> AppState {
        let sign_in_failures = attempts::FailedAttempts::new(settings.limits.sign_in_policy());
        AppState(Arc::new(Shared {
            leptos_options,
            hub: Hub::new(settings.live_buffer),
            rate_limits: limits::RateLimits::new(settings.limits.clone()),
            settings: Arc::new(settings),
            stores,
            presence: Arc::default(),
            setup_token: Arc::default(),
            stopping,
            open_sockets: Arc::default(),
            sign_in_failures: Arc::new(sign_in_failures),
            files: Arc::new(files),
        }))
    }

    /// The state inside a server function.
    pub fn from_context() -> AppState {
        leptos::prelude::expect_context::<AppState>()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
