//! Inboxes on the server: who may read and change them, the widget's view of one, and the
//! `frame-ancestors` policy of the widget page.
use super::InboxMembers;
use crate::auth::ssr::{require_admin, require_agent, state};
use crate::clock::now_ms;
use crate::error::{internal, AppError, AppResult};
use crate::model::{
    availability, widget_language, InboxSettings, InboxSummary, WidgetInbox, DEFAULT_INBOX,
};
use crate::state::access::{host_allowed, inbox_access, referring_origin, request_headers};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub async fn load(state: &AppState, id: &str) -> AppResult<InboxSettings> {
    let id = if id.is_empty() { DEFAULT_INBOX } else { id };
    state
        .stores
        .inboxes
        .get(id)
        .await
        .map_err(internal)?
        .ok_or(AppError::InboxNotFound)
}

/// The inbox a visitor's widget belongs to, refused when the page framing it (`host`, else
/// the request's `Referer`) is not one of the inbox's sites.
pub async fn checked_for_visitor(
    state: &AppState,
    inbox: &str,
    host: &str,
    headers: &HeaderMap,
) -> AppResult<InboxSettings> {
    let host = match host.trim() {
        "" => referring_origin(headers).unwrap_or_default(),
        host => host.to_string(),
    };
    let settings = load(state, inbox).await?;
    if !settings.enabled {
        return Err(AppError::InboxSwitchedOff);
    }
    if !host_allowed(state, &settings, &host) {
        tracing::info!(inbox = %settings.id, %host, "widget refused on a site not on the inbox's list");
        return Err(AppError::SiteNotAllowed);
    }
    Ok(settings)
}

pub async fn widget(inbox: &str, host: &str) -> AppResult<WidgetInbox> {
    // Read from the request before the first await: while the page renders, the context is
    // gone after it.
    let state = state();
    let headers = request_headers();
    let accept_language = accept_language(&headers);
    let settings = checked_for_visitor(&state, inbox, host, &headers).await?;
    Ok(WidgetInbox {
        availability: availability(&settings.hours, &settings.time_zone, now_ms()),
        id: settings.id,
        name: settings.name,
        color: settings.color,
        greeting: settings.greeting,
        away_message: settings.away_message,
        ask_email: settings.ask_email,
        language: widget_language(&settings.language, &accept_language).into(),
        mail: state.settings.mail.smtp_url.is_some(),
    })
}

fn accept_language(headers: &HeaderMap) -> String {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

pub async fn mine() -> AppResult<Vec<InboxSummary>> {
    let state = state();
    let agent = require_agent().await?;
    let access = inbox_access(&state, &agent).await?;
    let mut inboxes = state.stores.inboxes.list().await.map_err(internal)?;
    inboxes.retain(|inbox| access.allows(&inbox.id));
    Ok(inboxes)
}

pub async fn load_for_admin(id: &str) -> AppResult<InboxSettings> {
    let state = state();
    require_admin().await?;
    load(&state, id).await
}

pub async fn save(settings: InboxSettings) -> AppResult<InboxSettings> {
    let state = state();
    let admin = require_admin().await?;
    let settings = settings.validate()?;
    let saved = state
        .stores
        .inboxes
        .save(&settings)
        .await
        .map_err(internal)?;
    if !saved {
        return Err(AppError::InboxNotFound);
    }
    tracing::info!(inbox = %settings.id, admin = %admin.id, "inbox settings saved");
    Ok(settings)
}

pub async fn create(name: String) -> AppResult<InboxSettings> {
    let state = state();
    let admin = require_admin().await?;
    // A short public id: it stands in every snippet (`data-inbox`).
    let id: String = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    let settings = InboxSettings {
        id,
        name,
        ..load(&state, DEFAULT_INBOX).await?
    };
    let settings = InboxSettings {
        allowed_domains: Vec::new(),
        hours: Vec::new(),
        enabled: true,
        ..settings
    }
    .validate()?;
    state
        .stores
        .inboxes
        .create(&settings, std::slice::from_ref(&admin.id), now_ms())
        .await
        .map_err(internal)?;
    // Admins' sockets follow every inbox: the new one too.
    crate::live::presence::access_changed(&state).await;
    tracing::info!(inbox = %settings.id, admin = %admin.id, "inbox created");
    Ok(settings)
}

pub async fn page(id: &str) -> AppResult<(InboxSettings, InboxMembers)> {
    let state = state();
    require_admin().await?;
    let settings = load(&state, id).await?;
    Ok((settings, members_of(&state, id).await?))
}

async fn members_of(state: &AppState, id: &str) -> AppResult<InboxMembers> {
    let agents = state
        .stores
        .accounts
        .team()
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|member| member.active)
        .map(|member| (member.agent.id, member.agent.name))
        .collect();
    let members = state.stores.inboxes.members(id).await.map_err(internal)?;
    Ok(InboxMembers { agents, members })
}

pub async fn save_members(id: &str, members: Vec<String>) -> AppResult<InboxMembers> {
    let state = state();
    let admin = require_admin().await?;
    if members.len() > 1000 {
        return Err(AppError::Invalid("Too many members.".into()));
    }
    let saved = state
        .stores
        .inboxes
        .set_members(id, &members)
        .await
        .map_err(internal)?;
    if !saved {
        return Err(AppError::InboxNotFound);
    }
    // Sockets follow inboxes by membership: theirs reconnect and follow the new set.
    crate::live::presence::access_changed(&state).await;
    tracing::info!(inbox = %id, admin = %admin.id, "inbox members saved");
    members_of(&state, id).await
}

/// Sends the widget page with its inbox's `frame-ancestors`, so only the listed sites can
/// frame it (browsers then refuse to show it anywhere else).
pub async fn frame_policy(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let inbox = (request.uri().path() == "/widget").then(|| {
        request
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .find_map(|pair| pair.strip_prefix("inbox="))
            .unwrap_or(DEFAULT_INBOX)
            .to_string()
    });
    let mut response = next.run(request).await;
    if let Some(inbox) = inbox {
        let policy = match load(&state, &inbox).await {
            Ok(inbox) => inbox.frame_ancestors(),
            // Unknown settings: refuse framing by others rather than allow everyone.
            Err(_) => Some("frame-ancestors 'self'".to_string()),
        };
        if let Some(value) = policy.and_then(|p| HeaderValue::from_str(&p).ok()) {
            // Appended: the page's own policy (scripts, connections) stays; both apply.
            response
                .headers_mut()
                .append(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}
