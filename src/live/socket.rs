//! The `/ws` endpoint: authenticates the upgrade, then forwards hub events to one browser tab,
//! replaying from the store on (re)subscribe and whenever the tab falls behind.
use super::{presence, ClientFrame, ServerFrame, REPLAY_LIMIT};
use crate::model::{Agent, SenderKind, DEFAULT_INBOX, PAGE_SIZE};
use crate::state::access::{agent_from_headers, visitor_conversation};
use crate::state::hub::{LiveEvent, Topic};
use crate::state::AppState;
use crate::store::{Receipt, Signal, Viewer};
use crate::telemetry;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{StreamExt, StreamMap};

/// Largest frame a client may send; frames are small JSON commands.
const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Close codes (see docs/protocol.md).
const CLOSE_UNSUPPORTED: u16 = 1003;
const CLOSE_HEARTBEAT: u16 = 4000;
const CLOSE_RESTARTING: u16 = 1012;

#[derive(Clone, Debug)]
enum Identity {
    Agent(Agent),
    Visitor {
        conversation_id: String,
        name: String,
    },
}

impl Identity {
    fn side(&self) -> SenderKind {
        match self {
            Identity::Agent(_) => SenderKind::Agent,
            Identity::Visitor { .. } => SenderKind::Visitor,
        }
    }

    /// Who this socket is, for store reads.
    fn viewer(&self) -> Viewer<'_> {
        match self {
            Identity::Agent(agent) => Viewer::Agent(agent),
            Identity::Visitor {
                conversation_id, ..
            } => Viewer::Visitor { conversation_id },
        }
    }

    fn name(&self) -> &str {
        match self {
            Identity::Agent(agent) => &agent.name,
            Identity::Visitor { name, .. } => name,
        }
    }
}

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    // Origins were checked by the router's origin guard, which covers upgrades too.
    let identity = match identify(&state, &headers).await {
        Ok(Some(identity)) => identity,
        Ok(None) => {
            return (StatusCode::UNAUTHORIZED, "sign in or start a chat first").into_response()
        }
        Err(status) => return (status, "try again").into_response(),
    };
    // Small transport buffers: an idle socket should cost kilobytes, not tungstenite's
    // default 128 KiB read buffer. Frames are small JSON; the buffers grow when needed.
    ws.max_message_size(MAX_FRAME_BYTES)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| async move {
            state
                .open_sockets
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            telemetry::socket_opened();
            if let Identity::Agent(agent) = &identity {
                presence::agent_connected(&state, agent);
            }
            let mut session = Session::new(state.clone(), identity.clone());
            if let Err(error) = session.run(socket).await {
                tracing::debug!(%error, "socket ended");
            }
            session.release_feeds();
            if let Identity::Agent(agent) = &identity {
                presence::agent_disconnected(&state, agent);
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
        return Ok(Some(Identity::Agent(agent)));
    }
    let conversation = visitor_conversation(state, headers)
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    Ok(conversation.map(|c| Identity::Visitor {
        conversation_id: c.id,
        name: c.visitor_name,
    }))
}

type Feeds = StreamMap<Topic, BroadcastStream<Arc<LiveEvent>>>;

struct Session {
    state: AppState,
    identity: Identity,
    feeds: Feeds,
    /// Highest sequence sent per followed conversation: what the tab is known to hold.
    sent: HashMap<String, i64>,
}

/// Why a session stops early.
type SessionResult = Result<(), axum::Error>;

impl Session {
    fn new(state: AppState, identity: Identity) -> Self {
        Session {
            state,
            identity,
            feeds: StreamMap::new(),
            sent: HashMap::new(),
        }
    }

    async fn run(&mut self, mut socket: WebSocket) -> SessionResult {
        self.send(
            &mut socket,
            &ServerFrame::Ready {
                role: self.identity.side().as_str().into(),
                name: self.identity.name().into(),
            },
        )
        .await?;
        if let Identity::Visitor { .. } = self.identity {
            // Subscribed before reading, so no change slips between the two.
            let receiver = self.state.hub.subscribe(Topic::Presence);
            self.feeds
                .insert(Topic::Presence, BroadcastStream::new(receiver));
            let agents = self.state.presence.names();
            self.send(&mut socket, &ServerFrame::Presence { agents })
                .await?;
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
                incoming = socket.recv() => {
                    let Some(Ok(message)) = incoming else { return Ok(()) };
                    last_heard = Instant::now();
                    match message {
                        WsMessage::Text(text) => {
                            telemetry::frame_in(text.len());
                            let frames = match serde_json::from_str::<ClientFrame>(text.as_str()) {
                                Ok(frame) => self.on_client_frame(frame).await,
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
                    for frame in self.on_hub_event(topic, item).await {
                        self.send_raw(&mut socket, frame).await?;
                    }
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

    async fn send(&self, socket: &mut WebSocket, frame: &ServerFrame) -> SessionResult {
        let json = serde_json::to_string(frame).expect("frames serialize");
        self.send_raw(socket, json).await
    }

    async fn send_raw(&self, socket: &mut WebSocket, json: String) -> SessionResult {
        telemetry::frame_out(json.len());
        socket.send(WsMessage::Text(json.into())).await
    }

    /// Drops this socket's subscriptions and lets the hub forget topics nobody follows now.
    fn release_feeds(&mut self) {
        let topics: Vec<Topic> = self.feeds.keys().cloned().collect();
        self.feeds.clear();
        for topic in &topics {
            self.state.hub.release(topic);
        }
    }

    fn may_follow(&self, conversation_id: &str) -> bool {
        self.identity.viewer().may_read(conversation_id)
    }

    async fn on_client_frame(&mut self, frame: ClientFrame) -> Vec<ServerFrame> {
        match frame {
            ClientFrame::Ping => vec![ServerFrame::Pong],
            ClientFrame::WatchInbox => match &self.identity {
                Identity::Agent(_) => {
                    let topic = Topic::Inbox(DEFAULT_INBOX.into());
                    let receiver = self.state.hub.subscribe(topic.clone());
                    self.feeds.insert(topic, BroadcastStream::new(receiver));
                    vec![]
                }
                Identity::Visitor { .. } => {
                    vec![ServerFrame::error(
                        "forbidden",
                        "Only agents can watch the inbox.",
                    )]
                }
            },
            ClientFrame::Unsubscribe { conversation_id } => {
                self.sent.remove(&conversation_id);
                let topic = Topic::Conversation(conversation_id);
                self.feeds.remove(&topic);
                self.state.hub.release(&topic);
                vec![]
            }
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
            } => self.subscribe(conversation_id, after_seq).await,
            ClientFrame::Receipt {
                conversation_id,
                delivered_seq,
                read_seq,
            } => self.receipt(conversation_id, delivered_seq, read_seq).await,
            ClientFrame::Typing { conversation_id } => self.typing(conversation_id).await,
        }
    }

    /// Typing is never stored: it goes to this node's followers and is relayed to the others.
    async fn typing(&mut self, conversation_id: String) -> Vec<ServerFrame> {
        if !self.may_follow(&conversation_id) {
            return vec![ServerFrame::error(
                "not_found",
                "That conversation does not exist or is not yours.",
            )];
        }
        let (sender, name) = (self.identity.side(), self.identity.name().to_string());
        self.state
            .hub
            .publish_typing(&conversation_id, sender, &name);
        let signal = Signal::Typing {
            conversation_id,
            sender,
            name,
        };
        if let Err(error) = self.state.stores.feed.relay(signal).await {
            tracing::debug!(%error, "typing not relayed to other nodes");
        }
        vec![]
    }

    async fn receipt(
        &mut self,
        conversation_id: String,
        delivered_seq: i64,
        read_seq: i64,
    ) -> Vec<ServerFrame> {
        if !self.may_follow(&conversation_id) {
            return vec![ServerFrame::error(
                "not_found",
                "That conversation does not exist or is not yours.",
            )];
        }
        let side = self.identity.side();
        let receipt = Receipt {
            conversation_id,
            side,
            delivered_seq,
            // Whatever was read was delivered.
            read_seq: read_seq.min(delivered_seq),
        };
        match self
            .state
            .stores
            .conversations
            .record_receipt(receipt)
            .await
        {
            Ok(Some(conversation)) => self.state.hub.publish_conversation(&conversation),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "receipt not stored"),
        }
        vec![]
    }

    /// Subscribes before reading the store, so nothing committed in between is missed;
    /// the overlap is dropped by sequence number.
    async fn subscribe(
        &mut self,
        conversation_id: String,
        after_seq: Option<i64>,
    ) -> Vec<ServerFrame> {
        let not_found = || {
            vec![ServerFrame::error(
                "not_found",
                "That conversation does not exist or is not yours.",
            )]
        };
        if !self.may_follow(&conversation_id) {
            return not_found();
        }
        let topic = Topic::Conversation(conversation_id.clone());
        let receiver = self.state.hub.subscribe(topic.clone());
        self.feeds.insert(topic, BroadcastStream::new(receiver));
        let conversation = match self
            .state
            .stores
            .conversations
            .get(self.identity.viewer(), &conversation_id)
            .await
        {
            Ok(Some(conversation)) => conversation,
            Ok(None) => {
                self.feeds.remove(&Topic::Conversation(conversation_id));
                return not_found();
            }
            Err(error) => {
                tracing::error!(%error, "subscribe: store read failed");
                return vec![ServerFrame::error(
                    "unavailable",
                    "Could not load that conversation; retrying.",
                )];
            }
        };
        // A cursor from the future (e.g. a restored database) cannot be trusted: start over.
        let cursor = after_seq.filter(|seq| *seq <= conversation.last_seq);
        self.sent
            .insert(conversation_id.clone(), cursor.unwrap_or(0));
        let mut frames = vec![ServerFrame::Conversation { conversation }];
        frames.extend(self.catch_up(&conversation_id, cursor).await);
        frames
    }

    /// Sends what the store holds after the tab's cursor, or the newest page when too far behind.
    async fn catch_up(&mut self, conversation_id: &str, cursor: Option<i64>) -> Vec<ServerFrame> {
        let store = &self.state.stores.conversations;
        let viewer = self.identity.viewer();
        let (messages, reset) = match cursor {
            Some(after) => match store
                .messages_after(viewer, conversation_id, after, REPLAY_LIMIT + 1)
                .await
            {
                Ok(messages) if messages.len() <= REPLAY_LIMIT as usize => (Ok(messages), false),
                Ok(_) => (
                    store
                        .messages_before(viewer, conversation_id, None, PAGE_SIZE)
                        .await,
                    true,
                ),
                Err(error) => (Err(error), false),
            },
            None => (
                store
                    .messages_before(viewer, conversation_id, None, PAGE_SIZE)
                    .await,
                true,
            ),
        };
        match messages {
            Ok(messages) => {
                if let Some(last) = messages.last() {
                    let sent = self.sent.entry(conversation_id.to_string()).or_default();
                    *sent = (*sent).max(last.seq);
                }
                if messages.is_empty() && !reset {
                    return vec![];
                }
                vec![ServerFrame::Replay {
                    conversation_id: conversation_id.to_string(),
                    messages,
                    reset,
                }]
            }
            Err(error) => {
                tracing::error!(%error, "catch-up: store read failed");
                vec![ServerFrame::Resync {
                    conversation_id: Some(conversation_id.to_string()),
                }]
            }
        }
    }

    async fn on_hub_event(
        &mut self,
        topic: Topic,
        item: Result<Arc<LiveEvent>, BroadcastStreamRecvError>,
    ) -> Vec<String> {
        let to_json = |frames: Vec<ServerFrame>| {
            frames
                .iter()
                .map(|frame| serde_json::to_string(frame).expect("frames serialize"))
                .collect()
        };
        match (item, topic) {
            (Ok(event), _) => {
                telemetry::delivered_to_socket(event.published_at.elapsed());
                let Some(seq) = event.seq else {
                    return vec![event.json.clone()];
                };
                let sent = self.sent.get(&event.conversation_id).copied().unwrap_or(0);
                if seq <= sent {
                    vec![]
                } else if seq == sent + 1 {
                    self.sent.insert(event.conversation_id.clone(), seq);
                    vec![event.json.clone()]
                } else {
                    // A gap: events were published out of order. The store fills it.
                    to_json(self.catch_up(&event.conversation_id, Some(sent)).await)
                }
            }
            (Err(BroadcastStreamRecvError::Lagged(missed)), Topic::Conversation(id)) => {
                telemetry::resync();
                tracing::debug!(missed, conversation = %id, "socket lagged; catching up from the store");
                let sent = self.sent.get(&id).copied();
                to_json(self.catch_up(&id, sent).await)
            }
            (Err(BroadcastStreamRecvError::Lagged(_)), Topic::Presence) => {
                to_json(vec![ServerFrame::Presence {
                    agents: self.state.presence.names(),
                }])
            }
            (Err(BroadcastStreamRecvError::Lagged(_)), Topic::Inbox(_)) => {
                telemetry::resync();
                to_json(vec![ServerFrame::Resync {
                    conversation_id: None,
                }])
            }
        }
    }
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
