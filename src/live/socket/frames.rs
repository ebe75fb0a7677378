//! What a session does with each frame: the browser's commands (follow, receipts, typing,
//! away) and the hub's events (forwarded, or caught up from the store after a gap or a lag).
use super::{Identity, Session};
use crate::error::AppError;
use crate::live::{post, presence, ClientFrame, ServerFrame, REPLAY_LIMIT};
use crate::model::{InboxAccess, SenderKind, PAGE_SIZE};
use crate::state::hub::{LiveEvent, Topic};
use crate::store::{Author, Receipt, Signal};
use crate::telemetry;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

impl Session {
    /// Whether this socket may send receipts and typing for a conversation: a visitor only
    /// for their own, an agent for one they follow (checked when they subscribed).
    fn may_follow(&self, conversation_id: &str) -> bool {
        match &self.identity {
            Identity::Visitor {
                conversation_id: own,
                ..
            } => own == conversation_id,
            Identity::Agent(_, InboxAccess::All) => true,
            Identity::Agent(..) => self.sent.contains_key(conversation_id),
        }
    }

    /// The inbox topics this agent's list follows: every inbox for admins.
    async fn follow_inboxes(&mut self) {
        let Identity::Agent(_, access) = &self.identity else {
            return;
        };
        let ids = match access {
            InboxAccess::Only(ids) => ids.clone(),
            InboxAccess::All => match self.state.stores.inboxes.list().await {
                Ok(inboxes) => inboxes.into_iter().map(|inbox| inbox.id).collect(),
                Err(error) => {
                    tracing::warn!(%error, "inbox list unavailable; following the default");
                    vec![crate::model::DEFAULT_INBOX.into()]
                }
            },
        };
        for id in ids {
            self.follow(Topic::Inbox(id));
        }
    }

    /// An admin changed who works which inbox: read this agent's inboxes again, drop what
    /// they may no longer see, and follow what they now may. The tab then refetches its list.
    pub(super) async fn refresh_access(&mut self) {
        let Identity::Agent(agent, _) = &self.identity else {
            return;
        };
        let access = match crate::state::access::inbox_access(&self.state, agent).await {
            Ok(access) => access,
            Err(_) => InboxAccess::Only(Vec::new()),
        };
        let agent = agent.clone();
        self.identity = Identity::Agent(agent, access);
        let stale: Vec<Topic> = self
            .feeds
            .keys()
            .filter(|topic| matches!(topic, Topic::Inbox(_) | Topic::Conversation(_)))
            .cloned()
            .collect();
        for topic in stale {
            if let Topic::Conversation(id) = &topic {
                let viewer = self.identity.viewer();
                if let Ok(Some(_)) = self.state.stores.conversations.get(viewer, id).await {
                    continue;
                }
                self.sent.remove(id);
            }
            self.feeds.remove(&topic);
            self.state.hub.release(&topic);
        }
        if self.watching_inboxes {
            self.follow_inboxes().await;
        }
    }

    pub(super) async fn on_client_frame(&mut self, frame: ClientFrame) -> Vec<ServerFrame> {
        match frame {
            ClientFrame::Ping => vec![ServerFrame::Pong],
            ClientFrame::WatchInbox => match &self.identity {
                Identity::Agent(..) => {
                    self.watching_inboxes = true;
                    self.follow_inboxes().await;
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
            ClientFrame::Send { client_id, body } => vec![self.post(client_id, body).await],
            ClientFrame::Away { away } => self.set_away(away),
        }
    }

    /// A tab reports itself away or back. Repeats are no-ops; a tab flipping faster than
    /// once a second is refused, so a flood costs no announcements.
    fn set_away(&mut self, away: bool) -> Vec<ServerFrame> {
        let Identity::Agent(agent, _) = &self.identity else {
            return vec![ServerFrame::error(
                "forbidden",
                "Only agents have a presence.",
            )];
        };
        if away == self.away {
            return vec![];
        }
        if self
            .away_changed
            .is_some_and(|at| at.elapsed() < Duration::from_secs(1))
        {
            return vec![ServerFrame::error(
                "rate_limited",
                "Presence changes too often; wait a second.",
            )];
        }
        self.away = away;
        self.away_changed = Some(Instant::now());
        presence::agent_away(&self.state, agent, away);
        vec![]
    }

    /// A visitor's message over the socket: the same post as the server function's (one
    /// path: `live::post`), into the one conversation this socket was opened for.
    async fn post(&mut self, client_id: String, body: String) -> ServerFrame {
        let Identity::Visitor {
            conversation_id,
            name,
        } = &self.identity
        else {
            let error = AppError::Forbidden("Agents send with the reply form.".into());
            return ServerFrame::SendFailed { client_id, error };
        };
        let author = Author {
            kind: SenderKind::Visitor,
            id: None,
            name: name.clone(),
        };
        let posted = post::post_from_visitor(
            &self.state,
            conversation_id,
            author,
            &body,
            &client_id,
            Some(self.peer),
        );
        match posted.await {
            Ok(message) => {
                // The answer carries the message: the hub's copy of it need not follow.
                if let Some(sent) = self.sent.get_mut(&message.conversation_id) {
                    if *sent + 1 == message.seq {
                        *sent = message.seq;
                    }
                }
                ServerFrame::Sent { client_id, message }
            }
            Err(error) => ServerFrame::SendFailed { client_id, error },
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
        if let Identity::Agent(agent, _) = &self.identity {
            let stored = self
                .state
                .stores
                .conversations
                .record_agent_read(agent, &receipt.conversation_id, receipt.read_seq)
                .await;
            if let Err(error) = stored {
                tracing::warn!(%error, "agent read position not stored");
            }
        }
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
        if let Identity::Visitor {
            conversation_id: own,
            ..
        } = &self.identity
        {
            if *own != conversation_id {
                return not_found();
            }
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
        // A tab that holds everything (most reconnects) needs no read of the messages.
        let up_to_date = cursor == Some(conversation.last_seq);
        let conversation = match self.identity.side() {
            SenderKind::Visitor => conversation.for_visitor(),
            _ => conversation,
        };
        let mut frames = vec![ServerFrame::Conversation { conversation }];
        if !up_to_date {
            frames.extend(self.catch_up(&conversation_id, cursor).await);
        }
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

    pub(super) async fn on_hub_event(
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
                    return vec![event.json_for(self.identity.side()).to_string()];
                };
                let sent = self.sent.get(&event.conversation_id).copied().unwrap_or(0);
                if seq <= sent {
                    vec![]
                } else if seq == sent + 1 {
                    self.sent.insert(event.conversation_id.clone(), seq);
                    // A note's number is passed over for a visitor, so the next is no gap.
                    if event.agents_only && self.identity.side() == SenderKind::Visitor {
                        return vec![];
                    }
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
            (Err(BroadcastStreamRecvError::Lagged(_)), Topic::TeamPresence) => {
                to_json(vec![ServerFrame::TeamPresence {
                    agents: self.state.presence.agents(),
                }])
            }
            // Sign-outs (the first closes the socket) and mentions, which are alerts only: the
            // note itself is in the conversation.
            (Err(BroadcastStreamRecvError::Lagged(_)), Topic::Agent(_)) => vec![],
            (Err(BroadcastStreamRecvError::Lagged(_)), Topic::Inbox(_)) => {
                telemetry::resync();
                to_json(vec![ServerFrame::Resync {
                    conversation_id: None,
                }])
            }
        }
    }
}
