//! Drives a real Switchboard as browsers would: server functions over HTTP, live updates over
//! a real WebSocket. The server runs in this test process on an ephemeral port (`start`), or
//! as the real binary in a process of its own (`process`) for what only a process shows:
//! kill -9, SIGTERM, two nodes, what it prints, and its process-wide metrics.
//! `server` starts it, `client` is a browser; the helpers below are the steps tests share.
#![allow(dead_code)]
mod client;
mod server;

pub use client::*;
pub use server::*;
use std::time::Duration;
use switchboard::error::AppError;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::Message;
use switchboard::widget::WidgetSession;

pub const ADMIN_EMAIL: &str = "ana@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// Runs each listed `async fn(Backend)` as two tests: on SQLite and on PostgreSQL. Two
/// worker threads, as a server process of its own would have on this machine.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::common::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::common::Backend::Postgres).await }
            )*
        }
    };
}

/// Limits raised for tests that send in bursts from one address (what they test is delivery,
/// not the limits; `attacks` tests those at their defaults).
pub const LOAD_LIMITS: &str = "visitor_messages_per_minute=1000000,ip_messages_per_minute=1000000,conversations_per_hour=1000000,sockets_per_ip=100000,frames_per_second=100000";

/// Two nodes on one PostgreSQL database (`db`), with the load limits, started side by side.
pub async fn two_nodes(db: &Db) -> (Server, Server) {
    tokio::join!(
        Server::process_with(db, &[("SWITCHBOARD_LIMITS", LOAD_LIMITS)]),
        Server::process_with(db, &[("SWITCHBOARD_LIMITS", LOAD_LIMITS)])
    )
}

/// The response's framing rule: the Content-Security-Policy that sets `frame-ancestors`
/// (pages carry another one for their scripts; browsers apply both).
pub fn frame_ancestors(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("content-security-policy")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|policy| policy.starts_with("frame-ancestors"))
        .map(str::to_string)
}

/// Reads a Prometheus counter or gauge from /metrics.
pub async fn metric(base: &str, name: &str) -> f64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

pub fn client_id() -> String {
    uuid_like(rand_u128())
}

pub(crate) fn rand_u128() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    nanos
        ^ ((COUNTER.fetch_add(1, Ordering::Relaxed) as u128) << 64)
        ^ (std::process::id() as u128) << 96
}

fn uuid_like(n: u128) -> String {
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

pub async fn start_chat(server: &Server, name: &str, body: &str) -> (Client, WidgetSession) {
    let mut visitor = server.client();
    let session: WidgetSession = visitor
        .call(
            "start_conversation",
            &[
                ("name", name),
                ("email", ""),
                ("body", body),
                ("client_id", &client_id()),
                ("page_url", "https://shop.example/pricing"),
            ],
        )
        .await
        .expect("conversation starts");
    (visitor, session)
}

/// The admin invites `email` as `role`; the invitee accepts and is signed in (a new browser).
pub async fn invite_and_join(
    server: &Server,
    admin: &mut Client,
    email: &str,
    name: &str,
    role: &str,
) -> (Client, switchboard::model::Agent) {
    let created: switchboard::model::CreatedInvite = admin
        .call("create_invite", &[("email", email), ("role", role)])
        .await
        .expect("admin invites");
    let token = invite_token(&created.link);
    let mut invitee = server.client();
    let agent = invitee
        .call(
            "accept_invite",
            &[
                ("token", &token),
                ("name", name),
                ("password", "a long enough password"),
            ],
        )
        .await
        .expect("invite accepted");
    (invitee, agent)
}

/// A check on a presence update: is this agent connected, and away? (`None`: offline.)
pub fn agent_is(
    agent_id: &str,
    away: Option<bool>,
) -> impl Fn(&[switchboard::model::AgentPresence]) -> bool {
    let id = agent_id.to_string();
    move |agents| agents.iter().find(|a| a.id == id).map(|a| a.away) == away
}

pub fn invite_token(link: &str) -> String {
    link.split_once("token=")
        .expect("link has a token")
        .1
        .to_string()
}

pub async fn send_visitor(visitor: &mut Client, body: &str) -> Result<Message, AppError> {
    visitor
        .call(
            "send_visitor_message",
            &[("body", body), ("client_id", &client_id())],
        )
        .await
}

pub async fn send_agent(
    agent: &mut Client,
    conversation: &str,
    body: &str,
) -> Result<Message, AppError> {
    agent
        .call(
            "send_agent_message",
            &[
                ("conversation_id", conversation),
                ("body", body),
                ("client_id", &client_id()),
            ],
        )
        .await
}

pub fn subscribe(conversation_id: &str, after_seq: Option<i64>) -> ClientFrame {
    ClientFrame::Subscribe {
        conversation_id: conversation_id.to_string(),
        after_seq,
    }
}

pub async fn send_visitor_with_id(
    visitor: &mut Client,
    body: &str,
    id: &str,
) -> Result<Message, AppError> {
    visitor
        .call("send_visitor_message", &[("body", body), ("client_id", id)])
        .await
}

/// Every event of a conversation as an agent's fresh socket replays it from the store.
pub async fn store_history(agent: &Client, conversation_id: &str) -> Vec<Message> {
    let mut socket = agent.socket().await;
    socket.send(&subscribe(conversation_id, Some(0))).await;
    socket
        .expect(|f| match f {
            ServerFrame::Replay { messages, .. } => Some(messages),
            _ => None,
        })
        .await
}

/// Subscribes and waits for the answer, so what follows arrives live, not in the replay.
pub async fn follow(socket: &mut Socket, conversation_id: &str) {
    socket.send(&subscribe(conversation_id, None)).await;
    socket
        .expect(|f| matches!(f, ServerFrame::Replay { .. }).then_some(()))
        .await;
}

/// The code of the next error frame.
pub async fn next_error_code(socket: &mut Socket) -> String {
    socket
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await
}

/// The message a frame carries, if it is one.
pub fn frame_message(frame: ServerFrame) -> Option<Message> {
    match frame {
        ServerFrame::Message { message } => Some(message),
        _ => None,
    }
}
