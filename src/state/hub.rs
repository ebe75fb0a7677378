//! The one place live events go through. Handlers publish here; sockets subscribe here.
//! Each topic is a bounded broadcast ring: a socket that falls behind gets `Lagged` and
//! resyncs from the store, so memory stays bounded and nothing is skipped silently.
use crate::model::protocol::ServerFrame;
use crate::model::{AgentPresence, Conversation, Message, SenderKind, SessionsEnded};
use crate::telemetry as metrics;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    Conversation(String),
    Inbox(String),
    /// Which agents are online; visitors follow it.
    Presence,
    /// Each agent's presence, for agents (team page, assignment menu).
    TeamPresence,
    /// One agent's own sockets: told to close when the agent is signed out everywhere.
    Agent(String),
}

/// An event serialized once, shared by every socket that forwards it.
#[derive(Debug)]
pub struct LiveEvent {
    pub conversation_id: String,
    /// The message sequence, for events that are messages; used to drop replay overlaps.
    pub seq: Option<i64>,
    pub json: String,
    /// When it was published, for the publish → socket latency histogram.
    pub published_at: std::time::Instant,
    /// Sessions that ended: their sockets forward this, then close; the agent's other
    /// sockets ignore it.
    pub ends: Option<SessionsEnded>,
    /// Who works which inbox changed: agents' sockets read their inboxes again.
    pub access_changed: bool,
    /// An agents' note: visitors' sockets skip it (counting its number as seen).
    pub agents_only: bool,
    /// What visitors' sockets send instead of `json`, when the event holds what only agents
    /// may read (a conversation's labels).
    pub visitor_json: Option<String>,
}

impl LiveEvent {
    fn new(conversation_id: &str, seq: Option<i64>, frame: &ServerFrame) -> Arc<LiveEvent> {
        LiveEvent::build(conversation_id, seq, frame, None)
    }

    fn build(
        conversation_id: &str,
        seq: Option<i64>,
        frame: &ServerFrame,
        ends: Option<SessionsEnded>,
    ) -> Arc<LiveEvent> {
        Arc::new(LiveEvent {
            conversation_id: conversation_id.to_string(),
            seq,
            json: serde_json::to_string(frame).expect("frames serialize"),
            published_at: std::time::Instant::now(),
            ends,
            access_changed: false,
            agents_only: false,
            visitor_json: None,
        })
    }

    /// The frame as `side` may read it.
    pub fn json_for(&self, side: SenderKind) -> &str {
        match (&self.visitor_json, side) {
            (Some(json), SenderKind::Visitor) => json,
            _ => &self.json,
        }
    }
}

/// Most events a conversation's topic buffers (see `Hub::subscribe`).
const CONVERSATION_RING: usize = 16;

pub struct Hub {
    topics: Mutex<HashMap<Topic, broadcast::Sender<Arc<LiveEvent>>>>,
    /// Events one topic buffers before a slow subscriber lags and catches up from the store.
    capacity: usize,
}

impl Hub {
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Hub {
            topics: Mutex::default(),
            capacity: capacity.max(1),
        })
    }

    pub fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Arc<LiveEvent>> {
        let mut topics = self.topics.lock().expect("hub lock");
        // A conversation's ring is allocated whole for each open widget, and few events are
        // ever in flight in one conversation: a smaller ring keeps an idle socket small. A
        // tab that still falls behind catches up from the store.
        let capacity = match topic {
            Topic::Conversation(_) => self.capacity.min(CONVERSATION_RING),
            _ => self.capacity,
        };
        let receiver = topics
            .entry(topic)
            .or_insert_with(|| broadcast::channel(capacity).0)
            .subscribe();
        metrics::hub_topics(topics.len());
        receiver
    }

    fn send(&self, topic: &Topic, event: Arc<LiveEvent>) {
        let mut topics = self.topics.lock().expect("hub lock");
        if let Some(sender) = topics.get(topic) {
            // A topic nobody follows any more is dropped on its next publish.
            if sender.send(event).is_err() {
                topics.remove(topic);
                metrics::hub_topics(topics.len());
            }
        }
        metrics::event_published();
    }

    pub fn publish_message(&self, message: &Message) {
        let frame = ServerFrame::Message {
            message: message.clone(),
        };
        let mut event = LiveEvent::new(&message.conversation_id, Some(message.seq), &frame);
        if let Some(event) = Arc::get_mut(&mut event) {
            event.agents_only = !message.for_visitor();
        }
        self.send(&Topic::Conversation(message.conversation_id.clone()), event);
    }

    /// What one store write produced: its events in order, then the conversation's new state.
    pub fn publish_appended(&self, appended: &crate::store::Appended) {
        for event in &appended.events {
            self.publish_message(event);
        }
        self.publish_conversation(&appended.conversation);
    }

    /// Goes to the conversation's followers and to the agents watching its inbox.
    pub fn publish_conversation(&self, conversation: &Conversation) {
        let frame = ServerFrame::Conversation {
            conversation: conversation.clone(),
        };
        let mut event = LiveEvent::new(&conversation.id, None, &frame);
        if conversation.has_agents_only() {
            let for_visitor = ServerFrame::Conversation {
                conversation: conversation.clone().for_visitor(),
            };
            if let Some(event) = Arc::get_mut(&mut event) {
                event.visitor_json = serde_json::to_string(&for_visitor).ok();
            }
        }
        self.send(&Topic::Conversation(conversation.id.clone()), event.clone());
        self.send(&Topic::Inbox(conversation.inbox_id.clone()), event);
    }

    /// Typing is never stored: it goes to the conversation's followers here.
    pub fn publish_typing(&self, conversation_id: &str, sender: SenderKind, name: &str) {
        let frame = ServerFrame::Typing {
            conversation_id: conversation_id.to_string(),
            sender,
            name: name.to_string(),
        };
        let event = LiveEvent::new(conversation_id, None, &frame);
        self.send(&Topic::Conversation(conversation_id.to_string()), event);
    }

    pub fn publish_presence(&self, agents: &[String]) {
        let frame = ServerFrame::Presence {
            agents: agents.to_vec(),
        };
        self.send(&Topic::Presence, LiveEvent::new("", None, &frame));
    }

    pub fn publish_team_presence(&self, agents: &[AgentPresence]) {
        let frame = ServerFrame::TeamPresence {
            agents: agents.to_vec(),
        };
        self.send(&Topic::TeamPresence, LiveEvent::new("", None, &frame));
    }

    /// Closes this node's sockets of the ended sessions, after telling each tab why.
    pub fn publish_signed_out(&self, agent_id: &str, ended: &SessionsEnded) {
        let frame = ServerFrame::SignedOut {
            reason: "You were signed out. Please sign in again.".into(),
        };
        let event = LiveEvent::build("", None, &frame, Some(ended.clone()));
        self.send(&Topic::Agent(agent_id.to_string()), event);
    }

    /// Tells this node's sockets of an agent that a teammate named them in a note.
    pub fn publish_mention(&self, agent_id: &str, conversation_id: &str, by: &str, body: &str) {
        let frame = ServerFrame::Mentioned {
            conversation_id: conversation_id.to_string(),
            by: by.to_string(),
            body: body.to_string(),
        };
        let event = LiveEvent::new(conversation_id, None, &frame);
        self.send(&Topic::Agent(agent_id.to_string()), event);
    }

    /// Tells this node's agent sockets that inbox membership changed; each reads its agent's
    /// inboxes again, and its tab fetches the list again.
    pub fn publish_access_changed(&self) {
        let frame = ServerFrame::Resync {
            conversation_id: None,
        };
        let mut event = LiveEvent::build("", None, &frame, None);
        if let Some(event) = Arc::get_mut(&mut event) {
            event.access_changed = true;
        }
        self.send(&Topic::TeamPresence, event);
    }

    /// Forgets a topic its last follower left, so a conversation that goes quiet holds no
    /// memory here (otherwise it would linger until its next event).
    pub fn release(&self, topic: &Topic) {
        let mut topics = self.topics.lock().expect("hub lock");
        if topics
            .get(topic)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            topics.remove(topic);
            metrics::hub_topics(topics.len());
        }
    }

    /// Conversations some socket on this node follows.
    pub fn followed_conversations(&self) -> Vec<String> {
        let topics = self.topics.lock().expect("hub lock");
        topics
            .iter()
            .filter(|(_, sender)| sender.receiver_count() > 0)
            .filter_map(|(topic, _)| match topic {
                Topic::Conversation(id) => Some(id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Tells every inbox watcher to fetch its list again.
    pub fn publish_inbox_resync(&self) {
        let inboxes: Vec<Topic> = {
            let topics = self.topics.lock().expect("hub lock");
            topics
                .keys()
                .filter(|t| matches!(t, Topic::Inbox(_)))
                .cloned()
                .collect()
        };
        let event = LiveEvent::new(
            "",
            None,
            &ServerFrame::Resync {
                conversation_id: None,
            },
        );
        for topic in inboxes {
            self.send(&topic, event.clone());
        }
    }

    pub fn topic_count(&self) -> usize {
        self.topics.lock().expect("hub lock").len()
    }
}
