//! Which agents are online, across every node: this node's agent sockets, and the sets other
//! nodes announced (with when). Only data here; `live::presence` announces and relays it.
use crate::model::Agent;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    /// This node's id in presence announcements.
    pub fn node(&self) -> &str {
        &self.node
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("presence lock")
    }

    pub fn names(&self) -> Vec<String> {
        self.inner().names()
    }

    /// This node's online agents as (id, name).
    pub fn local_agents(&self) -> Vec<(String, String)> {
        self.inner()
            .local
            .iter()
            .map(|(id, (name, _))| (id.clone(), name.clone()))
            .collect()
    }

    /// Counts one more socket of the agent; true when the agent just came online here.
    pub fn connect(&self, agent: &Agent) -> bool {
        let mut inner = self.inner();
        let entry = inner
            .local
            .entry(agent.id.clone())
            .or_insert((agent.name.clone(), 0));
        entry.1 += 1;
        entry.1 == 1
    }

    /// Counts one socket fewer; true when the agent's last socket here closed.
    pub fn disconnect(&self, agent: &Agent) -> bool {
        let mut inner = self.inner();
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
    }

    /// Another node's whole set of agents; this node's own echo is ignored.
    pub fn remote(&self, node: String, agents: Vec<(String, String)>) -> bool {
        if node == self.node {
            return false;
        }
        self.inner().remote.insert(node, (agents, Instant::now()));
        true
    }

    /// Forgets the nodes not heard from for `quiet` (they died).
    pub fn forget_quiet(&self, quiet: Duration) {
        self.inner()
            .remote
            .retain(|_, (_, seen)| seen.elapsed() < quiet);
    }

    /// The names, if they changed since the last call.
    pub fn changed_names(&self) -> Option<Vec<String>> {
        let mut inner = self.inner();
        let names = inner.names();
        if names == inner.published {
            return None;
        }
        inner.published = names.clone();
        Some(names)
    }
}
