//! Messages the user sent that the store has not confirmed yet. They show at once as
//! "sending", survive a reload (kept in localStorage), and go out in order when the
//! connection is back. A message the server refuses stays as "failed" with the reason.
use crate::error::AppError;
use crate::live::client::ConversationFeed;
use crate::model::SenderKind;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub client_id: String,
    pub body: String,
    pub created_at: i64,
    /// Why the server refused it; `None` while it is still trying.
    #[serde(default)]
    pub failed: Option<String>,
}

/// The outbox of one followed conversation, for the visitor's or an agent's side.
#[derive(Clone, Copy)]
pub struct Outbox {
    feed: ConversationFeed,
    side: SenderKind,
    flushing: StoredValue<bool>,
}

impl Outbox {
    /// Restores what an earlier page left unsent (after hydration, so the first render matches
    /// the server's) and keeps storage in step with the pending list.
    pub fn new(feed: ConversationFeed, side: SenderKind) -> Outbox {
        let outbox = Outbox {
            feed,
            side,
            flushing: StoredValue::new(false),
        };
        let key = storage_key(&feed);
        Effect::new(move |restored: Option<()>| {
            if restored.is_none() {
                let saved: Vec<Pending> = load(&key);
                if !saved.is_empty() {
                    feed.pending.set(saved);
                    outbox.flush();
                }
            } else {
                feed.pending.with_untracked(|pending| save(&key, pending));
            }
            // Subscribed after the restore, so every later change is saved.
            feed.pending.track();
        });
        outbox
    }

    pub fn send(&self, body: String) {
        self.feed.pending.update(|pending| {
            pending.push(Pending {
                client_id: crate::chat::new_client_id(),
                body,
                created_at: crate::time_fmt::now_ms(),
                failed: None,
            })
        });
        self.flush();
    }

    pub fn retry(&self, client_id: &str) {
        self.feed.pending.update(|pending| {
            if let Some(item) = pending.iter_mut().find(|p| p.client_id == client_id) {
                item.failed = None;
            }
        });
        self.flush();
    }

    pub fn discard(&self, client_id: &str) {
        self.feed
            .pending
            .update(|pending| pending.retain(|p| p.client_id != client_id));
    }

    /// Sends pending messages one at a time, oldest first, so they are stored in order.
    /// Stops at the first transport failure; `flush` runs again when the socket is back.
    pub fn flush(&self) {
        if self.flushing.get_value() {
            return;
        }
        self.flushing.set_value(true);
        let outbox = *self;
        leptos::task::spawn_local(async move {
            loop {
                // `try_`: the conversation may have been closed while this ran; then stop.
                let next = outbox
                    .feed
                    .pending
                    .try_with_untracked(|pending| {
                        pending.iter().find(|p| p.failed.is_none()).cloned()
                    })
                    .flatten();
                let Some(item) = next else { break };
                match outbox.deliver(&item).await {
                    Ok(message) => outbox.feed.merge(vec![message]),
                    Err(AppError::Transport(_) | AppError::Internal) => {
                        outbox.retry_later();
                        break;
                    }
                    Err(refused) => outbox.feed.pending.update(|pending| {
                        if let Some(p) = pending.iter_mut().find(|p| p.client_id == item.client_id)
                        {
                            p.failed = Some(refused.to_string());
                        }
                    }),
                }
            }
            let _ = outbox.flushing.try_set_value(false);
        });
    }

    /// A socket can look open while requests fail (or the reverse), so the outbox also
    /// retries on its own clock while it holds anything.
    fn retry_later(&self) {
        #[cfg(feature = "hydrate")]
        {
            let outbox = *self;
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(2_000).await;
                outbox.flush();
            });
        }
    }

    async fn deliver(&self, item: &Pending) -> Result<crate::model::Message, AppError> {
        let (body, client_id) = (item.body.clone(), item.client_id.clone());
        match self.side {
            SenderKind::Visitor => crate::widget::send_visitor_message(body, client_id).await,
            _ => {
                let conversation_id = self.feed.conversation.with_untracked(|c| c.id.clone());
                crate::inbox::send_agent_message(conversation_id, body, client_id).await
            }
        }
    }
}

/// Sends what is waiting whenever the shared connection comes back.
pub fn resend_when_online(live: crate::live::client::Live, outbox: Outbox) {
    Effect::new(move |_| {
        if live.state.get() == crate::live::client::ConnectionState::Online {
            outbox.flush();
        }
    });
}

fn storage_key(feed: &ConversationFeed) -> String {
    format!(
        "switchboard.outbox.{}",
        feed.conversation.with_untracked(|c| c.id.clone())
    )
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load(key: &str) -> Vec<Pending> {
    #[cfg(feature = "hydrate")]
    if let Some(text) = storage().and_then(|s| s.get_item(key).ok().flatten()) {
        return serde_json::from_str(&text).unwrap_or_default();
    }
    let _ = key;
    Vec::new()
}

fn save(key: &str, pending: &[Pending]) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let _ = if pending.is_empty() {
            storage.remove_item(key)
        } else {
            storage.set_item(key, &serde_json::to_string(pending).unwrap_or_default())
        };
    }
    let _ = (key, pending);
}
