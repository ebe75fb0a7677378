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
    #[error("Something went wrong on our side; nothing was lost. Please try again.")]
    Internal,
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Logs the cause of a fault and hides it from the client.
#[cfg(feature = "ssr")]
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}
