//! What both stores' group commits share: the job a post waits in, and the plan of a whole
//! batch made in memory, in order, each post against the conversation as the earlier ones
//! leave it. The backends only read what the plan needs and write what it decided.
use super::*;
use crate::store::rows::{plan_post, ConversationRow, MessageRow};
use crate::store::{StoreError, StoreResult};
use std::collections::{HashMap, HashSet};
use tokio::sync::oneshot;

/// Most posts one transaction takes.
pub(super) const MAX_BATCH: usize = 256;

/// One post waiting for a group-commit writer.
pub(super) struct PostJob {
    pub(super) post: PostMessage,
    pub(super) reply: oneshot::Sender<StoreResult<Appended>>,
}

/// A batch decided: each post's result, the messages to insert and the conversations' new
/// heads (in the order they were first posted to).
pub(super) struct BatchPlan {
    pub(super) results: Vec<StoreResult<Appended>>,
    pub(super) new_messages: Vec<Message>,
    pub(super) heads: Vec<Conversation>,
}

impl BatchPlan {
    /// The first and last sequence number each moved conversation got, for the hints.
    pub(super) fn seq_ranges(&self) -> Vec<(String, (i64, i64))> {
        let mut ranges: Vec<(String, (i64, i64))> = Vec::new();
        let mut at: HashMap<&str, usize> = HashMap::new();
        for message in &self.new_messages {
            match at.get(message.conversation_id.as_str()) {
                Some(&i) => ranges[i].1 .1 = message.seq,
                None => {
                    at.insert(&message.conversation_id, ranges.len());
                    ranges.push((message.conversation_id.clone(), (message.seq, message.seq)));
                }
            }
        }
        ranges
    }
}

/// Plans `posts` against the conversations as stored (`conversations`) and the messages
/// already stored under the posts' client ids (`stored`, by conversation and client id).
pub(super) fn plan_batch(
    posts: &[PostMessage],
    mut stored: HashMap<(String, String), Message>,
    mut conversations: HashMap<String, Conversation>,
) -> BatchPlan {
    let mut results = Vec::with_capacity(posts.len());
    let mut new_messages: Vec<Message> = Vec::new();
    let mut touched: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for post in posts {
        let Some(conversation) = conversations.get(&post.conversation_id).cloned() else {
            results.push(Err(StoreError::NotFound));
            continue;
        };
        let key = (post.conversation_id.clone(), post.client_id.clone());
        if let Some(message) = stored.get(&key) {
            results.push(Ok(Appended {
                events: vec![message.clone()],
                conversation,
                duplicate: true,
            }));
            continue;
        }
        let plan = plan_post(&conversation, post);
        let applied = plan.applied_to(conversation, post);
        if let Some(message) = plan.events.last() {
            stored.insert(key, message.clone());
        }
        if seen.insert(&post.conversation_id) {
            touched.push(post.conversation_id.clone());
        }
        conversations.insert(post.conversation_id.clone(), applied.clone());
        new_messages.extend(plan.events.iter().cloned());
        results.push(Ok(Appended {
            conversation: applied,
            events: plan.events,
            duplicate: false,
        }));
    }
    let heads = touched
        .iter()
        .filter_map(|id| conversations.remove(id))
        .collect();
    BatchPlan {
        results,
        new_messages,
        heads,
    }
}

/// The messages already stored under a batch's client ids, by conversation and client id.
pub(super) fn stored_by_key(
    rows: Vec<MessageRow>,
) -> StoreResult<HashMap<(String, String), Message>> {
    let mut stored = HashMap::with_capacity(rows.len());
    for row in rows {
        let message: Message = row.try_into()?;
        let key = (message.conversation_id.clone(), message.client_id.clone());
        stored.insert(key, message);
    }
    Ok(stored)
}

/// A batch's conversations as read, by id.
pub(super) fn conversations_by_id(
    rows: Vec<ConversationRow>,
) -> StoreResult<HashMap<String, Conversation>> {
    let mut conversations = HashMap::with_capacity(rows.len());
    for row in rows {
        let conversation = Conversation::try_from(row)?;
        conversations.insert(conversation.id.clone(), conversation);
    }
    Ok(conversations)
}
