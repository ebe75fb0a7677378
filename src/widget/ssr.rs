//! The widget's server side: the visitor's token, their one conversation, and starting it.
use super::WidgetSession;
use crate::chat::ssr::{post, publish, store_error};
use crate::clock::now_ms;
use crate::error::{internal, AppError, AppResult};
use crate::model::{Availability, Conversation, SenderKind, PAGE_SIZE};
use crate::state::access::{
    new_token, request_headers, set_cookie, token_hash, visitor_conversation, VISITOR_COOKIE,
};
use crate::state::AppState;
use crate::store::{Appended, Author, NewConversation, Viewer, VisitorChange};
use axum::http::header;

const VISITOR_COOKIE_SECS: i64 = 365 * 86_400;

pub fn author(conversation: &Conversation) -> Author {
    Author {
        kind: SenderKind::Visitor,
        id: None,
        name: conversation.visitor_name.clone(),
    }
}

/// The visitor reads only the conversation their token opened.
pub fn viewer(conversation: &Conversation) -> Viewer<'_> {
    Viewer::Visitor {
        conversation_id: &conversation.id,
    }
}

pub async fn leave_email(email: String, visitor: String) -> AppResult<Conversation> {
    let state = crate::state::AppState::from_context();
    let email = crate::model::validate_email(&email)?;
    let conversation = own_conversation(&state, &visitor)
        .await?
        .ok_or(AppError::ConversationNotFound)?;
    let change = VisitorChange {
        email: Some(email),
        ..VisitorChange::default()
    };
    update_visitor(&state, &conversation, change).await
}

/// The visitor moved to another page of the host site (single-page apps included).
pub async fn visitor_page(
    url: String,
    title: String,
    referrer: String,
    visitor: String,
) -> AppResult<Conversation> {
    let state = crate::state::AppState::from_context();
    let url = optional(url, 2000, "page address")?
        .ok_or_else(|| AppError::Invalid("The page address is missing.".into()))?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(AppError::Invalid(
            "The page address must be a web address.".into(),
        ));
    }
    let title = optional(title, 300, "page title")?.unwrap_or_default();
    let referrer = optional(referrer, 2000, "referrer")?
        .filter(|r| r.starts_with("https://") || r.starts_with("http://"));
    let conversation = own_conversation(&state, &visitor)
        .await?
        .ok_or(AppError::ConversationNotFound)?;
    let change = VisitorChange {
        page_url: Some(url),
        page_title: Some(title),
        referrer,
        ..VisitorChange::default()
    };
    update_visitor(&state, &conversation, change).await
}

/// What the host site's code said about its visitor (`Switchboard.identify`, `setContext`):
/// a name and e-mail (either may be empty: unchanged) and the whole context as JSON pairs.
pub async fn visitor_context(
    name: String,
    email: String,
    context: String,
    visitor: String,
) -> AppResult<Conversation> {
    let state = crate::state::AppState::from_context();
    let name = optional(name, 80, "name")?;
    let email = optional(email, 254, "e-mail")?
        .map(|email| crate::model::validate_email(&email))
        .transpose()?;
    if context.len() > 16 * 1024 {
        return Err(AppError::Invalid(
            "The visitor context is too large.".into(),
        ));
    }
    let entries: Vec<(String, String)> = serde_json::from_str(&context).map_err(|_| {
        AppError::Invalid("The visitor context must be a list of [key, value] pairs.".into())
    })?;
    let entries = crate::model::validate_context(entries)?;
    let conversation = own_conversation(&state, &visitor)
        .await?
        .ok_or(AppError::ConversationNotFound)?;
    let change = VisitorChange {
        name,
        email,
        context: Some(serde_json::to_string(&entries).map_err(internal)?),
        ..VisitorChange::default()
    };
    update_visitor(&state, &conversation, change).await
}

async fn update_visitor(
    state: &AppState,
    conversation: &Conversation,
    change: VisitorChange,
) -> AppResult<Conversation> {
    let updated = state
        .stores
        .conversations
        .update_visitor(viewer(conversation), &conversation.id, &change)
        .await
        .map_err(store_error)?
        .ok_or(AppError::ConversationNotFound)?;
    // The agent's visitor panel shows it at once.
    state.hub.publish_conversation(&updated);
    Ok(updated.for_visitor())
}

/// The conversation the visitor's token opened: `visitor` is the token the widget sends
/// itself (empty: the cookie's).
pub async fn own_conversation(state: &AppState, visitor: &str) -> AppResult<Option<Conversation>> {
    visitor_conversation(state, &request_headers(), visitor).await
}

/// The widget opened again: the visitor's conversation in this inbox, if they have one, and
/// a visit counted when the last one was long enough ago.
pub async fn resume(
    state: &AppState,
    visitor: &str,
    inbox: &str,
) -> AppResult<Option<Conversation>> {
    let inbox = if inbox.is_empty() {
        crate::model::DEFAULT_INBOX
    } else {
        inbox
    };
    let Some(conversation) = own_conversation(state, visitor).await? else {
        return Ok(None);
    };
    if conversation.inbox_id != inbox {
        return Ok(None);
    }
    let seen = VisitorChange {
        seen_at: Some(now_ms()),
        ..VisitorChange::default()
    };
    let conversation = state
        .stores
        .conversations
        .update_visitor(viewer(&conversation), &conversation.id, &seen)
        .await
        .map_err(store_error)?
        .unwrap_or(conversation);
    Ok(Some(conversation))
}

/// What a new visitor's browser tells: where the widget is, its language and time zone.
pub struct StartFacts {
    pub inbox: String,
    pub host: String,
    pub page_url: String,
    pub language: String,
    pub time_zone: String,
}

pub async fn session(state: &AppState, conversation: Conversation) -> AppResult<WidgetSession> {
    let messages = state
        .stores
        .conversations
        .messages_before(viewer(&conversation), &conversation.id, None, PAGE_SIZE)
        .await
        .map_err(store_error)?;
    Ok(WidgetSession {
        conversation: conversation.for_visitor(),
        messages,
        visitor_token: None,
    })
}

fn optional(value: String, max: usize, what: &str) -> AppResult<Option<String>> {
    let value = value.trim().to_string();
    if value.chars().count() > max {
        return Err(AppError::Invalid(format!(
            "The {what} can be at most {max} characters."
        )));
    }
    Ok((!value.is_empty()).then_some(value))
}

pub async fn start(
    name: String,
    email: String,
    body: String,
    client_id: String,
    facts: StartFacts,
    visitor: String,
) -> AppResult<WidgetSession> {
    let state = crate::state::AppState::from_context();
    let headers = request_headers();
    let from = crate::state::access::client_address();
    // Validate everything before writing anything.
    crate::model::validate_body_within(&body, state.settings.limits.message_chars())?;
    crate::model::validate_client_id(&client_id)?;
    let name = optional(name, 80, "name")?;
    let email = optional(email, 254, "e-mail")?
        .map(|email| crate::model::validate_email(&email))
        .transpose()?;
    let page_url = optional(facts.page_url, 2000, "page address")?;
    let language = optional(facts.language, 35, "language")?;
    let time_zone = optional(facts.time_zone, 64, "time zone")?;
    let inbox =
        crate::inboxes::ssr::checked_for_visitor(&state, &facts.inbox, &facts.host, &headers)
            .await?;

    // A visitor who already has a conversation here keeps writing into it.
    let existing = visitor_conversation(&state, &headers, &visitor)
        .await?
        .filter(|conversation| conversation.inbox_id == inbox.id);
    if let Some(conversation) = existing {
        crate::live::post::post_from_visitor(
            &state,
            &conversation.id,
            author(&conversation),
            &body,
            &client_id,
            from,
        )
        .await?;
        return session(&state, conversation).await;
    }
    state.rate_limits.new_conversation(from)?;
    // This inbox wants a way to reply before the chat starts; so does a closed one.
    let now = now_ms();
    let out_of_hours = matches!(
        crate::model::availability(&inbox.hours, &inbox.time_zone, now),
        Availability::Closed { .. }
    );
    if (inbox.ask_email || out_of_hours) && email.is_none() {
        return Err(AppError::Invalid(
            "Please give your e-mail, so we can reply even after you leave.".into(),
        ));
    }
    let token = new_token();
    let token_hash = token_hash(&token);
    let visitor_name =
        name.unwrap_or_else(|| format!("Visitor {}", &token_hash[..4].to_uppercase()));
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(400).collect());
    let conversation = state
        .stores
        .conversations
        .create(NewConversation {
            inbox_id: inbox.id.clone(),
            visitor_token_hash: token_hash,
            visitor_name,
            visitor_email: email,
            page_url,
            user_agent,
            // Nobody online: the widget offered to reply by e-mail; the inbox shows it.
            offline: state.presence.names().is_empty(),
            out_of_hours,
            now,
        })
        .await
        .map_err(internal)?;
    if language.is_some() || time_zone.is_some() {
        let facts = VisitorChange {
            language,
            time_zone,
            ..VisitorChange::default()
        };
        update_visitor(&state, &conversation, facts).await?;
    }
    set_cookie(&state, VISITOR_COOKIE, &token, VISITOR_COOKIE_SECS);
    // Publish the new conversation before its first message so inboxes can show it at once.
    publish(
        &state,
        &Appended {
            events: vec![],
            conversation: conversation.clone(),
            duplicate: false,
        },
    );
    post(
        &state,
        &conversation,
        author(&conversation),
        &body,
        &client_id,
    )
    .await?;
    let conversation = state
        .stores
        .conversations
        .get(viewer(&conversation), &conversation.id)
        .await
        .map_err(internal)?
        .ok_or(AppError::Internal)?;
    tracing::info!(conversation = %conversation.id, "conversation started");
    // Auto-assignment, when on, gives it to whoever is in turn right away.
    if let Err(error) = crate::routing::ssr::assign_waiting(&state).await {
        tracing::warn!(?error, "auto-assignment failed; the sweep retries");
    }
    // The token goes back once, to the widget: framed on another site it keeps the token
    // itself, since our cookie does not reach us from there.
    let mut started = session(&state, conversation).await?;
    started.visitor_token = Some(token);
    Ok(started)
}
