//! Presence announcements: each node counts its own agent sockets (in `state::presence`),
//! relays its set through the store, re-announces on a heartbeat, and a node not heard from
//! for a while (it died) drops out. Visitors see the names, live.
use crate::model::Agent;
use crate::state::AppState;
use crate::store::Signal;
use std::time::Duration;

const ANNOUNCE_EVERY: Duration = Duration::from_secs(10);
const FORGET_AFTER: Duration = Duration::from_secs(30);

pub fn agent_connected(state: &AppState, agent: &Agent) {
    if state.presence.connect(agent) {
        announce(state);
    }
}

pub fn agent_disconnected(state: &AppState, agent: &Agent) {
    if state.presence.disconnect(agent) {
        announce(state);
    }
}

/// Another node's agents, relayed through the store.
pub fn remote(state: &AppState, node: String, agents: Vec<(String, String)>) {
    if state.presence.remote(node, agents) {
        publish_if_changed(state);
    }
}

/// Tells the other nodes about this node's agents, and this node's visitors about everyone.
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
    if let Some(names) = state.presence.changed_names() {
        state.hub.publish_presence(&names);
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
