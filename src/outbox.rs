//! Messages the user sent that the store has not confirmed yet. They show at once as
//! "sending", survive a reload (kept in localStorage), and go out in order when the
//! connection is back. A message the server refuses stays as "failed" with the reason.
use crate::error::AppError;
use crate::live::client::{ConnectionState, ConversationFeed, Live};
use crate::model::{Message, Pending};
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

/// How one side sends a message: the widget's or the dashboard's server function, given the
/// conversation id and what is pending (body, client id, and whether it is a note). The
/// outbox knows no feature.
pub type Deliver = fn(String, Pending) -> Pin<Box<dyn Future<Output = Result<Message, AppError>>>>;

/// The outbox of one followed conversation, for the visitor's or an agent's side.
#[derive(Clone, Copy)]
pub struct Outbox {
    feed: ConversationFeed,
    deliver: Deliver,
    flushing: StoredValue<bool>,
}

impl Outbox {
    /// Restores what an earlier page left unsent (after hydration, so the first render matches
    /// the server's) and keeps storage in step with the pending list.
    pub fn new(feed: ConversationFeed, deliver: Deliver) -> Outbox {
        let outbox = Outbox {
            feed,
            deliver,
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

    /// Queues a message (or, with `note`, an agents' note: kept with it, so a retry after
    /// the composer switched modes still sends what was written).
    pub fn send(&self, body: String, note: bool) {
        self.feed.pending.update(|pending| {
            pending.push(Pending {
                client_id: new_client_id(),
                body,
                created_at: crate::clock::now_ms(),
                failed: None,
                note,
            })
        });
        self.flush();
    }

    pub fn retry(&self, client_id: &str) {
        // `try_`: a timed retry may come after the conversation was closed.
        let _ = self.feed.pending.try_update(|pending| {
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
                    // Over a rate limit: say so on the message, and send it again by itself
                    // once the wait is over.
                    Err(limited @ AppError::RateLimited { retry_after_secs }) => {
                        outbox.mark_failed(&item.client_id, limited.to_string());
                        outbox.retry_after(item.client_id.clone(), retry_after_secs);
                        break;
                    }
                    Err(refused) => outbox.mark_failed(&item.client_id, refused.to_string()),
                }
            }
            let _ = outbox.flushing.try_set_value(false);
        });
    }

    fn mark_failed(&self, client_id: &str, why: String) {
        self.feed.pending.update(|pending| {
            if let Some(p) = pending.iter_mut().find(|p| p.client_id == client_id) {
                p.failed = Some(why);
            }
        });
    }

    /// A socket can look open while requests fail (or the reverse), so the outbox also
    /// retries on its own clock while it holds anything.
    fn retry_later(&self) {
        self.after(2, |outbox| outbox.flush());
    }

    /// Sends one refused message again after the wait the server asked for.
    fn retry_after(&self, client_id: String, secs: u64) {
        self.after(secs.clamp(1, 3600) as u32, move |outbox| {
            outbox.retry(&client_id)
        });
    }

    /// Runs `then` in `secs` seconds (in the browser; the server never waits).
    fn after(&self, secs: u32, then: impl FnOnce(Outbox) + 'static) {
        #[cfg(feature = "hydrate")]
        {
            let outbox = *self;
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(secs * 1000).await;
                then(outbox);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (secs, then);
    }

    async fn deliver(&self, item: &Pending) -> Result<Message, AppError> {
        let conversation_id = self.feed.conversation.with_untracked(|c| c.id.clone());
        (self.deliver)(conversation_id, item.clone()).await
    }
}

/// Sends what is waiting whenever the shared connection comes back.
pub fn resend_when_online(live: Live, outbox: Outbox) {
    Effect::new(move |_| {
        if live.state.get() == ConnectionState::Online {
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
        return crate::codec::from_json(&text).unwrap_or_default();
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

pub use crate::model::new_client_id;
