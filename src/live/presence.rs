//! Presence announcements: each node counts its own agent sockets (in `state::presence`),
//! relays its set through the store, re-announces on a heartbeat, and a node not heard from
//! for a while (it died) drops out. Visitors see the online agents' names, agents see everyone's
//! presence, live. Signing an agent out closes their sockets on every node.
use crate::model::{Agent, AgentPresence, SessionsEnded};
use crate::state::AppState;
use crate::store::Signal;
use std::time::Duration;

const ANNOUNCE_EVERY: Duration = Duration::from_secs(10);
const FORGET_AFTER: Duration = Duration::from_secs(30);

// A second tab, or one of two tabs going idle, changes nothing anyone sees: only a change of
// this node's set is announced (and relayed through the store).

pub fn agent_connected(state: &AppState, agent: &Agent) {
    if state.presence.connect(agent) {
        announce(state);
    }
}

pub fn agent_disconnected(state: &AppState, agent: &Agent, was_away: bool) {
    if state.presence.disconnect(agent, was_away) {
        announce(state);
    }
}

/// A tab of the agent went away (idle or chosen) or came back.
pub fn agent_away(state: &AppState, agent: &Agent, away: bool) {
    if state.presence.set_away(agent, away) {
        announce(state);
    }
}

/// Another node's agents, relayed through the store.
pub fn remote(state: &AppState, node: String, agents: Vec<AgentPresence>) {
    if state.presence.remote(node, agents) {
        publish_if_changed(state);
    }
}

/// Closes the sockets of the ended sessions, here and on every other node.
pub async fn sessions_ended(state: &AppState, agent_id: &str, ended: SessionsEnded) {
    state.hub.publish_signed_out(agent_id, &ended);
    let signal = Signal::SignedOut {
        agent_id: agent_id.to_string(),
        ended,
    };
    if let Err(error) = state.stores.feed.relay(signal).await {
        tracing::warn!(%error, "sign-out not relayed to other nodes");
    }
}

/// A teammate named `agent_id` in a note: their sockets here and on every other node hear it.
pub async fn mention(
    state: &AppState,
    agent_id: &str,
    conversation_id: &str,
    by: &str,
    body: &str,
) {
    state
        .hub
        .publish_mention(agent_id, conversation_id, by, body);
    let signal = Signal::Mentioned {
        agent_id: agent_id.to_string(),
        conversation_id: conversation_id.to_string(),
        by: by.to_string(),
        body: body.to_string(),
    };
    if let Err(error) = state.stores.feed.relay(signal).await {
        tracing::warn!(%error, "mention not relayed to other nodes");
    }
}

/// Inbox membership changed: agents' sockets here and on every other node read their
/// inboxes again.
pub async fn access_changed(state: &AppState) {
    state.hub.publish_access_changed();
    if let Err(error) = state.stores.feed.relay(Signal::AccessChanged).await {
        tracing::warn!(%error, "inbox access change not relayed to other nodes");
    }
}

/// Tells the other nodes about this node's agents, and this node's sockets about everyone.
fn announce(state: &AppState) {
    publish_if_changed(state);
    let signal = Signal::Presence {
        node: state.presence.node().to_string(),
        agents: state.presence.local_agents(),
    };
    let feed = state.stores.feed.clone();
    tokio::spawn(async move {
        if let Err(error) = feed.relay(signal).await {
            tracing::debug!(%error, "presence not relayed");
        }
    });
}

fn publish_if_changed(state: &AppState) {
    if let Some(agents) = state.presence.changed() {
        state
            .hub
            .publish_presence(&crate::state::presence::online_names(&agents));
        state.hub.publish_team_presence(&agents);
    }
}

/// Re-announces this node's agents and forgets nodes that went quiet, until the node stops.
pub fn spawn_heartbeat(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ANNOUNCE_EVERY);
        let mut stopping = state.stopping.clone();
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    state.presence.forget_quiet(FORGET_AFTER);
                    announce(&state);
                }
                _ = stopping.wait_for(|stop| *stop) => return,
            }
        }
    });
}
