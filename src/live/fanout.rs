//! Cross-node fan-out: turns the store's change hints (writes made on other nodes) into hub
//! events for this node's sockets. A hint only says where to look; the events come from the
//! store, and any interruption makes every live conversation re-read. It stops with the node.
use crate::clock::now_ms;
use crate::state::AppState;
use crate::store::{Change, Signal, StoreError, Viewer};
use crate::telemetry;
use futures_util::StreamExt;
use std::collections::HashMap;

/// Most hints taken from the feed at once.
const MAX_HINTS: usize = 1024;
/// Conversations read from the store at once. One read after another could not keep up with
/// another node's writes: at ~5,000 msg/s over 1,000 conversations this node fell seconds
/// behind (docs/benchmarks.md).
const CONCURRENT_READS: usize = 8;

pub fn spawn(state: AppState) {
    let Some(mut changes) = state.stores.feed.changes() else {
        return;
    };
    tokio::spawn(async move {
        let mut stopping = state.stopping.clone();
        loop {
            let change = tokio::select! {
                change = changes.recv() => change,
                _ = stopping.wait_for(|stop| *stop) => None,
            };
            let Some(change) = change else { return };
            // Everything already waiting goes with it: the hints of one conversation merge
            // into one read, and different conversations are read side by side.
            let mut batch = vec![change];
            while batch.len() < MAX_HINTS {
                match changes.try_recv() {
                    Ok(change) => batch.push(change),
                    Err(_) => break,
                }
            }
            apply_all(&state, batch).await;
        }
    });
}

/// Applies hints in their order, except that a run of conversation hints is merged by
/// conversation (each conversation's events still go out in order) and read concurrently.
async fn apply_all(state: &AppState, batch: Vec<Change>) {
    let mut moved = Moved::default();
    for change in batch {
        match change {
            Change::Conversation {
                conversation_id,
                seqs,
            } => moved.merge(conversation_id, seqs),
            Change::Signal(signal) => {
                publish_moved(state, std::mem::take(&mut moved).ranges).await;
                relay(state, signal);
            }
            Change::Interrupted => {
                publish_moved(state, std::mem::take(&mut moved).ranges).await;
                report(resync_followed(state).await);
            }
        }
    }
    publish_moved(state, moved.ranges).await;
}

/// Conversations that moved, in the order first heard of, each with the span of new events.
#[derive(Default)]
struct Moved {
    ranges: Vec<(String, Option<(i64, i64)>)>,
    at: HashMap<String, usize>,
}

impl Moved {
    fn merge(&mut self, id: String, seqs: Option<(i64, i64)>) {
        match self.at.get(&id) {
            Some(&i) => {
                let range = &mut self.ranges[i].1;
                *range = match (*range, seqs) {
                    (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                    (range, None) | (None, range) => range,
                }
            }
            None => {
                self.at.insert(id.clone(), self.ranges.len());
                self.ranges.push((id, seqs));
            }
        }
    }
}

async fn publish_moved(state: &AppState, moved: Vec<(String, Option<(i64, i64)>)>) {
    futures_util::stream::iter(moved)
        .for_each_concurrent(CONCURRENT_READS, |(conversation_id, seqs)| async move {
            report(conversation_moved(state, &conversation_id, seqs).await);
        })
        .await;
}

fn report(outcome: Result<(), StoreError>) {
    if let Err(error) = outcome {
        tracing::warn!(%error, "fan-out: store read failed");
    }
}

/// Publishes a conversation's new events (`seqs`), then its new state.
async fn conversation_moved(
    state: &AppState,
    conversation_id: &str,
    seqs: Option<(i64, i64)>,
) -> Result<(), StoreError> {
    if let Some((first, last)) = seqs {
        let count = u32::try_from(last - first + 1)
            .unwrap_or(u32::MAX)
            .min(crate::live::REPLAY_LIMIT);
        for message in state
            .stores
            .conversations
            .messages_after(Viewer::Node, conversation_id, first - 1, count)
            .await?
        {
            telemetry::fanout_event(now_ms() - message.created_at);
            state.hub.publish_message(&message);
        }
    }
    if let Some(conversation) = state
        .stores
        .conversations
        .get(Viewer::Node, conversation_id)
        .await?
    {
        state.hub.publish_conversation(&conversation);
    }
    Ok(())
}

/// Hands a signal another node relayed to this node's hub (nothing to read).
fn relay(state: &AppState, signal: Signal) {
    match signal {
        Signal::Presence { node, agents } => super::presence::remote(state, node, agents),
        Signal::SignedOut { agent_id, ended } => state.hub.publish_signed_out(&agent_id, &ended),
        Signal::AccessChanged => state.hub.publish_access_changed(),
        Signal::Mentioned {
            agent_id,
            conversation_id,
            by,
            body,
        } => state
            .hub
            .publish_mention(&agent_id, &conversation_id, &by, &body),
        Signal::Typing {
            conversation_id,
            sender,
            name,
        } => state.hub.publish_typing(&conversation_id, sender, &name),
    }
}

/// Hints may have been lost: republishes the newest event of every conversation someone
/// follows here. A socket that sees a gap catches up from the store; inbox watchers fetch
/// their list again.
async fn resync_followed(state: &AppState) -> Result<(), StoreError> {
    tracing::info!("fan-out: feed interrupted; re-reading live conversations");
    for conversation_id in state.hub.followed_conversations() {
        for message in state
            .stores
            .conversations
            .messages_before(Viewer::Node, &conversation_id, None, 1)
            .await?
        {
            state.hub.publish_message(&message);
        }
        if let Some(conversation) = state
            .stores
            .conversations
            .get(Viewer::Node, &conversation_id)
            .await?
        {
            state.hub.publish_conversation(&conversation);
        }
    }
    state.hub.publish_inbox_resync();
    Ok(())
}
