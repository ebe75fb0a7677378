//! The database as a whole: a health check, and for a database shared by several nodes the
//! feed of what the others wrote and the relay of signals that are never stored.
use super::StoreResult;
use crate::model::SenderKind;
use async_trait::async_trait;

#[async_trait]
pub trait Feed: Send + Sync + 'static {
    /// Cheap round trip for health checks.
    async fn ping(&self) -> StoreResult<()>;

    /// Writes made by other nodes sharing this database, as hints to re-read. `None` for a
    /// store only this node uses. Hands out its receiver once.
    fn changes(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        None
    }

    /// Passes a signal that is never stored (typing, presence) to the other nodes.
    async fn relay(&self, _signal: Signal) -> StoreResult<()> {
        Ok(())
    }

    /// Whether the cross-node change feed is connected; `None` when there is none.
    fn feed_connected(&self) -> Option<bool> {
        None
    }
}

/// A hint that another node wrote: read the store to learn what.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A conversation changed; `seqs` are the events it appended, if any.
    Conversation {
        conversation_id: String,
        seqs: Option<(i64, i64)>,
    },
    /// A signal another node relayed.
    Signal(Signal),
    /// The feed was cut: anything may have been missed.
    Interrupted,
}

/// Live signals that are not events of the conversation and are never stored.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Signal {
    Typing {
        conversation_id: String,
        sender: SenderKind,
        name: String,
    },
    /// A node's connected agents; the whole set, not a change.
    Presence {
        node: String,
        agents: Vec<crate::model::AgentPresence>,
    },
    /// Close the sockets of these sessions of the agent, on every node.
    SignedOut {
        agent_id: String,
        ended: crate::model::SessionsEnded,
    },
    /// Who works which inbox changed: agents' sockets read their inboxes again.
    AccessChanged,
    /// A teammate named this agent in a note.
    Mentioned {
        agent_id: String,
        conversation_id: String,
        by: String,
        body: String,
    },
}
