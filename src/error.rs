//! The one error type every server function returns, so the UI can match on it.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("Type a message first.")]
    EmptyMessage,
    #[error("That message is {got} characters long; the limit is {max}.")]
    MessageTooLong { max: usize, got: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("That conversation does not exist or is not yours.")]
    ConversationNotFound,
    #[error("That saved reply does not exist (any more).")]
    SavedReplyNotFound,
    #[error("That label does not exist (any more).")]
    LabelNotFound,
    #[error("That file does not exist or is not yours.")]
    FileNotFound,
    #[error("You already rated this conversation. Thank you!")]
    AlreadyRated,
    #[error("Please sign in.")]
    SignInRequired,
    #[error("Wrong e-mail or password.")]
    WrongCredentials,
    #[error("This setup link is invalid or was already used.")]
    SetupLinkInvalid,
    #[error("This chat is not available: its inbox does not exist.")]
    InboxNotFound,
    #[error("This chat is not available on this website.")]
    SiteNotAllowed,
    #[error("This chat is switched off for now.")]
    InboxSwitchedOff,
    #[error("Only an admin can do that.")]
    AdminOnly,
    #[error("{0}")]
    Forbidden(String),
    #[error("That agent does not exist or is deactivated.")]
    AgentUnavailable,
    #[error("This invite link is invalid, expired, revoked or was already used.")]
    InviteInvalid,
    #[error("There must always be one active admin: make someone else an admin first.")]
    LastAdmin,
    #[error("Too many failed attempts. Try again in {retry_after_secs} seconds.")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("Your current password is not correct.")]
    WrongPassword,
    #[error("You are going too fast. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error("That is too large: the limit is {max_bytes} bytes.")]
    TooLarge { max_bytes: usize },
    #[error("The request could not be read: {0}")]
    BadRequest(String),
    #[error("E-mail is not set up on this server.")]
    MailOff,
    #[error("Something went wrong on our side; nothing was lost. Please try again.")]
    Internal,
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status a response carrying this error has.
    pub fn status(&self) -> u16 {
        use AppError::*;
        match self {
            BadRequest(_) => 400,
            SignInRequired | WrongCredentials | WrongPassword => 401,
            SiteNotAllowed | AdminOnly | Forbidden(_) | InboxSwitchedOff => 403,
            ConversationNotFound | SavedReplyNotFound | LabelNotFound | FileNotFound
            | InboxNotFound | AgentUnavailable => 404,
            SetupLinkInvalid | InviteInvalid => 410,
            LastAdmin | AlreadyRated => 409,
            TooLarge { .. } => 413,
            EmptyMessage | MessageTooLong { .. } | Invalid(_) => 422,
            TooManyAttempts { .. } | RateLimited { .. } => 429,
            Internal => 500,
            MailOff => 503,
            Transport(_) => 502,
        }
    }

    /// Seconds to wait before trying again, for the `Retry-After` header.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server these are the request's faults (arguments that do not decode, a body over
    /// the limit); in the browser, a server that could not be reached or answered nonsense.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(error) = ssr::request_fault(&value) {
            return error;
        }
        AppError::Transport(value.to_string())
    }

    /// Encodes the error and, on the server, gives the response its status (and
    /// `Retry-After`): without this every typed error would travel as a 500.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        ssr::set_response_status(self);
        <JsonEncoding as leptos::server_fn::Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Internal\""))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Logs the cause of a fault and hides it from the client.
#[cfg(feature = "ssr")]
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::AppError;
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};
    use leptos::server_fn::error::ServerFnErrorErr;

    /// What the body limit's error says when a request outgrows it (http-body-util).
    pub const BODY_LIMIT_MESSAGE: &str = "length limit exceeded";

    impl AppError {
        pub fn status_code(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    /// The same JSON body and status a server function gives, for a refusal made before one
    /// runs (the origin guard, the body limit, the rate limits).
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let body = serde_json::to_string(&self).unwrap_or_default();
            let mut response = (
                self.status_code(),
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
            if let Some(secs) = self.retry_after_secs() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    }

    pub(super) fn request_fault(error: &ServerFnErrorErr) -> Option<AppError> {
        match error {
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::Deserialization(message)
            | ServerFnErrorErr::Request(message) => Some(if message.contains(BODY_LIMIT_MESSAGE) {
                AppError::TooLarge {
                    max_bytes: body_limit(),
                }
            } else {
                AppError::BadRequest(short(message))
            }),
            ServerFnErrorErr::MissingArg(name) => Some(AppError::BadRequest(format!(
                "missing argument {}",
                short(name)
            ))),
            _ => None,
        }
    }

    /// The body limit a request was read under, put in its extensions by the router.
    #[derive(Clone, Copy, Debug)]
    pub struct BodyLimit(pub usize);

    fn body_limit() -> usize {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<BodyLimit>().copied())
            .map_or(0, |limit| limit.0)
    }

    /// Decoder messages can quote the input: keep them short.
    fn short(message: &str) -> String {
        message.chars().take(200).collect()
    }

    pub(super) fn set_response_status(error: &AppError) {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status_code());
            if let Some(secs) = error.retry_after_secs() {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
    }
}
