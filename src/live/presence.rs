//! Which agents are online, across every node. Each node counts its own agent sockets and
//! relays its set of agents through the store; it re-announces on a heartbeat, and a node not
//! heard from for a while (it died) drops out. Visitors see the names, live.
use crate::model::Agent;
use crate::server::AppState;
use crate::store::Signal;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const ANNOUNCE_EVERY: Duration = Duration::from_secs(10);
const FORGET_AFTER: Duration = Duration::from_secs(30);

pub struct Presence {
    node: String,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// This node's agents: id → (name, open sockets).
    local: HashMap<String, (String, usize)>,
    /// Other nodes' agents, and when each node last announced them.
    remote: HashMap<String, (Vec<(String, String)>, Instant)>,
    /// The names last published, to publish only changes.
    published: Vec<String>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            node: uuid::Uuid::new_v4().to_string(),
            inner: Mutex::default(),
        }
    }
}

impl Inner {
    fn local_agents(&self) -> Vec<(String, String)> {
        self.local
            .iter()
            .map(|(id, (name, _))| (id.clone(), name.clone()))
            .collect()
    }

    /// Online agents' names, each agent once, sorted.
    fn names(&self) -> Vec<String> {
        let mut by_id: BTreeMap<&str, &str> = BTreeMap::new();
        for (id, (name, _)) in &self.local {
            by_id.insert(id, name);
        }
        for (agents, _) in self.remote.values() {
            for (id, name) in agents {
                by_id.insert(id, name);
            }
        }
        let mut names: Vec<String> = by_id.values().map(|n| n.to_string()).collect();
        names.sort();
        names.dedup();
        names
    }
}

impl Presence {
    pub fn names(&self) -> Vec<String> {
        self.inner.lock().expect("presence lock").names()
    }
}

pub fn agent_connected(state: &AppState, agent: &Agent) {
    let changed = {
        let mut inner = state.presence.inner.lock().expect("presence lock");
        let entry = inner
            .local
            .entry(agent.id.clone())
            .or_insert((agent.name.clone(), 0));
        entry.1 += 1;
        entry.1 == 1
    };
    if changed {
        announce(state);
    }
}

pub fn agent_disconnected(state: &AppState, agent: &Agent) {
    let changed = {
        let mut inner = state.presence.inner.lock().expect("presence lock");
        let gone = match inner.local.get_mut(&agent.id) {
            Some(entry) => {
                entry.1 = entry.1.saturating_sub(1);
                entry.1 == 0
            }
            None => false,
        };
        if gone {
            inner.local.remove(&agent.id);
        }
        gone
    };
    if changed {
        announce(state);
    }
}

/// Another node's agents, relayed through the store.
pub fn remote(state: &AppState, node: String, agents: Vec<(String, String)>) {
    if node == state.presence.node {
        return;
    }
    state
        .presence
        .inner
        .lock()
        .expect("presence lock")
        .remote
        .insert(node, (agents, Instant::now()));
    publish_if_changed(state);
}

/// Tells the other nodes about this node's agents, and this node's visitors about everyone.
fn announce(state: &AppState) {
    publish_if_changed(state);
    let agents = state
        .presence
        .inner
        .lock()
        .expect("presence lock")
        .local_agents();
    let signal = Signal::Presence {
        node: state.presence.node.clone(),
        agents,
    };
    let store = state.store.clone();
    tokio::spawn(async move {
        if let Err(error) = store.relay(signal).await {
            tracing::debug!(%error, "presence not relayed");
        }
    });
}

fn publish_if_changed(state: &AppState) {
    let names = {
        let mut inner = state.presence.inner.lock().expect("presence lock");
        let names = inner.names();
        if names == inner.published {
            return;
        }
        inner.published = names.clone();
        names
    };
    state.hub.publish_presence(&names);
}

/// Re-announces this node's agents and forgets nodes that went quiet.
pub fn spawn_heartbeat(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ANNOUNCE_EVERY);
        loop {
            tick.tick().await;
            state
                .presence
                .inner
                .lock()
                .expect("presence lock")
                .remote
                .retain(|_, (_, seen)| seen.elapsed() < FORGET_AFTER);
            announce(&state);
        }
    });
}
