//! The hub topics one socket follows, as one stream of `(topic, event)`. Polled through
//! `SelectAll` (a `FuturesUnordered` inside), so a wake-up polls only the topic that has
//! something: an agent following hundreds of conversations costs the same per event as a
//! visitor following one (a `StreamMap` polls every topic until one is ready).
use crate::state::hub::{LiveEvent, Topic};
use futures_util::stream::{AbortHandle, Abortable, SelectAll, Stream};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

pub type FeedItem = (Topic, Result<Arc<LiveEvent>, BroadcastStreamRecvError>);
/// `Sync` too: the session is borrowed across awaits by the socket's task.
type Feed = Pin<Box<dyn Stream<Item = FeedItem> + Send + Sync>>;

#[derive(Default)]
pub struct Feeds {
    streams: SelectAll<Feed>,
    /// One handle per followed topic: dropping a topic ends its stream.
    handles: HashMap<Topic, AbortHandle>,
}

impl Feeds {
    /// Follows `topic` (again: the older stream of it ends).
    pub fn insert(&mut self, topic: Topic, stream: BroadcastStream<Arc<LiveEvent>>) {
        let (handle, registration) = AbortHandle::new_pair();
        let tagged = {
            let topic = topic.clone();
            stream.map(move |item| (topic.clone(), item))
        };
        self.streams
            .push(Box::pin(Abortable::new(tagged, registration)));
        if let Some(older) = self.handles.insert(topic, handle) {
            older.abort();
        }
    }

    pub fn remove(&mut self, topic: &Topic) {
        if let Some(handle) = self.handles.remove(topic) {
            handle.abort();
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &Topic> {
        self.handles.keys()
    }

    pub fn clear(&mut self) {
        self.handles.clear();
        self.streams = SelectAll::new();
    }

    /// The next event of any followed topic; pending (never `None`) while nothing is followed,
    /// so a `select!` branch on it simply waits.
    pub async fn next(&mut self) -> Option<FeedItem> {
        if self.streams.is_empty() {
            return std::future::pending().await;
        }
        self.streams.next().await
    }
}
