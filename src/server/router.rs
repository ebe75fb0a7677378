//! The router: pages and server functions (leptos), the socket, operations endpoints and the
//! embedded site, behind the origin guard, compression, tracing and request metrics.
use super::{assets::Site, guards, ops};
use crate::app::{shell, App};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

pub fn router(state: AppState, site: Site) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let widget_page = widget_page(&state, site);
    let not_found = leptos_axum::file_and_error_handler::<AppState, _>(shell);
    let router = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/ws", get(crate::live::socket::upgrade))
        .route("/", get(crate::demo::ssr::page))
        .route("/widget", get(widget_page))
        // The inboxes' settings page was /agent/inbox, a name too close to the inbox itself.
        .route("/agent/inbox", get(moved_to_inboxes))
        .route(
            "/agent/transcript/{id}",
            get(crate::transcripts::ssr::download),
        )
        .route(
            crate::attachments::ssr::UPLOAD_PATH,
            axum::routing::post(crate::attachments::ssr::upload),
        )
        .route(
            "/files/{conversation}/{seq}",
            get(crate::attachments::ssr::serve),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            move || shell(leptos_options.clone()),
        )
        // Runs after routing, so it sees the matched route (each server function has its own).
        .route_layer(middleware::from_fn(record_duration))
        .fallback(
            move |uri: Uri, state: State<AppState>, request: Request<Body>| async move {
                match site.serve(&request) {
                    Some(response) => response,
                    None => not_found(uri, state, request).await,
                }
            },
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guards::origin_guard,
        ))
        // The widget page may be framed only by its inbox's allowed sites.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::inboxes::ssr::frame_policy,
        ));
    guards::harden(router, &state)
        // Dynamic responses (pages, server functions) compressed on the fly; embedded files
        // arrive precompressed and pass through.
        .layer(tower_http::compression::CompressionLayer::new())
        // Real faults are logged where they happen (`error::internal`), with their cause.
        .layer(
            tower_http::trace::TraceLayer::new_for_http().on_failure(
                tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG),
            ),
        )
        .with_state(state)
}

/// The widget page, outside the app's router: its own shell, hydrated by the lean widget
/// bundle when the site has one.
fn widget_page(
    state: &AppState,
    site: Site,
) -> impl Fn(Request<Body>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>
       + Clone
       + Send
       + Sync
       + 'static {
    let options = state.leptos_options.clone();
    let bundle = if site.has(&format!("pkg/{}.wasm", crate::widget::LEAN_BUNDLE)) {
        crate::widget::LEAN_BUNDLE.to_string()
    } else {
        tracing::info!("no lean widget bundle in the site: the widget hydrates with the app's");
        options.output_name.to_string()
    };
    let state = state.clone();
    leptos_axum::render_app_to_stream_with_context(
        move || provide_context(state.clone()),
        move || crate::widget::widget_shell(options.clone(), &bundle),
    )
}

/// `/agent/inbox?…` → `/agent/inboxes?…`, for old links and bookmarks.
async fn moved_to_inboxes(uri: Uri) -> axum::response::Redirect {
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    axum::response::Redirect::permanent(&format!("/agent/inboxes{query}"))
}

/// The request-duration histogram, labelled by method, matched route (never the raw path,
/// so a client cannot mint labels) and status.
async fn record_duration(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = match *request.method() {
        Method::GET | Method::HEAD | Method::POST | Method::PUT | Method::DELETE => {
            request.method().to_string()
        }
        _ => "other".to_string(),
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_string(), |m| m.as_str().to_string());
    let response = next.run(request).await;
    crate::telemetry::http_request(method, route, response.status().as_u16(), started.elapsed());
    response
}
