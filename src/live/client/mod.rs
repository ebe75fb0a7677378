//! The browser's one shared WebSocket per tab. Components follow what they show through the
//! `Live` context and never open sockets of their own. On the server this renders as "connecting".
use super::{ClientFrame, ServerFrame};
use crate::model::{AgentPresence, Conversation, Message, SenderKind};
use leptos::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Online,
    Reconnecting,
    Offline,
}

impl ConnectionState {
    pub fn label(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "Connecting…",
            ConnectionState::Online => "Online",
            ConnectionState::Reconnecting => "Reconnecting…",
            ConnectionState::Offline => "Offline",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            ConnectionState::Connecting | ConnectionState::Reconnecting => "conn conn-reconnecting",
            ConnectionState::Online => "conn conn-online",
            ConnectionState::Offline => "conn conn-offline",
        }
    }
}

/// One followed conversation: its state, its events in sequence order, and what this tab
/// sent that the store has not confirmed yet.
#[derive(Clone, Copy)]
pub struct ConversationFeed {
    pub conversation: RwSignal<Conversation>,
    pub messages: RwSignal<Vec<Message>>,
    pub pending: RwSignal<Vec<crate::model::Pending>>,
    /// Who on the other side is typing, and until when (ms since the epoch).
    pub typing: RwSignal<Option<(String, f64)>>,
}

impl ConversationFeed {
    pub fn last_seq(&self) -> i64 {
        self.messages
            .with_untracked(|list| list.last().map(|m| m.seq).unwrap_or(0))
    }

    /// Adds events by sequence number; an event already shown is kept once, and a pending
    /// message the store now holds leaves the outbox.
    pub fn merge(&self, incoming: Vec<Message>) {
        if incoming.is_empty() {
            return;
        }
        let confirmed = self.pending.with_untracked(|pending| {
            pending
                .iter()
                .any(|p| incoming.iter().any(|m| m.client_id == p.client_id))
        });
        if confirmed {
            self.pending.update(|pending| {
                pending.retain(|p| !incoming.iter().any(|m| m.client_id == p.client_id))
            });
        }
        self.messages.update(|list| {
            for message in incoming {
                match list.binary_search_by_key(&message.seq, |m| m.seq) {
                    Ok(_) => {}
                    Err(at) => list.insert(at, message),
                }
            }
        });
    }

    pub fn update_conversation(&self, incoming: Conversation) {
        // Snapshots can arrive out of order: the one that saw more events wins, and
        // receipts only move forward.
        self.conversation.update(|current| {
            let receipts = current.receipts.max(incoming.receipts);
            if incoming.last_seq >= current.last_seq {
                *current = incoming;
            }
            current.receipts = receipts;
        });
    }
}

/// Something an agent may want a sound or a notification for.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub conversation_id: String,
    /// A new conversation, rather than a new message in a known one.
    pub new: bool,
    pub visitor_name: String,
    pub preview: String,
    /// A teammate named this agent in a note: who.
    pub mentioned_by: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Live {
    pub state: RwSignal<ConnectionState>,
    feeds: StoredValue<HashMap<String, ConversationFeed>>,
    inbox: StoredValue<Option<RwSignal<Vec<Conversation>>>>,
    /// Bumped when the inbox list fell behind and must be fetched again.
    pub inbox_resync: RwSignal<u32>,
    /// Which side this tab is on, from the server's `ready` frame.
    role: RwSignal<Option<SenderKind>>,
    /// Visitors: the agents online now; `None` until the server said.
    pub agents_online: RwSignal<Option<Vec<String>>>,
    /// Agents: every connected agent and whether they are away (absent means offline).
    pub team: RwSignal<Vec<AgentPresence>>,
    /// Agents: unread visitor messages per conversation of the inbox list.
    pub unread: RwSignal<HashMap<String, i64>>,
    /// Agents: the newest event worth a sound or a notification.
    pub alert: RwSignal<Option<Alert>>,
    /// The server signed this agent out (deactivated, or signed out everywhere).
    pub signed_out: RwSignal<bool>,
    /// Agents: seconds without input before this tab reports itself away.
    pub idle_secs: RwSignal<u64>,
    /// The longest message the server takes, from its `ready` frame.
    pub max_message_chars: RwSignal<usize>,
    /// The largest file the server takes, from its `ready` frame.
    pub max_file_bytes: RwSignal<u64>,
    /// Whether the tab is visible (what is open in a hidden tab is not read yet).
    pub visible: RwSignal<bool>,
    /// Visitors framed on another site: the token the socket names, since no cookie is sent.
    visitor_token: StoredValue<Option<String>>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<web_sys::WebSocket>, LocalStorage>,
    #[cfg(feature = "hydrate")]
    timing: StoredValue<browser::Timing>,
    /// Receipts already sent per conversation: (delivered, read).
    #[cfg(feature = "hydrate")]
    acks: StoredValue<HashMap<String, (i64, i64)>>,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

// `handle` and `resume_frames` are driven by the browser's socket only.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Live {
    pub fn provide() -> Live {
        let live = Live {
            state: RwSignal::new(ConnectionState::Connecting),
            feeds: StoredValue::new(HashMap::new()),
            inbox: StoredValue::new(None),
            inbox_resync: RwSignal::new(0),
            role: RwSignal::new(None),
            agents_online: RwSignal::new(None),
            team: RwSignal::new(Vec::new()),
            unread: RwSignal::new(HashMap::new()),
            alert: RwSignal::new(None),
            signed_out: RwSignal::new(false),
            idle_secs: RwSignal::new(600),
            max_message_chars: RwSignal::new(crate::model::MAX_MESSAGE_CHARS),
            max_file_bytes: RwSignal::new(crate::model::DEFAULT_MAX_FILE_BYTES),
            visible: RwSignal::new(true),
            visitor_token: StoredValue::new(None),
            #[cfg(feature = "hydrate")]
            socket: StoredValue::new_local(None),
            #[cfg(feature = "hydrate")]
            timing: StoredValue::new(browser::Timing::default()),
            #[cfg(feature = "hydrate")]
            acks: StoredValue::new(HashMap::new()),
        };
        provide_context(live);
        live
    }

    /// The visitor's token when the widget keeps it itself (framed on another site).
    pub fn visitor_token(&self) -> Option<String> {
        self.visitor_token.get_value()
    }

    /// The visitor's token, for a socket opened where our cookie is not sent; set it before
    /// the first `follow`.
    pub fn set_visitor_token(&self, token: Option<String>) {
        self.visitor_token.set_value(token);
    }

    /// Follows a conversation until the calling component unmounts.
    pub fn follow(&self, conversation: Conversation, messages: Vec<Message>) -> ConversationFeed {
        let id = conversation.id.clone();
        let feed = ConversationFeed {
            conversation: RwSignal::new(conversation),
            messages: RwSignal::new(messages),
            pending: RwSignal::new(Vec::new()),
            typing: RwSignal::new(None),
        };
        self.feeds.update_value(|feeds| {
            feeds.insert(id.clone(), feed);
        });
        self.send(&ClientFrame::Subscribe {
            conversation_id: id.clone(),
            after_seq: Some(feed.last_seq()),
        });
        self.acknowledge(&id, feed);
        let live = *self;
        on_cleanup(move || {
            live.feeds.update_value(|feeds| {
                feeds.remove(&id);
            });
            live.send(&ClientFrame::Unsubscribe {
                conversation_id: id,
            });
        });
        feed
    }

    /// Keeps the agent's inbox list live: new conversations and changes arrive as they happen.
    pub fn watch_inbox(&self, list: RwSignal<Vec<Conversation>>) {
        self.inbox.set_value(Some(list));
        self.send(&ClientFrame::WatchInbox);
        let live = *self;
        on_cleanup(move || live.inbox.set_value(None));
    }

    fn handle(&self, frame: ServerFrame) {
        match frame {
            ServerFrame::Message { message } => {
                let id = message.conversation_id.clone();
                if let Some(feed) = self.feed(&id) {
                    // A message from the typer ends its typing notice.
                    if feed.typing.with_untracked(|t| {
                        t.as_ref()
                            .is_some_and(|(name, _)| *name == message.sender_name)
                    }) {
                        feed.typing.set(None);
                    }
                    feed.merge(vec![message]);
                    self.acknowledge(&id, feed);
                }
            }
            // Answers to `send` frames: the browser posts through the server function for now,
            // so only a stored message is worth keeping (merging is idempotent by seq).
            ServerFrame::Sent { message, .. } => {
                if let Some(feed) = self.feed(&message.conversation_id) {
                    feed.merge(vec![message]);
                }
            }
            ServerFrame::SendFailed { .. } => {}
            ServerFrame::Replay {
                conversation_id,
                messages,
                reset,
            } => {
                if let Some(feed) = self.feed(&conversation_id) {
                    if reset {
                        feed.messages.set(messages);
                    } else {
                        feed.merge(messages);
                    }
                    self.acknowledge(&conversation_id, feed);
                }
            }
            ServerFrame::Conversation { conversation } => {
                let in_view = self.feed(&conversation.id).is_some() && self.page_visible();
                if let Some(feed) = self.feed(&conversation.id) {
                    feed.update_conversation(conversation.clone());
                }
                if let Some(list) = self.inbox.get_value() {
                    self.count_unread(list, &conversation, in_view);
                    upsert_by_activity(list, conversation);
                }
            }
            ServerFrame::Resync { conversation_id } => {
                if let Some(id) = conversation_id {
                    self.send(&ClientFrame::Subscribe {
                        conversation_id: id,
                        after_seq: None,
                    });
                } else {
                    self.inbox_resync.update(|n| *n += 1);
                }
            }
            ServerFrame::Typing {
                conversation_id,
                sender,
                name,
            } => {
                let mine = self.role.get_untracked() == Some(sender);
                if let (Some(feed), false) = (self.feed(&conversation_id), mine) {
                    let until = crate::clock::now_ms() as f64 + crate::live::TYPING_SHOWN_MS;
                    feed.typing.set(Some((name, until)));
                }
            }
            ServerFrame::Ready {
                role,
                idle_secs,
                max_message_chars,
                max_file_bytes,
                ..
            } => {
                self.role.set(crate::model::SenderKind::parse(&role));
                self.max_message_chars.set(max_message_chars);
                self.max_file_bytes.set(max_file_bytes);
                if idle_secs > 0 {
                    self.idle_secs.set(idle_secs);
                }
            }
            ServerFrame::Presence { agents } => self.agents_online.set(Some(agents)),
            ServerFrame::TeamPresence { agents } => self.team.set(agents),
            ServerFrame::SignedOut { .. } => self.signed_out.set(true),
            ServerFrame::Mentioned {
                conversation_id,
                by,
                body,
            } => self.alert.set(Some(Alert {
                conversation_id,
                new: false,
                visitor_name: String::new(),
                preview: crate::model::preview(&body),
                mentioned_by: Some(by),
            })),
            ServerFrame::Pong | ServerFrame::Error { .. } => {}
        }
    }

    /// A visitor message in a conversation not in view counts as unread, and a new
    /// conversation or such a message raises an alert.
    fn count_unread(
        &self,
        list: RwSignal<Vec<Conversation>>,
        conversation: &Conversation,
        in_view: bool,
    ) {
        let before = list.with_untracked(|items| {
            items
                .iter()
                .find(|c| c.id == conversation.id)
                .map(|c| (c.last_seq, c.last_activity_at))
        });
        // A post moves the activity time; status and assignment notices do not.
        let posted = before.is_some_and(|(seq, at)| {
            conversation.last_seq > seq && conversation.last_activity_at > at
        });
        let visitor_wrote = posted && conversation.last_sender == Some(SenderKind::Visitor);
        if visitor_wrote && !in_view {
            self.unread.update(|unread| {
                *unread.entry(conversation.id.clone()).or_default() += 1;
            });
        }
        let alert = match before {
            None => true,
            Some((seq, _)) => seq > 0 && visitor_wrote && !in_view,
        };
        if alert {
            self.alert.set(Some(Alert {
                conversation_id: conversation.id.clone(),
                new: before.is_none(),
                visitor_name: conversation.visitor_name.clone(),
                preview: conversation.last_preview.clone(),
                mentioned_by: None,
            }));
        }
    }

    /// Unread counts from a freshly fetched list replace the live ones.
    pub fn set_unread(&self, counts: impl IntoIterator<Item = (String, i64)>) {
        self.unread.update(|unread| unread.extend(counts));
    }

    /// The agent has seen this conversation.
    pub fn mark_read(&self, conversation_id: &str) {
        if self
            .unread
            .with_untracked(|u| u.get(conversation_id).copied().unwrap_or(0))
            > 0
        {
            self.unread.update(|u| {
                u.remove(conversation_id);
            });
        }
    }

    /// Tells the other side this tab's user is typing.
    pub fn typing(&self, conversation_id: String) {
        self.send(&ClientFrame::Typing { conversation_id });
    }

    fn feed(&self, id: &str) -> Option<ConversationFeed> {
        self.feeds.with_value(|feeds| feeds.get(id).copied())
    }

    /// Every frame that restores what this tab follows, sent again after each reconnect.
    fn resume_frames(&self) -> Vec<ClientFrame> {
        let mut frames: Vec<ClientFrame> = self.feeds.with_value(|feeds| {
            feeds
                .iter()
                .map(|(id, feed)| ClientFrame::Subscribe {
                    conversation_id: id.clone(),
                    after_seq: Some(feed.last_seq()),
                })
                .collect()
        });
        if self.inbox.with_value(Option::is_some) {
            frames.push(ClientFrame::WatchInbox);
        }
        frames
    }
}

/// Puts a changed conversation at its place in a newest-activity-first list.
pub fn upsert_by_activity(list: RwSignal<Vec<Conversation>>, conversation: Conversation) {
    list.update(|items| upsert(items, conversation));
}

/// Takes a freshly fetched list without losing live changes that arrived while it was on its
/// way: per conversation, the copy that saw more events wins.
pub fn merge_fetched(list: RwSignal<Vec<Conversation>>, fetched: Vec<Conversation>) {
    list.update(|items| {
        for conversation in fetched {
            upsert(items, conversation);
        }
    });
}

fn upsert(items: &mut Vec<Conversation>, conversation: Conversation) {
    if let Some(at) = items.iter().position(|c| c.id == conversation.id) {
        if items[at].last_seq > conversation.last_seq {
            return;
        }
        items.remove(at);
    }
    let at = items
        .iter()
        .position(|c| c.last_activity_at < conversation.last_activity_at)
        .unwrap_or(items.len());
    items.insert(at, conversation);
}

#[cfg(not(feature = "hydrate"))]
impl Live {
    /// The server renders pages only; sockets exist in the browser.
    fn send(&self, _frame: &ClientFrame) -> bool {
        false
    }

    fn page_visible(&self) -> bool {
        false
    }

    /// Only the browser has input to be idle from.
    pub fn choose_away(&self, _away: bool) {}

    pub fn start(&self) {}

    pub fn chosen_away(&self) -> bool {
        false
    }

    pub fn watch_input(&self) {}

    fn acknowledge(&self, _id: &str, _feed: ConversationFeed) {}
}

#[cfg(feature = "hydrate")]
mod browser;
