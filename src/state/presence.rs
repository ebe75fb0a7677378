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
    /// Sorted by id, so two readings compare equal when nothing changed.
    fn local_agents(&self) -> Vec<AgentPresence> {
        let mut agents: Vec<AgentPresence> = self
            .local
            .iter()
            .map(|(id, local)| AgentPresence {
                id: id.clone(),
                name: local.name.clone(),
                away: local.away >= local.sockets,
            })
            .collect();
        agents.sort_by(|a, b| a.id.cmp(&b.id));
        agents
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

/// What visitors see of a presence set: the online (not away) agents' names, sorted, once each.
pub fn online_names(agents: &[AgentPresence]) -> Vec<String> {
    let mut names: Vec<String> = agents
        .iter()
        .filter(|a| !a.away)
        .map(|a| a.name.clone())
        .collect();
    names.dedup();
    names
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
        online_names(&self.agents())
    }

    /// This node's connected agents.
    pub fn local_agents(&self) -> Vec<AgentPresence> {
        self.inner().local_agents()
    }

    /// Counts one more socket of the agent; true when this node's announced set changed
    /// (the agent was not connected here, or was away and this tab is not).
    pub fn connect(&self, agent: &Agent) -> bool {
        let mut inner = self.inner();
        let before = inner.local_agents();
        let entry = inner.local.entry(agent.id.clone()).or_insert(Local {
            name: agent.name.clone(),
            sockets: 0,
            away: 0,
        });
        entry.sockets += 1;
        inner.local_agents() != before
    }

    /// Counts one socket fewer; `was_away` says whether that socket had reported away. True
    /// when this node's announced set changed.
    pub fn disconnect(&self, agent: &Agent, was_away: bool) -> bool {
        let mut inner = self.inner();
        let before = inner.local_agents();
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
        inner.local_agents() != before
    }

    /// One socket of the agent turned away (or back); true when this node's set changed.
    pub fn set_away(&self, agent: &Agent, away: bool) -> bool {
        let mut inner = self.inner();
        let before = inner.local_agents();
        if let Some(entry) = inner.local.get_mut(&agent.id) {
            if away {
                entry.away = (entry.away + 1).min(entry.sockets);
            } else {
                entry.away = entry.away.saturating_sub(1);
            }
        }
        inner.local_agents() != before
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
