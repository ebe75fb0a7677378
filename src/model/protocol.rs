//! The WebSocket protocol both ends speak (see docs/protocol.md). It sits beside the model
//! so the hub (in `state`), the socket handler and the browser's connection share it.
use super::{AgentPresence, Conversation, Message, SenderKind};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The WebSocket subprotocol every client names; a visitor framed on another site adds
/// `visitor.<token>` beside it, since no cookie of ours reaches the server from there.
pub const SOCKET_PROTOCOL: &str = "switchboard";

/// How many events one replay sends before telling the client to reload instead.
pub const REPLAY_LIMIT: u32 = 500;
/// The browser's heartbeat in seconds; a server silent for two intervals is considered gone.
/// How long a typing notice shows without being repeated.
pub const TYPING_SHOWN_MS: f64 = 4000.0;
/// (The server's own interval is the `heartbeat_secs` setting.)
pub const HEARTBEAT_SECS: u64 = 5;

/// Frames a browser sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Follow a conversation. With `after_seq`, replay every event after it first;
    /// without, send the newest page.
    Subscribe {
        conversation_id: String,
        after_seq: Option<i64>,
    },
    Unsubscribe {
        conversation_id: String,
    },
    /// Agents only: follow every conversation change of the inbox list.
    WatchInbox,
    /// This tab holds every event up to `delivered_seq` and has shown up to `read_seq`.
    Receipt {
        conversation_id: String,
        delivered_seq: i64,
        read_seq: i64,
    },
    /// Agents: whether this tab counts as away (idle for the away time, or the agent chose
    /// away). The agent is away when every tab says so.
    Away {
        away: bool,
    },
    /// The user is typing in this conversation; send again every few seconds while it lasts.
    Typing {
        conversation_id: String,
    },
    /// Visitors: a message to their conversation over this socket, the fast path beside the
    /// `send_visitor_message` server function, with the same rules: idempotent by
    /// `client_id`, answered by `sent` or `send_failed`.
    Send {
        client_id: String,
        body: String,
    },
    Ping,
}

/// Frames the server sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// A frame lives only while it is serialized once; boxing the conversation would save nothing.
#[allow(clippy::large_enum_variant)]
pub enum ServerFrame {
    /// First frame on every socket: who the server thinks you are.
    Ready {
        role: String,
        name: String,
        /// Agents: seconds without input after which a tab reports itself away.
        #[serde(default)]
        idle_secs: u64,
        /// The longest message this server takes (its `message_chars` limit).
        #[serde(default = "longest_message")]
        max_message_chars: usize,
        /// The largest file this server takes (its `file_bytes` limit).
        #[serde(default = "largest_file")]
        max_file_bytes: u64,
    },
    /// One new event of a followed conversation.
    Message {
        message: Message,
    },
    /// Events from the store in reply to `subscribe`. With `reset`, replace what you show.
    Replay {
        conversation_id: String,
        messages: Vec<Message>,
        reset: bool,
    },
    /// The conversation's state changed (status, assignee, last activity).
    Conversation {
        conversation: Conversation,
    },
    /// You fell behind. With a conversation: subscribe again without `after_seq`.
    /// Without: fetch the inbox list again.
    Resync {
        conversation_id: Option<String>,
    },
    /// Someone on `sender`'s side is typing; show it for a few seconds unless repeated.
    Typing {
        conversation_id: String,
        sender: SenderKind,
        name: String,
    },
    /// Visitors: the agents online now (sent after `ready` and on every change).
    Presence {
        agents: Vec<String>,
    },
    /// Agents: every agent's presence (absent means offline), sent after `ready` and on change.
    TeamPresence {
        agents: Vec<AgentPresence>,
    },
    /// This agent was signed out (deactivated, or "sign out everywhere"); the socket closes.
    SignedOut {
        reason: String,
    },
    Error {
        code: String,
        message: String,
    },
    /// The answer to `send`: the message as stored (followers get it as a `message` event).
    Sent {
        client_id: String,
        message: Message,
    },
    /// `send` was refused (the same typed error the server function gives) or failed;
    /// nothing was stored.
    SendFailed {
        client_id: String,
        error: AppError,
    },
    /// Agents: a teammate named you (`@name`) in a note of a conversation you may read.
    Mentioned {
        conversation_id: String,
        by: String,
        body: String,
    },
    Pong,
}

fn longest_message() -> usize {
    super::MAX_MESSAGE_CHARS
}

fn largest_file() -> u64 {
    super::DEFAULT_MAX_FILE_BYTES
}

impl ServerFrame {
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        ServerFrame::Error {
            code: code.to_string(),
            message: message.into(),
        }
    }
}
