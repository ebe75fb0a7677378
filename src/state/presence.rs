//! Which agents are connected, and whether each is away, across every node: this node's agent
//! sockets, and the sets other nodes announced (with when). Only data here; `live::presence`
//! announces and relays it.
use crate::model::{Agent, AgentPresence};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Presence {
    node: String,
    inner: Mutex<Inner>,
}

/// One agent's sockets on this node.
struct Local {
    name: String,
    sockets: usize,
    /// Sockets whose tab reported itself away.
    away: usize,
}

#[derive(Default)]
struct Inner {
    local: HashMap<String, Local>,
    /// Other nodes' agents, and when each node last announced them.
    remote: HashMap<String, (Vec<AgentPresence>, Instant)>,
    /// What was last published, to publish only changes.
    published: Vec<AgentPresence>,
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
    fn local_agents(&self) -> Vec<AgentPresence> {
        self.local
            .iter()
            .map(|(id, local)| AgentPresence {
                id: id.clone(),
                name: local.name.clone(),
                away: local.away >= local.sockets,
            })
            .collect()
    }

    /// Every connected agent once, sorted by name: away only if away on every node.
    fn agents(&self) -> Vec<AgentPresence> {
        let mut by_id: BTreeMap<String, AgentPresence> = BTreeMap::new();
        let remote = self.remote.values().flat_map(|(agents, _)| agents.iter());
        for agent in self.local_agents().iter().chain(remote) {
            by_id
                .entry(agent.id.clone())
                .and_modify(|seen| seen.away &= agent.away)
                .or_insert_with(|| agent.clone());
        }
        let mut agents: Vec<AgentPresence> = by_id.into_values().collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        agents
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

    /// Every connected agent, online or away.
    pub fn agents(&self) -> Vec<AgentPresence> {
        self.inner().agents()
    }

    /// The names of the agents online (not away), for visitors.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .agents()
            .into_iter()
            .filter(|a| !a.away)
            .map(|a| a.name)
            .collect();
        names.dedup();
        names
    }

    /// This node's connected agents.
    pub fn local_agents(&self) -> Vec<AgentPresence> {
        self.inner().local_agents()
    }

    /// Counts one more socket of the agent.
    pub fn connect(&self, agent: &Agent) {
        let mut inner = self.inner();
        let entry = inner.local.entry(agent.id.clone()).or_insert(Local {
            name: agent.name.clone(),
            sockets: 0,
            away: 0,
        });
        entry.sockets += 1;
    }

    /// Counts one socket fewer; `was_away` says whether that socket had reported away.
    pub fn disconnect(&self, agent: &Agent, was_away: bool) {
        let mut inner = self.inner();
        let gone = match inner.local.get_mut(&agent.id) {
            Some(entry) => {
                entry.sockets = entry.sockets.saturating_sub(1);
                if was_away {
                    entry.away = entry.away.saturating_sub(1);
                }
                entry.sockets == 0
            }
            None => false,
        };
        if gone {
            inner.local.remove(&agent.id);
        }
    }

    /// One socket of the agent turned away (or back).
    pub fn set_away(&self, agent: &Agent, away: bool) {
        if let Some(entry) = self.inner().local.get_mut(&agent.id) {
            if away {
                entry.away = (entry.away + 1).min(entry.sockets);
            } else {
                entry.away = entry.away.saturating_sub(1);
            }
        }
    }

    /// Another node's whole set of agents; this node's own echo is ignored.
    pub fn remote(&self, node: String, agents: Vec<AgentPresence>) -> bool {
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

    /// Every agent's presence, if it changed since the last call.
    pub fn changed(&self) -> Option<Vec<AgentPresence>> {
        let mut inner = self.inner();
        let agents = inner.agents();
        if agents == inner.published {
            return None;
        }
        inner.published = agents.clone();
        Some(agents)
    }
}
