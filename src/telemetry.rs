//! Telemetry: every metric the server records, named once here and recorded where the event happens
//! through the `metrics` crate; `/metrics` renders them in Prometheus text. Each series is
//! listed in docs/operations.md.
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics::{Counter, Histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

pub const SOCKETS_OPEN: &str = "switchboard_sockets_open";
pub const HUB_TOPICS: &str = "switchboard_hub_topics";
pub const MESSAGES_STORED: &str = "switchboard_messages_stored_total";
pub const EVENTS_PUBLISHED: &str = "switchboard_events_published_total";
pub const RESYNCS: &str = "switchboard_resyncs_total";
pub const WS_FRAMES: &str = "switchboard_ws_frames_total";
pub const WS_FRAME_BYTES: &str = "switchboard_ws_frame_bytes";
pub const FANOUT_EVENTS: &str = "switchboard_fanout_events_total";
pub const FANOUT_LAG: &str = "switchboard_fanout_lag_seconds";
pub const SEND_TO_COMMIT: &str = "switchboard_send_to_commit_seconds";
pub const PUBLISH_TO_SOCKET: &str = "switchboard_publish_to_socket_seconds";
pub const BATCH_SIZE: &str = "switchboard_group_commit_batch_size";
pub const BATCH_COMMIT: &str = "switchboard_group_commit_seconds";
pub const BATCH_FALLBACKS: &str = "switchboard_group_commit_fallbacks_total";
pub const HTTP_DURATION: &str = "switchboard_http_request_duration_seconds";
pub const FILE_BYTES: &str = "switchboard_file_received_bytes";

/// Latency buckets from 0.1 ms to 10 s: a post commits in about a millisecond, a slow one
/// in hundreds.
const SECONDS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];
const BATCH: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
const BYTES: &[f64] = &[64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0];
const FILE_SIZES: &[f64] = &[1e4, 1e5, 5e5, 1e6, 2.5e6, 5e6, 1e7, 2.5e7, 1e8];

/// The process-wide recorder, installed on first use (a process serves one Switchboard).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(BATCH_SIZE.into()), BATCH))
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(FILE_BYTES.into()), FILE_SIZES))
            .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_bytes".into()), BYTES))
            .expect("bucket lists are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics will be empty");
        }
        describe();
        let _ = HOT.set(Hot::register());
        // Series exist from the start, so a scrape shows 0 rather than nothing.
        for name in [SOCKETS_OPEN, HUB_TOPICS] {
            gauge!(name).set(0.0);
        }
        for name in [
            MESSAGES_STORED,
            EVENTS_PUBLISHED,
            RESYNCS,
            FANOUT_EVENTS,
            BATCH_FALLBACKS,
        ] {
            counter!(name).absolute(0);
        }
        handle
    })
}

fn describe() {
    describe_gauge!(SOCKETS_OPEN, "Open WebSocket connections.");
    describe_gauge!(
        HUB_TOPICS,
        "Live topics (conversations, inboxes, presence) with followers."
    );
    describe_counter!(MESSAGES_STORED, "Messages stored (excluding duplicates).");
    describe_counter!(EVENTS_PUBLISHED, "Events published to the hub.");
    describe_counter!(RESYNCS, "Catch-ups a lagging socket needed from the store.");
    describe_counter!(
        BATCH_FALLBACKS,
        "Group-commit batches rolled back and retried one post at a time."
    );
    describe_counter!(WS_FRAMES, "WebSocket frames, by direction (in, out).");
    describe_histogram!(
        WS_FRAME_BYTES,
        Unit::Bytes,
        "WebSocket frame sizes, by direction."
    );
    describe_counter!(FANOUT_EVENTS, "Events received from other nodes.");
    describe_histogram!(
        FANOUT_LAG,
        Unit::Seconds,
        "Age of another node's event when this node publishes it."
    );
    describe_histogram!(
        SEND_TO_COMMIT,
        Unit::Seconds,
        "From a server function receiving a message to the store committing it."
    );
    describe_histogram!(
        PUBLISH_TO_SOCKET,
        Unit::Seconds,
        "From an event's publication to its write on a socket."
    );
    describe_histogram!(
        BATCH_SIZE,
        Unit::Count,
        "Posts committed in one SQLite group-commit transaction."
    );
    describe_histogram!(
        BATCH_COMMIT,
        Unit::Seconds,
        "Time to write and commit one group-commit batch."
    );
    describe_histogram!(
        FILE_BYTES,
        Unit::Bytes,
        "Sizes of the files visitors and agents sent (each one stored and posted)."
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request duration, by method, route and status."
    );
}

/// Handles of the series recorded for every message and frame, registered once, so the hot
/// path does no key building or registry lookup.
struct Hot {
    messages_stored: Counter,
    send_to_commit: Histogram,
    events_published: Counter,
    frames_in: Counter,
    frame_in_bytes: Histogram,
    frames_out: Counter,
    frame_out_bytes: Histogram,
    publish_to_socket: Histogram,
}

static HOT: OnceLock<Hot> = OnceLock::new();

impl Hot {
    fn register() -> Hot {
        Hot {
            messages_stored: counter!(MESSAGES_STORED),
            send_to_commit: histogram!(SEND_TO_COMMIT),
            events_published: counter!(EVENTS_PUBLISHED),
            frames_in: counter!(WS_FRAMES, "direction" => "in"),
            frame_in_bytes: histogram!(WS_FRAME_BYTES, "direction" => "in"),
            frames_out: counter!(WS_FRAMES, "direction" => "out"),
            frame_out_bytes: histogram!(WS_FRAME_BYTES, "direction" => "out"),
            publish_to_socket: histogram!(PUBLISH_TO_SOCKET),
        }
    }
}

/// Records through the registered handles; before `handle()` ran there is nothing to record to.
fn hot(record: impl FnOnce(&Hot)) {
    if let Some(hot) = HOT.get() {
        record(hot);
    }
}

/// Prometheus text for `/metrics`.
pub fn render() -> String {
    let handle = handle();
    handle.run_upkeep();
    handle.render()
}

pub fn socket_opened() {
    gauge!(SOCKETS_OPEN).increment(1.0);
}

pub fn socket_closed() {
    gauge!(SOCKETS_OPEN).decrement(1.0);
}

pub fn hub_topics(count: usize) {
    gauge!(HUB_TOPICS).set(count as f64);
}

pub fn message_stored(send_to_commit: Duration) {
    hot(|h| {
        h.messages_stored.increment(1);
        h.send_to_commit.record(send_to_commit);
    });
}

pub fn event_published() {
    hot(|h| h.events_published.increment(1));
}

pub fn resync() {
    counter!(RESYNCS).increment(1);
}

pub fn frame_in(bytes: usize) {
    hot(|h| {
        h.frames_in.increment(1);
        h.frame_in_bytes.record(bytes as f64);
    });
}

pub fn frame_out(bytes: usize) {
    hot(|h| {
        h.frames_out.increment(1);
        h.frame_out_bytes.record(bytes as f64);
    });
}

pub fn delivered_to_socket(since_publish: Duration) {
    hot(|h| h.publish_to_socket.record(since_publish));
}

pub fn fanout_event(lag_ms: i64) {
    counter!(FANOUT_EVENTS).increment(1);
    histogram!(FANOUT_LAG).record(lag_ms.max(0) as f64 / 1000.0);
}

pub fn batch_committed(posts: usize, took: Duration) {
    histogram!(BATCH_SIZE).record(posts as f64);
    histogram!(BATCH_COMMIT).record(took);
}

/// A batch's bulk write failed: it was rolled back and its posts go one at a time.
pub fn batch_fell_back(posts: usize, error: &dyn std::fmt::Display) {
    tracing::warn!(
        posts,
        %error,
        "a group-commit batch failed; retrying its posts one at a time"
    );
    counter!(BATCH_FALLBACKS).increment(1);
}

pub fn http_request(method: String, route: String, status: u16, took: Duration) {
    histogram!(HTTP_DURATION, "method" => method, "route" => route, "status" => status.to_string())
        .record(took);
}

/// A file was stored and posted.
pub fn file_received(bytes: u64) {
    histogram!(FILE_BYTES).record(bytes as f64);
}
