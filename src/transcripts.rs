//! Transcripts: an agent downloads a conversation as plain text or HTML, internal notes left
//! out unless asked for. Served at `GET /agent/transcript/{id}?format=txt|html&notes=true` to
//! agents who may read the conversation, times in the agent's own time zone. A visitor can ask
//! for theirs by e-mail (`email_transcript`; the `mail` sender sends it).
use leptos::prelude::*;

/// The thread's "Transcript" menu: two downloads, and whether notes go in.
#[component]
pub fn TranscriptMenu(conversation_id: String) -> impl IntoView {
    let notes = RwSignal::new(false);
    let link = move |format: &'static str| {
        let id = conversation_id.clone();
        move || {
            let notes = if notes.get() { "&notes=true" } else { "" };
            format!("/agent/transcript/{id}?format={format}{notes}")
        }
    };
    view! {
        <details class="transcript-menu">
            <summary class="secondary" data-testid="transcript-menu">"Transcript"</summary>
            <div class="menu-panel">
                <a href=link("txt") download data-testid="transcript-txt">"Download as text"</a>
                <a href=link("html") download data-testid="transcript-html">"Download as HTML"</a>
                <label class="toggle">
                    <input type="checkbox" prop:checked=move || notes.get() data-testid="transcript-notes"
                        on:change=move |ev| notes.set(event_target_checked(&ev))/>
                    "Include internal notes"
                </label>
            </div>
        </details>
    }
}

/// The visitor asks for the conversation's transcript by e-mail; answers the address it goes
/// to. `MailOff` when the server has no SMTP server.
#[server(endpoint = "email_transcript")]
pub async fn email_transcript(
    email: String,
    #[server(default)] visitor: String,
) -> Result<String, crate::error::AppError> {
    ssr::email(email, visitor).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::{AppError, AppResult};
    use crate::live::post::store_error;
    use crate::model::{Conversation, MailKind, Message, OutgoingMail, SenderKind};
    use crate::state::{access, AppState};
    use crate::store::Viewer;
    use axum::extract::{Path, Query, State};
    use axum::http::{header, HeaderMap};
    use axum::response::{IntoResponse, Response};
    use jiff::tz::TimeZone;
    use leptos::prelude::*;
    use leptos::tachys::view::RenderHtml;

    #[derive(serde::Deserialize)]
    pub struct Wanted {
        #[serde(default)]
        format: String,
        #[serde(default)]
        notes: bool,
    }

    /// Events read from the store per page while gathering a whole conversation.
    const PAGE: u32 = 500;

    pub async fn download(
        State(state): State<AppState>,
        Path(id): Path<String>,
        Query(wanted): Query<Wanted>,
        headers: HeaderMap,
    ) -> Response {
        match transcript(&state, &id, &wanted, &headers).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    }

    async fn transcript(
        state: &AppState,
        id: &str,
        wanted: &Wanted,
        headers: &HeaderMap,
    ) -> AppResult<Response> {
        let (content_type, extension) = match wanted.format.as_str() {
            "" | "txt" => ("text/plain; charset=utf-8", "txt"),
            "html" => ("text/html; charset=utf-8", "html"),
            _ => return Err(AppError::BadRequest("format is txt or html".into())),
        };
        let agent = access::agent_from_headers(state, headers)
            .await?
            .ok_or(AppError::SignInRequired)?;
        let inboxes = access::inbox_access(state, &agent).await?;
        let viewer = Viewer::Agent(&agent, &inboxes);
        let conversations = &state.stores.conversations;
        let conversation = conversations
            .get(viewer, id)
            .await
            .map_err(store_error)?
            .ok_or(AppError::ConversationNotFound)?;
        let mut messages = all_messages(state, viewer, id).await?;
        messages.retain(|m| wanted.notes || m.sender != SenderKind::Note);
        let zone = state
            .stores
            .accounts
            .settings(&agent.id)
            .await
            .map_err(store_error)?
            .and_then(|settings| TimeZone::get(&settings.time_zone).ok())
            .unwrap_or(TimeZone::UTC);
        let when = clock_in(zone);
        let body = if extension == "html" {
            html(&conversation, &messages, &when)
        } else {
            text(&conversation, &messages, &when)
        };
        let name = format!(
            "attachment; filename=\"transcript-{}.{extension}\"",
            &conversation.id[..conversation.id.len().min(8)]
        );
        Ok((
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (header::CONTENT_DISPOSITION, name),
                (header::CACHE_CONTROL, "no-store".to_string()),
                // Opened rather than saved, it still runs nothing.
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'".to_string(),
                ),
            ],
            body,
        )
            .into_response())
    }

    /// Every event of a conversation this viewer may see, oldest first, read page by page.
    async fn all_messages(
        state: &AppState,
        viewer: Viewer<'_>,
        id: &str,
    ) -> AppResult<Vec<Message>> {
        let mut messages = Vec::new();
        loop {
            let after = messages.last().map_or(0, |m: &Message| m.seq);
            let page = state
                .stores
                .conversations
                .messages_after(viewer, id, after, PAGE)
                .await
                .map_err(store_error)?;
            let done = page.len() < PAGE as usize;
            messages.extend(page);
            if done {
                return Ok(messages);
            }
        }
    }

    /// "2026-12-02 14:05" in a time zone.
    fn clock_in(zone: TimeZone) -> impl Fn(i64) -> String {
        move |ms: i64| {
            jiff::Timestamp::from_millisecond(ms)
                .map(|at| {
                    at.to_zoned(zone.clone())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default()
        }
    }

    /// The visitor asks for their transcript by e-mail: queued for the sender (`mail`), in
    /// their own time zone, never with a note. Counted against the visitor's message rate, so
    /// the widget cannot be used to send mail in bulk.
    pub async fn email(email: String, visitor: String) -> AppResult<String> {
        let state = AppState::from_context();
        let (headers, from) = (access::request_headers(), access::client_address());
        if state.settings.mail.smtp_url.is_none() {
            return Err(AppError::MailOff);
        }
        let email = crate::model::validate_email(&email)?;
        if email.parse::<lettre::Address>().is_err() {
            return Err(AppError::Invalid(
                "That does not look like an e-mail address.".into(),
            ));
        }
        let conversation = access::visitor_conversation(&state, &headers, &visitor)
            .await?
            .ok_or(AppError::ConversationNotFound)?;
        state.rate_limits.visitor_message(&conversation.id, from)?;
        let viewer = Viewer::Visitor {
            conversation_id: &conversation.id,
        };
        // A visitor without an e-mail on file gave one now: replies can reach them too.
        if conversation.visitor_email.is_none() {
            let change = crate::store::VisitorChange {
                email: Some(email.clone()),
                ..Default::default()
            };
            let conversations = &state.stores.conversations;
            let updated = conversations.update_visitor(viewer, &conversation.id, &change);
            if let Some(updated) = updated.await.map_err(store_error)? {
                state.hub.publish_conversation(&updated);
            }
        }
        let messages = all_messages(&state, viewer, &conversation.id).await?;
        let zone = conversation
            .visitor_facts
            .time_zone
            .as_deref()
            .and_then(|zone| TimeZone::get(zone).ok())
            .unwrap_or(TimeZone::UTC);
        let body = text(&conversation, &messages, &clock_in(zone));
        let now = crate::clock::now_ms();
        let id = uuid::Uuid::new_v4().to_string();
        let mail = OutgoingMail {
            subject: "Your conversation transcript".into(),
            body,
            ..OutgoingMail::waiting(id, MailKind::Transcript, &conversation.id, &email, now, now)
        };
        state
            .stores
            .mail
            .queue(&mail)
            .await
            .map_err(crate::error::internal)?;
        Ok(email)
    }

    fn author(message: &Message) -> String {
        match message.sender {
            SenderKind::Note => format!("Note by {}", message.sender_name),
            _ => message.sender_name.clone(),
        }
    }

    fn heading(conversation: &Conversation) -> String {
        match &conversation.visitor_email {
            Some(email) => format!("Conversation with {} <{email}>", conversation.visitor_name),
            None => format!("Conversation with {}", conversation.visitor_name),
        }
    }

    pub fn text(
        conversation: &Conversation,
        messages: &[Message],
        when: &dyn Fn(i64) -> String,
    ) -> String {
        let mut out = format!(
            "{}\nStarted {} · {} · {}\n",
            heading(conversation),
            when(conversation.created_at),
            conversation.status.label(),
            conversation
                .assignee_name
                .as_deref()
                .map_or("Unassigned".to_string(), |name| format!(
                    "Assigned to {name}"
                )),
        );
        if let Some(page) = &conversation.visitor_page {
            out.push_str(&format!("Page: {page}\n"));
        }
        out.push('\n');
        for message in messages {
            // Later lines of a message are indented under its first.
            let body = message.plain_text().replace('\n', "\n    ");
            match message.sender {
                SenderKind::System => {
                    out.push_str(&format!("[{}] — {body}\n", when(message.created_at)))
                }
                _ => out.push_str(&format!(
                    "[{}] {}: {body}\n",
                    when(message.created_at),
                    author(message)
                )),
            }
        }
        out
    }

    /// Text is escaped by the view, as on every page.
    pub fn html(
        conversation: &Conversation,
        messages: &[Message],
        when: &dyn Fn(i64) -> String,
    ) -> String {
        let rows = messages
            .iter()
            .map(|message| {
                let class = match message.sender {
                    SenderKind::Visitor => "visitor",
                    SenderKind::Agent => "agent",
                    SenderKind::System => "system",
                    SenderKind::Note => "note",
                };
                view! {
                    <div class=class>
                        <p class="meta"><strong>{author(message)}</strong>" · "<time>{when(message.created_at)}</time></p>
                        <p class="body">{message.plain_text()}</p>
                    </div>
                }
            })
            .collect_view();
        let page = view! {
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <title>{heading(conversation)}</title>
                    <style>"body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:24px auto;padding:0 16px;color:#111827}\
                        .meta{margin:0;color:#5b616e;font-size:12px}.body{margin:2px 0 14px;white-space:pre-wrap;overflow-wrap:anywhere}\
                        .system .body{color:#5b616e;font-style:italic}.note{background:#fef3c7;border-left:3px solid #d97706;padding:4px 10px;margin-bottom:14px}"</style>
                </head>
                <body>
                    <h1>{heading(conversation)}</h1>
                    <p class="meta">"Started "{when(conversation.created_at)}" · "{conversation.status.label()}</p>
                    {rows}
                </body>
            </html>
        };
        format!("<!DOCTYPE html>{}", page.to_html())
    }
}
