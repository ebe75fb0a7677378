//! The browser end of the shared socket: connect, reconnect with backoff, heartbeat, receipts.
use super::*;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

const HEARTBEAT_MS: f64 = (crate::live::HEARTBEAT_SECS * 1000) as f64;
/// A ping unanswered this long means the connection has stalled: say so at once, while the
/// socket gets until two silent heartbeats to recover before it is reopened.
const STALLED_MS: f64 = 1500.0;
/// How often the heartbeat looks at the connection.
const TICK_MS: u32 = 500;

#[derive(Default, Clone)]
pub struct Timing {
    pub generation: u32,
    pub attempts: u32,
    pub last_heard_ms: f64,
    pub started: bool,
    pub opened_before: bool,
    /// The current socket is open (and not yet given up on).
    pub open: bool,
    pub last_ping_ms: f64,
    /// What this tab last told the server about being away, and when it last looked.
    pub away_sent: bool,
    pub away_checked_ms: f64,
}

/// Shared by every tab of the browser, so input in any tab counts and a chosen "away" holds.
const LAST_INPUT_KEY: &str = "switchboard.last-input";
const CHOSEN_AWAY_KEY: &str = "switchboard.away";
/// How often a tab recomputes whether it is away.
const AWAY_CHECK_MS: f64 = 5000.0;

impl Live {
    /// Sends if the socket is open; frames are never queued (resume covers the gap).
    pub(super) fn send(&self, frame: &ClientFrame) -> bool {
        self.ensure_started();
        let Ok(text) = serde_json::to_string(frame) else {
            return false;
        };
        self.socket.with_value(|socket| match socket {
            Some(socket) if socket.ready_state() == WebSocket::OPEN => {
                socket.send_with_str(&text).is_ok()
            }
            _ => false,
        })
    }

    /// Tells the server what this tab holds, and what it has shown if the tab is visible.
    pub(super) fn acknowledge(&self, id: &str, feed: ConversationFeed) {
        let delivered = feed.last_seq();
        let read = if page_visible() { delivered } else { 0 };
        let (sent_delivered, sent_read) = self
            .acks
            .with_value(|acks| acks.get(id).copied().unwrap_or((0, 0)));
        if delivered <= sent_delivered && read <= sent_read {
            return;
        }
        let frame = ClientFrame::Receipt {
            conversation_id: id.to_string(),
            delivered_seq: delivered,
            read_seq: read.max(sent_read),
        };
        if self.send(&frame) {
            self.acks.update_value(|acks| {
                acks.insert(id.to_string(), (delivered, read.max(sent_read)));
            });
        }
    }

    fn acknowledge_all(&self) {
        let feeds: Vec<(String, ConversationFeed)> = self
            .feeds
            .with_value(|feeds| feeds.iter().map(|(id, f)| (id.clone(), *f)).collect());
        for (id, feed) in feeds {
            self.acknowledge(&id, feed);
        }
    }

    /// Opens the socket now (a page that follows nothing still wants presence).
    pub fn start(&self) {
        self.ensure_started();
    }

    /// The socket opens with the first follow, and then keeps itself alive.
    fn ensure_started(&self) {
        if self.timing.with_value(|t| t.started) {
            return;
        }
        self.timing.update_value(|t| t.started = true);
        let live = *self;
        // Opened on the next tick: `send` may be running inside a component's render.
        leptos::task::spawn_local(async move {
            live.connect();
            live.heartbeat().await;
        });
        let on_online = Closure::<dyn FnMut()>::new(move || {
            if live.state.get_untracked() != ConnectionState::Online {
                live.connect();
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        }
        on_online.forget();
        // Coming back to a hidden tab reads what it shows: receipts go out again at once, so
        // "delivered" turns "read" without waiting for the next message.
        let on_visibility = Closure::<dyn FnMut()>::new(move || {
            let visible = page_visible();
            live.visible.set(visible);
            if visible {
                live.acknowledge_all();
            }
        });
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                on_visibility.as_ref().unchecked_ref(),
            );
        }
        on_visibility.forget();
        self.visible.set(page_visible());
    }

    fn connect(&self) {
        let live = *self;
        let generation = self.timing.with_value(|t| t.generation) + 1;
        self.timing.update_value(|t| t.generation = generation);
        if let Some(old) = self.socket.try_update_value(|s| s.take()).flatten() {
            let _ = old.close();
        }
        let Some(url) = socket_url() else { return };
        let protocols = js_sys::Array::of1(&crate::model::protocol::SOCKET_PROTOCOL.into());
        if let Some(token) = self.visitor_token.get_value() {
            protocols.push(&format!("visitor.{token}").into());
        }
        let Ok(socket) = WebSocket::new_with_str_sequence(&url, &protocols) else {
            live.schedule_reconnect(generation);
            return;
        };
        let current = move || live.timing.with_value(|t| t.generation) == generation;

        let on_open = Closure::<dyn FnMut()>::new(move || {
            if !current() {
                return;
            }
            live.timing.update_value(|t| {
                t.attempts = 0;
                t.open = true;
                t.last_heard_ms = js_sys::Date::now();
                t.last_ping_ms = 0.0;
            });
            // A new connection starts with no receipts known to have gone out, and not away.
            live.acks.update_value(|acks| acks.clear());
            live.timing.update_value(|t| {
                t.away_sent = false;
                t.away_checked_ms = 0.0;
            });
            // The inbox list has no cursor: after a gap, fetch it again.
            let reconnected = live.timing.with_value(|t| t.opened_before);
            live.timing.update_value(|t| t.opened_before = true);
            if reconnected && live.inbox.with_value(Option::is_some) {
                live.inbox_resync.update(|n| *n += 1);
            }
            live.state.set(ConnectionState::Online);
            for frame in live.resume_frames() {
                live.send(&frame);
            }
            live.acknowledge_all();
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if !current() {
                return;
            }
            live.timing
                .update_value(|t| t.last_heard_ms = js_sys::Date::now());
            // The peer answers again after a stall.
            if live.state.get_untracked() == ConnectionState::Reconnecting
                && live.timing.with_value(|t| t.open)
            {
                live.state.set(ConnectionState::Online);
            }
            if let Some(text) = event.data().as_string() {
                match crate::codec::from_json::<ServerFrame>(&text) {
                    Ok(frame) => live.handle(frame),
                    Err(error) => leptos::logging::warn!("switchboard: bad frame: {error}"),
                }
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if !current() {
                return;
            }
            // Signed out: reconnecting would only be refused.
            if event.code() == 4001 {
                live.timing.update_value(|t| t.open = false);
                live.state.set(ConnectionState::Offline);
                live.signed_out.set(true);
                return;
            }
            live.schedule_reconnect(generation);
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // One set of handlers per connection; a few bytes each, kept for the tab's life.
        on_open.forget();
        on_message.forget();
        on_close.forget();
        self.socket.set_value(Some(socket));
    }

    fn schedule_reconnect(&self, generation: u32) {
        self.timing.update_value(|t| t.open = false);
        let online = web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true);
        self.state.set(if online {
            ConnectionState::Reconnecting
        } else {
            ConnectionState::Offline
        });
        let attempts = self.timing.with_value(|t| t.attempts);
        self.timing.update_value(|t| t.attempts += 1);
        // Exponential backoff with jitter, capped, so a restarted server is not stampeded.
        let base = (500.0 * 2f64.powi(attempts.min(5) as i32)).min(10_000.0);
        let delay = base * (0.5 + js_sys::Math::random() * 0.5);
        let live = *self;
        leptos::task::spawn_local(async move {
            TimeoutFuture::new(delay as u32).await;
            if live.timing.with_value(|t| t.generation) == generation {
                live.connect();
            }
        });
    }

    /// Pings every interval. A ping unanswered for `STALLED_MS` shows "Reconnecting…" at
    /// once; a socket silent for two intervals is closed and reopened.
    async fn heartbeat(&self) {
        loop {
            TimeoutFuture::new(TICK_MS).await;
            let (open, last_heard, last_ping, generation) = self
                .timing
                .with_value(|t| (t.open, t.last_heard_ms, t.last_ping_ms, t.generation));
            if !open {
                continue;
            }
            let now = js_sys::Date::now();
            if now - last_heard > 2.0 * HEARTBEAT_MS {
                self.schedule_reconnect(generation);
                continue;
            }
            let unanswered = last_ping > last_heard && now - last_ping > STALLED_MS;
            if unanswered && self.state.get_untracked() == ConnectionState::Online {
                self.state.set(ConnectionState::Reconnecting);
            }
            if now - last_ping >= HEARTBEAT_MS && self.send(&ClientFrame::Ping) {
                self.timing.update_value(|t| t.last_ping_ms = now);
            }
            if now - self.timing.with_value(|t| t.away_checked_ms) >= AWAY_CHECK_MS {
                self.report_away(now);
            }
        }
    }

    /// Agents: tells the server when this tab turns away (chosen, or no input in any tab
    /// for the idle time) or back.
    fn report_away(&self, now: f64) {
        self.timing.update_value(|t| t.away_checked_ms = now);
        if self.role.get_untracked() != Some(SenderKind::Agent) {
            return;
        }
        let last_input = stored(LAST_INPUT_KEY)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(now);
        let idle_ms = self.idle_secs.get_untracked() as f64 * 1000.0;
        let away = stored(CHOSEN_AWAY_KEY).is_some() || now - last_input > idle_ms;
        if away != self.timing.with_value(|t| t.away_sent) && self.send(&ClientFrame::Away { away })
        {
            self.timing.update_value(|t| t.away_sent = away);
        }
    }

    /// The agent chose to be away (or back); every tab of this browser follows.
    pub fn choose_away(&self, away: bool) {
        if let Some(storage) = storage() {
            let _ = if away {
                storage.set_item(CHOSEN_AWAY_KEY, "1")
            } else {
                storage.remove_item(CHOSEN_AWAY_KEY)
            };
        }
        note_input();
        self.report_away(js_sys::Date::now());
    }

    /// Whether the agent chose away in this browser.
    pub fn chosen_away(&self) -> bool {
        stored(CHOSEN_AWAY_KEY).is_some()
    }

    pub(super) fn page_visible(&self) -> bool {
        page_visible()
    }

    /// Records input for the idle clock, at most every few seconds.
    pub fn watch_input(&self) {
        let on_input = Closure::<dyn FnMut()>::new(note_input);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            for event in ["keydown", "pointerdown", "pointermove", "wheel", "focus"] {
                let _ = document
                    .add_event_listener_with_callback(event, on_input.as_ref().unchecked_ref());
            }
        }
        on_input.forget();
        note_input();
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

fn note_input() {
    let now = js_sys::Date::now();
    let last = stored(LAST_INPUT_KEY)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    if now - last > 2000.0 {
        if let Some(storage) = storage() {
            let _ = storage.set_item(LAST_INPUT_KEY, &format!("{now:.0}"));
        }
    }
}

fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
        .unwrap_or(false)
}

fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}
