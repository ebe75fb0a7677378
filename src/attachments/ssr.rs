//! Receiving a file (`POST /files`) and serving it (`GET /files/{conversation}/{seq}`).
//!
//! An upload is one request whose body is the file: it is read whole (up to `file_bytes`)
//! before anything is written, so a cut-off or oversized upload leaves nothing behind; its type
//! is sniffed from its bytes and must agree with its name; images are decoded (a damaged one
//! is refused) and large ones get a thumbnail. Then the file goes to the file store and is
//! posted as a message of its own; if that fails, the stored copy is removed.
use super::sniff::sniff;
use crate::error::{internal, AppError, AppResult};
use crate::live::post::{post_file, store_error};
use crate::model::{clean_file_name, validate_client_id, Attachment, Message, SenderKind};
use crate::state::access;
use crate::state::AppState;
use crate::store::{Author, Viewer};
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use serde::Deserialize;

/// The header a widget framed on another site (no cookie) names its visitor with.
pub const VISITOR_HEADER: &str = "x-switchboard-visitor";
/// The path uploads are posted to (the guards give it its own size and time limits).
pub const UPLOAD_PATH: &str = "/files";

#[derive(Deserialize)]
pub struct UploadQuery {
    /// Agents name the conversation; a visitor's is the one their token opened.
    #[serde(default)]
    conversation: String,
    client_id: String,
    name: String,
    /// An agent's file as an internal note.
    #[serde(default)]
    note: bool,
}

pub async fn upload(
    State(state): State<AppState>,
    Query(query): Query<UploadQuery>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    match receive(&state, &parts, query, body).await {
        Ok(message) => Json(message).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn receive(
    state: &AppState,
    parts: &axum::http::request::Parts,
    query: UploadQuery,
    body: Body,
) -> AppResult<Message> {
    validate_client_id(&query.client_id)?;
    let (conversation_id, author) = sender(state, &parts.headers, &query).await?;
    // A visitor's upload counts as one of their messages, before any of its bytes are read.
    if author.kind == SenderKind::Visitor {
        let from = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|peer| {
                access::address_of(peer.0.ip(), &parts.headers, &state.settings.trusted_proxies)
            });
        state.rate_limits.visitor_message(&conversation_id, from)?;
    }
    let bytes = read_whole(body, state.settings.limits.file_bytes).await?;
    let name = clean_file_name(&query.name);
    let sniffed = sniff(&bytes, &name, &state.settings.files.types)?;
    let seen = match sniffed.content_type {
        _ if !sniffed.image => None,
        // A thumbnail of an animated GIF would stand still.
        "image/gif" => Some(look_at(bytes.clone(), false).await?),
        _ => Some(look_at(bytes.clone(), true).await?),
    };
    let (size, thumb) = match seen {
        Some(seen) => (Some(seen.size), seen.thumb.map(Bytes::from)),
        None => (None, None),
    };
    let file = Attachment {
        id: uuid::Uuid::new_v4().to_string(),
        name: sniffed.name,
        content_type: sniffed.content_type.to_string(),
        size: bytes.len() as u64,
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
        thumb: thumb.is_some(),
    };
    let key = object_key(&conversation_id, &file.id, false);
    state.files.put(&key, bytes).await.map_err(internal)?;
    if let Some(thumb) = thumb {
        let thumb_key = object_key(&conversation_id, &file.id, true);
        if let Err(error) = state.files.put(&thumb_key, thumb).await {
            remove(state, &conversation_id, &file).await;
            return Err(internal(error));
        }
    }
    let stored = post_file(
        state,
        &conversation_id,
        author,
        file.clone(),
        &query.client_id,
    );
    match stored.await {
        Ok((message, duplicate)) => {
            // A retried upload: the first copy is the one its message names.
            if duplicate {
                remove(state, &conversation_id, &file).await;
            } else {
                crate::telemetry::file_received(file.size);
            }
            Ok(message)
        }
        Err(error) => {
            remove(state, &conversation_id, &file).await;
            Err(error)
        }
    }
}

/// Who sends the file, into which conversation: a signed-in agent into one they may read,
/// else the visitor their token (header or cookie) names, into their own.
async fn sender(
    state: &AppState,
    headers: &HeaderMap,
    query: &UploadQuery,
) -> AppResult<(String, Author)> {
    if let Some(agent) = access::agent_from_headers(state, headers).await? {
        let inboxes = access::inbox_access(state, &agent).await?;
        let conversation =
            access::agent_conversation(state, &agent, &inboxes, &query.conversation).await?;
        let kind = if query.note {
            SenderKind::Note
        } else {
            SenderKind::Agent
        };
        let author = Author {
            kind,
            id: Some(agent.id.clone()),
            name: agent.name.clone(),
        };
        return Ok((conversation.id, author));
    }
    let explicit = headers
        .get(VISITOR_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let conversation = access::visitor_conversation(state, headers, explicit)
        .await?
        .ok_or(AppError::ConversationNotFound)?;
    if !query.conversation.is_empty() && query.conversation != conversation.id {
        return Err(AppError::ConversationNotFound);
    }
    let author = Author {
        kind: SenderKind::Visitor,
        id: None,
        name: conversation.visitor_name.clone(),
    };
    Ok((conversation.id, author))
}

/// The body whole, or `TooLarge` past `max` bytes, or a clear error when the sender stopped
/// half-way (nothing is kept of it).
async fn read_whole(body: Body, max: usize) -> AppResult<Bytes> {
    let bytes = axum::body::to_bytes(body, max).await.map_err(|error| {
        let text = format!("{error:#}");
        if text.contains(crate::error::ssr::BODY_LIMIT_MESSAGE) {
            AppError::TooLarge { max_bytes: max }
        } else {
            AppError::BadRequest("The upload stopped before the end; nothing was kept.".into())
        }
    })?;
    if bytes.is_empty() {
        return Err(AppError::Invalid("That file is empty.".into()));
    }
    Ok(bytes)
}

/// Decodes an image (off the async threads) for its size and, when large and `may_thumb`, a
/// thumbnail; a damaged image is refused.
async fn look_at(bytes: Bytes, may_thumb: bool) -> AppResult<super::thumbs::Seen> {
    tokio::task::spawn_blocking(move || super::thumbs::inspect(&bytes, may_thumb))
        .await
        .map_err(internal)?
        .map_err(|reason| {
            AppError::Invalid(format!(
                "That image could not be read ({reason}); nothing was sent."
            ))
        })
}

fn object_key(conversation_id: &str, file_id: &str, thumb: bool) -> String {
    let suffix = if thumb { ".thumb" } else { "" };
    format!("{conversation_id}/{file_id}{suffix}")
}

/// Removes a file (and its thumbnail) no message names; a failure leaves an orphan, logged.
async fn remove(state: &AppState, conversation_id: &str, file: &Attachment) {
    for thumb in [false, true] {
        if thumb && !file.thumb {
            continue;
        }
        let key = object_key(conversation_id, &file.id, thumb);
        if let Err(error) = state.files.delete(&key).await {
            tracing::warn!(%error, %key, "could not remove an unsent file");
        }
    }
}

#[derive(Deserialize)]
pub struct ServeQuery {
    /// The visitor's key: the file's id, which only its message carries.
    #[serde(default)]
    key: String,
    #[serde(default)]
    thumb: Option<String>,
    /// Save rather than show, even for an image.
    #[serde(default)]
    download: Option<String>,
}

pub async fn serve(
    State(state): State<AppState>,
    Path((conversation_id, seq)): Path<(String, i64)>,
    Query(query): Query<ServeQuery>,
    headers: HeaderMap,
) -> Response {
    match fetch(&state, &conversation_id, seq, &query, &headers).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn fetch(
    state: &AppState,
    conversation_id: &str,
    seq: i64,
    query: &ServeQuery,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let message = readable_message(state, conversation_id, seq, query, headers).await?;
    let file = message.attachment.ok_or(AppError::FileNotFound)?;
    let thumb = query.thumb.is_some() && file.thumb;
    let key = object_key(conversation_id, &file.id, thumb);
    let bytes = state
        .files
        .get(&key)
        .await
        .map_err(store_error)?
        .ok_or(AppError::FileNotFound)?;
    let content_type = if thumb {
        infer::get(&bytes).map_or("image/jpeg", |t| t.mime_type())
    } else if file.content_type == "text/plain" {
        "text/plain; charset=utf-8"
    } else {
        file.content_type.as_str()
    };
    let inline = file.is_image() && query.download.is_none();
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let value = |text: &str| HeaderValue::from_str(text).map_err(internal);
    headers.insert(header::CONTENT_TYPE, value(content_type)?);
    headers.insert(
        header::CONTENT_DISPOSITION,
        value(&disposition(&file.name, inline))?,
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, value("nosniff")?);
    // Opened directly, a file runs nothing and reaches nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        value("default-src 'none'; sandbox")?,
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        value("same-origin")?,
    );
    headers.insert(header::CACHE_CONTROL, value("private, max-age=86400")?);
    Ok(response)
}

/// The message at `seq` as this requester may read it: an agent by their session (notes
/// included), a visitor by the file's key (never a note's file).
async fn readable_message(
    state: &AppState,
    conversation_id: &str,
    seq: i64,
    query: &ServeQuery,
    headers: &HeaderMap,
) -> AppResult<Message> {
    let agent = match access::agent_from_headers(state, headers).await? {
        Some(agent) => Some((access::inbox_access(state, &agent).await?, agent)),
        None if query.key.is_empty() => return Err(AppError::FileNotFound),
        None => None,
    };
    let viewer = match &agent {
        Some((inboxes, agent)) => Viewer::Agent(agent, inboxes),
        None => Viewer::Visitor { conversation_id },
    };
    let message = state
        .stores
        .conversations
        .messages_before(viewer, conversation_id, Some(seq + 1), 1)
        .await
        .map_err(|error| match error {
            // A conversation this requester may not read answers as a file that is not there.
            crate::store::StoreError::NotFound => AppError::FileNotFound,
            other => store_error(other),
        })?
        .into_iter()
        .find(|m| m.seq == seq)
        .ok_or(AppError::FileNotFound)?;
    let by_key = |file: &Attachment| query.key.is_empty() || file.id == query.key;
    match &message.attachment {
        Some(file) if by_key(file) => Ok(message),
        _ => Err(AppError::FileNotFound),
    }
}

/// `inline` or `attachment`, with the name in ASCII and in full (RFC 6266 / 5987).
fn disposition(name: &str, inline: bool) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\'))
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn dispositions_quote_safely() {
        assert_eq!(
            disposition("a\"b é.pdf", false),
            "attachment; filename=\"ab _.pdf\"; filename*=UTF-8''a%22b%20%C3%A9%2Epdf"
        );
        assert!(disposition("x.png", true).starts_with("inline;"));
    }
}
