//! The `/ws` endpoint: authenticates the upgrade, then forwards hub events to one browser tab,
//! replaying from the store on (re)subscribe and whenever the tab falls behind. What each
//! frame does is in `frames`.
mod feeds;
mod frames;

use super::{presence, ClientFrame, ServerFrame};
use crate::model::{Agent, InboxAccess, SenderKind};
use crate::state::access::{
    agent_from_headers, cookie, token_hash, visitor_conversation, SESSION_COOKIE, SOCKET_PROTOCOL,
};
use crate::state::hub::{LiveEvent, Topic};
use crate::state::AppState;
use crate::store::Viewer;
use crate::telemetry;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use feeds::Feeds;
use futures_util::{FutureExt, SinkExt};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

/// The frame limit can be set lower than this, never higher.
const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Bytes read from a socket at once, held for its whole life (grown for a larger frame):
/// clients' frames are a few hundred bytes, and an idle socket should stay small.
const READ_BUFFER_BYTES: usize = 1024;
/// Close codes (see docs/protocol.md).
const CLOSE_UNSUPPORTED: u16 = 1003;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TOO_BIG: u16 = 1009;
const CLOSE_HEARTBEAT: u16 = 4000;
const CLOSE_RESTARTING: u16 = 1012;
const CLOSE_SIGNED_OUT: u16 = 4001;
/// Hub events written to a socket before one flush (and before its own frames are read again).
const MAX_COALESCED: usize = 64;

#[derive(Clone, Debug)]
enum Identity {
    /// An agent, and the inboxes they work (read again when an admin changes them).
    Agent(Agent, InboxAccess),
    Visitor {
        conversation_id: String,
        name: String,
    },
}

impl Identity {
    fn side(&self) -> SenderKind {
        match self {
            Identity::Agent(..) => SenderKind::Agent,
            Identity::Visitor { .. } => SenderKind::Visitor,
        }
    }

    /// Who this socket is, for store reads.
    fn viewer(&self) -> Viewer<'_> {
        match self {
            Identity::Agent(agent, access) => Viewer::Agent(agent, access),
            Identity::Visitor {
                conversation_id, ..
            } => Viewer::Visitor { conversation_id },
        }
    }

    fn name(&self) -> &str {
        match self {
            Identity::Agent(agent, _) => &agent.name,
            Identity::Visitor { name, .. } => name,
        }
    }
}

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    // Origins were checked by the router's origin guard, which covers upgrades too.
    let peer =
        crate::state::access::address_of(peer.ip(), &headers, &state.settings.trusted_proxies);
    let slot = match state.rate_limits.open_socket(peer) {
        Ok(slot) => slot,
        Err(refused) => {
            tracing::info!(ip = %peer, "refused a socket over the per-address limit");
            return refused.into_response();
        }
    };
    let identity = match identify(&state, &headers).await {
        Ok(Some(identity)) => identity,
        Ok(None) => {
            return (StatusCode::UNAUTHORIZED, "sign in or start a chat first").into_response()
        }
        Err(status) => return (status, "try again").into_response(),
    };
    // Small transport buffers: an idle socket should cost kilobytes, not tungstenite's
    // default 128 KiB read buffer. Frames are small JSON; the buffers grow when needed.
    // A visitor framed on another site names its token as a subprotocol; the answer names ours.
    // A frame over the configured limit is refused with 1009 and a reason; one over the hard
    // cap is refused the same way before its payload is read.
    let frame_limit = state.settings.limits.frame_bytes.min(MAX_FRAME_BYTES);
    // The session this socket was opened with (its sign-out closes the socket), read now: the
    // request's headers are slices of hyper's 16 KiB read buffer, and keeping them for the
    // socket's life kept that buffer too (two thirds of an idle socket, docs/benchmarks.md).
    // Dropped here, so the socket's task below cannot capture them again.
    let session_hash = cookie(&headers, SESSION_COOKIE).map(|token| token_hash(&token));
    drop(headers);
    ws.protocols([SOCKET_PROTOCOL])
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        // Frames wait here until the flush that ends each batch (`run`).
        .write_buffer_size(8 * 1024)
        .on_upgrade(move |socket| async move {
            let _slot = slot;
            state
                .open_sockets
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            telemetry::socket_opened();
            if let Identity::Agent(agent, _) = &identity {
                presence::agent_connected(&state, agent);
            }
            let mut session = Session::new(state.clone(), identity.clone(), peer, frame_limit);
            session.session_hash = session_hash;
            if let Err(error) = session.run(socket).await {
                tracing::debug!(%error, "socket ended");
            }
            session.release_feeds();
            if let Identity::Agent(agent, _) = &identity {
                presence::agent_disconnected(&state, agent, session.away);
            }
            telemetry::socket_closed();
            state
                .open_sockets
                .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        })
}

async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Identity>, StatusCode> {
    if let Some(agent) = agent_from_headers(state, headers)
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?
    {
        let access = crate::state::access::inbox_access(state, &agent)
            .await
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
        return Ok(Some(Identity::Agent(agent, access)));
    }
    let conversation = visitor_conversation(state, headers, "")
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    Ok(conversation.map(|c| Identity::Visitor {
        conversation_id: c.id,
        name: c.visitor_name,
    }))
}

struct Session {
    state: AppState,
    identity: Identity,
    feeds: Feeds,
    /// Highest sequence sent per followed conversation: what the tab is known to hold.
    sent: HashMap<String, i64>,
    /// Agents: this tab reported itself away, and when it last changed (to refuse floods).
    away: bool,
    away_changed: Option<Instant>,
    /// Agents: the hash of the session token the socket was opened with.
    session_hash: Option<String>,
    /// Agents: the tab watches the list of the inboxes they work.
    watching_inboxes: bool,
    /// The address the socket came from (for per-address limits).
    peer: std::net::IpAddr,
    /// Largest frame this socket may send, and how fast it may send them.
    frame_limit: usize,
    frame_rate: governor::DefaultDirectRateLimiter,
}

/// Why a session stops early.
type SessionResult = Result<(), axum::Error>;

impl Session {
    fn new(
        state: AppState,
        identity: Identity,
        peer: std::net::IpAddr,
        frame_limit: usize,
    ) -> Self {
        Session {
            identity,
            feeds: Feeds::default(),
            sent: HashMap::new(),
            away: false,
            away_changed: None,
            session_hash: None,
            watching_inboxes: false,
            peer,
            frame_limit,
            frame_rate: state.rate_limits.frame_limiter(),
            state,
        }
    }

    async fn run(&mut self, mut socket: WebSocket) -> SessionResult {
        self.send(
            &mut socket,
            &ServerFrame::Ready {
                role: self.identity.side().as_str().into(),
                name: self.identity.name().into(),
                idle_secs: self.state.settings.away_after_secs,
                max_message_chars: self.state.settings.limits.message_chars(),
                max_file_bytes: self.state.settings.limits.file_bytes as u64,
            },
        )
        .await?;
        // Subscribed before reading, so no change slips between the two.
        match &self.identity {
            Identity::Visitor { .. } => {
                self.follow(Topic::Presence);
                let agents = self.state.presence.names();
                self.send(&mut socket, &ServerFrame::Presence { agents })
                    .await?;
            }
            Identity::Agent(agent, _) => {
                self.follow(Topic::Agent(agent.id.clone()));
                self.follow(Topic::TeamPresence);
                let agents = self.state.presence.agents();
                self.send(&mut socket, &ServerFrame::TeamPresence { agents })
                    .await?;
            }
        }
        let beat = Duration::from_secs(self.state.settings.heartbeat_secs.max(1));
        let mut heartbeat = tokio::time::interval(beat);
        let mut last_heard = Instant::now();
        let mut stopping = self.state.stopping.clone();
        loop {
            tokio::select! {
                // The guard `wait_for` returns must not live across an await.
                _ = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
                    return close(socket, CLOSE_RESTARTING, "server restarting; reconnect").await;
                }
                // The work a frame or an event starts is boxed: its futures (store reads among
                // them) live only while it runs, so an idle socket's task stays small.
                incoming = socket.recv() => {
                    let message = match incoming {
                        Some(Ok(message)) => message,
                        Some(Err(error)) if over_capacity(&error) => {
                            tracing::info!("closing a socket that sent a frame over the hard cap");
                            return close_unread(socket, CLOSE_TOO_BIG, "frame too large").await;
                        }
                        _ => return Ok(()),
                    };
                    last_heard = Instant::now();
                    if let Some(refusal) = self.refuse_frame(&message) {
                        let (code, reason) = refusal;
                        return close(socket, code, reason).await;
                    }
                    match message {
                        WsMessage::Text(text) => {
                            telemetry::frame_in(text.len());
                            let frames = match serde_json::from_str::<ClientFrame>(text.as_str()) {
                                Ok(frame) => Box::pin(self.on_client_frame(frame)).await,
                                Err(error) => vec![ServerFrame::error("bad_frame", format!("Could not read that frame: {error}"))],
                            };
                            for frame in frames {
                                self.send(&mut socket, &frame).await?;
                            }
                        }
                        WsMessage::Binary(_) => {
                            return close(socket, CLOSE_UNSUPPORTED, "binary frames are not supported").await;
                        }
                        WsMessage::Close(_) => return Ok(()),
                        WsMessage::Ping(_) | WsMessage::Pong(_) => {}
                    }
                }
                Some((topic, item)) = self.feeds.next() => {
                    // Everything already waiting goes out in one write: a busy conversation
                    // costs one wake-up and one syscall per batch, not per event.
                    let mut next = Some((topic, item));
                    let mut forwarded = 0;
                    while let Some((topic, item)) = next.take() {
                        if Box::pin(self.forward(&mut socket, topic, item)).await? {
                            socket.flush().await?;
                            return close(socket, CLOSE_SIGNED_OUT, "signed out").await;
                        }
                        forwarded += 1;
                        if forwarded < MAX_COALESCED {
                            next = self.feeds.next().now_or_never().flatten();
                        }
                    }
                    socket.flush().await?;
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > 2 * beat {
                        tracing::debug!("closing a silent socket");
                        return close(socket, CLOSE_HEARTBEAT, "heartbeat timeout").await;
                    }
                    socket.send(WsMessage::Ping(Default::default())).await?;
                }
            }
        }
    }

    /// Writes (without flushing) what one hub event means for this tab; `true` when the
    /// event ends this tab's session (after telling it why).
    async fn forward(
        &mut self,
        socket: &mut WebSocket,
        topic: Topic,
        item: Result<Arc<LiveEvent>, BroadcastStreamRecvError>,
    ) -> Result<bool, axum::Error> {
        let ends = match &item {
            Ok(event) => event
                .ends
                .as_ref()
                .map(|ended| ended.includes(self.session_hash.as_deref())),
            Err(_) => None,
        };
        // Another session of the same agent ended: not this tab's business.
        if ends == Some(false) {
            return Ok(false);
        }
        if matches!(&item, Ok(event) if event.access_changed) {
            self.refresh_access().await;
        }
        for frame in self.on_hub_event(topic, item).await {
            telemetry::frame_out(frame.len());
            socket.feed(WsMessage::Text(frame.into())).await?;
        }
        Ok(ends == Some(true))
    }

    /// A frame over the size limit, or one too many this second, ends the socket with a code
    /// and a reason the client can show (then reconnect more gently).
    fn refuse_frame(&self, message: &WsMessage) -> Option<(u16, &'static str)> {
        let size = match message {
            WsMessage::Text(text) => text.len(),
            WsMessage::Binary(bytes) => bytes.len(),
            _ => return None,
        };
        if size > self.frame_limit {
            tracing::info!(size, "closing a socket that sent a frame over the limit");
            return Some((CLOSE_TOO_BIG, "frame too large"));
        }
        if self.frame_rate.check().is_err() {
            tracing::info!(ip = %self.peer, "closing a socket that sent frames too fast");
            return Some((CLOSE_POLICY, "too many frames; slow down"));
        }
        None
    }

    async fn send(&self, socket: &mut WebSocket, frame: &ServerFrame) -> SessionResult {
        let json = serde_json::to_string(frame).expect("frames serialize");
        self.send_raw(socket, json).await
    }

    async fn send_raw(&self, socket: &mut WebSocket, json: String) -> SessionResult {
        telemetry::frame_out(json.len());
        socket.send(WsMessage::Text(json.into())).await
    }

    fn follow(&mut self, topic: Topic) {
        let receiver = self.state.hub.subscribe(topic.clone());
        self.feeds.insert(topic, BroadcastStream::new(receiver));
    }

    /// Drops this socket's subscriptions and lets the hub forget topics nobody follows now.
    fn release_feeds(&mut self) {
        let topics: Vec<Topic> = self.feeds.keys().cloned().collect();
        self.feeds.clear();
        for topic in &topics {
            self.state.hub.release(topic);
        }
    }
}

/// The transport refused a frame for its size (tungstenite's capacity error).
fn over_capacity(error: &axum::Error) -> bool {
    let text = error.to_string();
    text.contains("too long") || text.contains("Space limit exceeded")
}

/// Closes a socket whose peer is still sending a frame we will not read: sends the close
/// frame, then lingers a moment before dropping, since dropping with unread bytes resets the
/// connection and the peer could lose the close frame (and see 1006 instead of the code).
async fn close_unread(mut socket: WebSocket, code: u16, reason: &'static str) -> SessionResult {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    socket.send(WsMessage::Close(Some(frame))).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

/// Sends a close frame, then waits briefly for the peer's reply before dropping the
/// connection (the WebSocket closing handshake), so the peer reads the code rather than a reset.
async fn close(mut socket: WebSocket, code: u16, reason: &'static str) -> SessionResult {
    socket
        .send(WsMessage::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await?;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
    Ok(())
}
