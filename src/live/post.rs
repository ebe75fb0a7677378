//! Posting a message: validate, store (idempotently, by the sender's client id), publish.
//! One path for every way a message arrives: the server functions (`chat::ssr` re-exports it)
//! and a visitor's socket (`ClientFrame::Send`).
use crate::clock::now_ms;
use crate::error::{internal, AppError, AppResult};
use crate::model::{
    validate_body_within, validate_client_id, Attachment, MailKind, Message, OutgoingMail,
    SenderKind,
};
use crate::state::AppState;
use crate::store::{Appended, Author, PostMessage, StoreError};

pub fn store_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => AppError::ConversationNotFound,
        other => internal(other),
    }
}

/// Validates, stores (idempotently) and publishes one message; returns the stored message.
pub async fn post(
    state: &AppState,
    conversation_id: &str,
    author: Author,
    body: &str,
    client_id: &str,
) -> AppResult<Message> {
    let appended = append(state, conversation_id, author, body, client_id, None).await?;
    appended.events.last().cloned().ok_or(AppError::Internal)
}

/// Posts a file already in the file store as a message of its own (its body is the file's
/// name, so previews, search, transcripts and e-mail name it). Answers the stored message and
/// whether it was stored before (a retried upload: the caller drops its new copy). A visitor's
/// upload was counted against their rates before its body was read (`attachments::ssr`).
pub async fn post_file(
    state: &AppState,
    conversation_id: &str,
    author: Author,
    file: Attachment,
    client_id: &str,
) -> AppResult<(Message, bool)> {
    let name = file.name.clone();
    let visitor = author.kind == SenderKind::Visitor;
    let appended = append(state, conversation_id, author, &name, client_id, Some(file)).await?;
    if visitor {
        wake_if_snoozed(state, &appended).await;
    }
    let message = appended.events.last().cloned().ok_or(AppError::Internal)?;
    Ok((message, appended.duplicate))
}

/// `post`, answering with everything the write produced.
async fn append(
    state: &AppState,
    conversation_id: &str,
    author: Author,
    body: &str,
    client_id: &str,
    attachment: Option<Attachment>,
) -> AppResult<Appended> {
    let body = validate_body_within(body, state.settings.limits.message_chars())?;
    validate_client_id(client_id)?;
    let received = std::time::Instant::now();
    let appended = state
        .stores
        .conversations
        .post(PostMessage {
            conversation_id: conversation_id.to_string(),
            client_id: client_id.to_string(),
            author,
            body,
            now: now_ms(),
            attachment,
        })
        .await
        .map_err(store_error)?;
    if !appended.duplicate {
        crate::telemetry::message_stored(received.elapsed());
        publish(state, &appended);
        gather_reply_mail(state, &appended).await;
    }
    Ok(appended)
}

/// An agent's reply to a visitor who left an e-mail starts a batch (or joins the one
/// gathering) that goes out by e-mail when due, unless the visitor has read it by then
/// (`mail::ssr` sends it). The reply is stored either way: a failure here is only logged.
async fn gather_reply_mail(state: &AppState, appended: &Appended) {
    let conversation = &appended.conversation;
    let (Some(to), Some(_)) = (&conversation.visitor_email, &state.settings.mail.smtp_url) else {
        return;
    };
    let Some(reply) = appended
        .events
        .iter()
        .find(|m| m.sender == SenderKind::Agent)
    else {
        return;
    };
    let now = now_ms();
    let batch_ms =
        i64::try_from(state.settings.mail.batch_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let due = now.saturating_add(batch_ms);
    let id = uuid::Uuid::new_v4().to_string();
    let mail = OutgoingMail {
        after_seq: reply.seq - 1,
        ..OutgoingMail::waiting(id, MailKind::Replies, &conversation.id, to, due, now)
    };
    if let Err(error) = state.stores.mail.queue_replies(&mail).await {
        tracing::warn!(%error, conversation = %conversation.id, "could not queue a reply e-mail");
    }
}

/// A visitor's message: counted against its conversation's and its address's rates before
/// anything is written (a refused one is not stored).
pub async fn post_from_visitor(
    state: &AppState,
    conversation_id: &str,
    author: Author,
    body: &str,
    client_id: &str,
    from: Option<std::net::IpAddr>,
) -> AppResult<Message> {
    state.rate_limits.visitor_message(conversation_id, from)?;
    let appended = append(state, conversation_id, author, body, client_id, None).await?;
    wake_if_snoozed(state, &appended).await;
    appended.events.last().cloned().ok_or(AppError::Internal)
}

/// A snoozed conversation wakes when its visitor writes (a separate write: only snoozed
/// conversations pay for it).
async fn wake_if_snoozed(state: &AppState, appended: &Appended) {
    if appended.conversation.snoozed() && !appended.duplicate {
        let conversation_id = appended.conversation.id.as_str();
        let viewer = crate::store::Viewer::Visitor { conversation_id };
        match state
            .stores
            .conversations
            .snooze(viewer, conversation_id, None)
            .await
        {
            Ok(Some(woken)) => state.hub.publish_conversation(&woken),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, conversation = %conversation_id, "could not wake a snoozed conversation")
            }
        }
    }
}

/// Hands what a write produced to the hub, events first, then the conversation's new state.
pub fn publish(state: &AppState, appended: &Appended) {
    state.hub.publish_appended(appended);
}
