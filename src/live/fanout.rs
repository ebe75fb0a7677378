//! Cross-node fan-out: turns the store's change hints (writes made on other nodes) into hub
//! events for this node's sockets. A hint only says where to look; the events come from the
//! store, and any interruption makes every live conversation re-read. It stops with the node.
use crate::clock::now_ms;
use crate::state::AppState;
use crate::store::{Change, Signal, StoreError, Viewer};
use crate::telemetry;

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
            if let Err(error) = apply(&state, change).await {
                tracing::warn!(%error, "fan-out: store read failed");
            }
        }
    });
}

async fn apply(state: &AppState, change: Change) -> Result<(), StoreError> {
    match change {
        Change::Conversation {
            conversation_id,
            seqs,
        } => {
            if let Some((first, last)) = seqs {
                let count = u32::try_from(last - first + 1)
                    .unwrap_or(u32::MAX)
                    .min(crate::live::REPLAY_LIMIT);
                for message in state
                    .stores
                    .conversations
                    .messages_after(Viewer::Node, &conversation_id, first - 1, count)
                    .await?
                {
                    telemetry::fanout_event(now_ms() - message.created_at);
                    state.hub.publish_message(&message);
                }
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
        Change::Signal(Signal::Presence { node, agents }) => {
            super::presence::remote(state, node, agents)
        }
        Change::Signal(Signal::SignedOut { agent_id, ended }) => {
            state.hub.publish_signed_out(&agent_id, &ended)
        }
        Change::Signal(Signal::AccessChanged) => state.hub.publish_access_changed(),
        Change::Signal(Signal::Mentioned {
            agent_id,
            conversation_id,
            by,
            body,
        }) => state
            .hub
            .publish_mention(&agent_id, &conversation_id, &by, &body),
        Change::Signal(Signal::Typing {
            conversation_id,
            sender,
            name,
        }) => state.hub.publish_typing(&conversation_id, sender, &name),
        Change::Interrupted => {
            // Hints may be lost: republish the newest event of every conversation someone
            // follows here. A socket that sees a gap catches up from the store; inbox
            // watchers fetch their list again.
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
        }
    }
    Ok(())
}
