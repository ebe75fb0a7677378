//! The same load against the reference servers of `../shared/reference-bench`, so one client
//! measures every server of a comparison: the bare relay (`ceiling server PORT sqlite PATH`,
//! JSON text frames, a conversation joined by `/ws?c=N`) and the socket.io + PostgreSQL peer
//! (engine.io v4 over a WebSocket, `join` and `msg` events).
//!
//! Same shape as a Switchboard run: the same conversations, the same pacing (`--rate`, spread
//! round-robin over the conversations), the same window of sends in flight (`--concurrency`),
//! and the same latency (send → received on the conversation's agent socket). The references
//! acknowledge nothing: a send leaves the window when its agent receives it, and both write
//! each message to their store before relaying it, so their rows must equal `delivered`.
use super::{Args, Outcome};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message as WsMessage;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Switchboard itself (server functions and its socket protocol).
    Switchboard,
    /// The bare relay of `ceiling/`.
    Relay,
    /// The socket.io + PostgreSQL peer of `peer-socketio/`.
    Socketio,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base: &str, conversation: usize, target: Target) -> Socket {
    if target == Target::Relay {
        let url = format!("{base}/ws?c={conversation}");
        return tokio_tungstenite::connect_async_with_config(url, None, true)
            .await
            .expect("relay socket")
            .0;
    }
    let url = format!("{base}/socket.io/?EIO=4&transport=websocket");
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .expect("socket.io socket");
    let _open = socket.next().await;
    socket.send(WsMessage::Text("40".into())).await.unwrap();
    while let Some(Ok(frame)) = socket.next().await {
        if frame.to_text().is_ok_and(|text| text.starts_with("40")) {
            break;
        }
    }
    let join = format!("42[\"join\",{conversation}]");
    socket.send(WsMessage::Text(join.into())).await.unwrap();
    socket
}

/// The message as a reference server relays it: the send's number is its identity.
fn frame(target: Target, conversation: usize, id: u64) -> String {
    let json = format!("{{\"c\":{conversation},\"id\":{id},\"body\":\"load test message\"}}");
    match target {
        Target::Socketio => format!("42[\"msg\",{json}]"),
        _ => json,
    }
}

/// The send's number in a received frame; `None` for anything else (socket.io pings, …).
fn received_id(text: &str) -> Option<u64> {
    let (_, rest) = text.split_once("\"id\":")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

pub async fn run(args: &Args, target: Target) -> Outcome {
    let base = args.url.replace("http://", "ws://");
    let sent_at: Arc<Mutex<Vec<Instant>>> = Arc::default();
    // Latencies, and when the last delivery came.
    let latencies: Arc<Mutex<(Vec<u64>, Option<Instant>)>> = Arc::default();
    let seen: Arc<Mutex<HashSet<u64>>> = Arc::default();
    let duplicates = Arc::new(AtomicU64::new(0));
    let window = Arc::new(Semaphore::new(args.concurrency));
    let mut senders: Vec<SplitSink<Socket, WsMessage>> = Vec::new();
    for conversation in 0..args.conversations {
        let (mut agent_tx, mut agent_rx) = open(&base, conversation, target).await.split();
        let (visitor_tx, _) = open(&base, conversation, target).await.split();
        senders.push(visitor_tx);
        let (sent_at, latencies, seen, duplicates, window) = (
            sent_at.clone(),
            latencies.clone(),
            seen.clone(),
            duplicates.clone(),
            window.clone(),
        );
        tokio::spawn(async move {
            while let Some(Ok(frame)) = agent_rx.next().await {
                let Ok(text) = frame.to_text() else { continue };
                if text == "2" {
                    // engine.io's ping: answered, or the peer drops the socket.
                    let _ = agent_tx.send(WsMessage::Text("3".into())).await;
                    continue;
                }
                let Some(id) = received_id(text) else {
                    continue;
                };
                let now = Instant::now();
                if !seen.lock().unwrap().insert(id) {
                    duplicates.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let started = sent_at.lock().unwrap().get(id as usize).copied();
                if let Some(started) = started {
                    let mut latencies = latencies.lock().unwrap();
                    latencies
                        .0
                        .push(now.duration_since(started).as_micros() as u64);
                    latencies.1 = Some(now);
                }
                window.add_permits(1);
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration);
    let mut sent = 0u64;
    while Instant::now() < until {
        if args.rate > 0 {
            let due = started + Duration::from_secs_f64(sent as f64 / args.rate as f64);
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
        }
        // Waits for room in the window, but never past the end of the run.
        let Ok(Ok(permit)) = tokio::time::timeout_at(until.into(), window.acquire()).await else {
            break;
        };
        permit.forget();
        let conversation = sent as usize % senders.len();
        sent_at.lock().unwrap().push(Instant::now());
        let text = frame(target, conversation, sent);
        if senders[conversation]
            .send(WsMessage::Text(text.into()))
            .await
            .is_err()
        {
            break;
        }
        sent += 1;
    }
    let send_window = started.elapsed();
    let drain = Instant::now();
    while (seen.lock().unwrap().len() as u64) < sent && drain.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (mut latencies, last_at) = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    // The last delivery closes the window, as in a Switchboard run.
    let window = last_at.map_or(send_window, |at| {
        at.duration_since(started).max(send_window)
    });
    Outcome {
        sent,
        acknowledged: sent,
        failed: 0,
        latencies_us: latencies,
        duplicates: duplicates.load(Ordering::Relaxed),
        window,
        send_window,
    }
}
