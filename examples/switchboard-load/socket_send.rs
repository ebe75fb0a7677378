//! Visitors sending over their own socket (`send` frames, answered by `sent` or
//! `send_failed`): the fast path beside the server function, and the shape the reference
//! servers are driven with (every send on an open socket).
use super::{open_socket, pace, uuid, Args, Identity};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard::live::{ClientFrame, ServerFrame};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message as WsMessage;

type Sink = SplitSink<super::Socket, WsMessage>;

/// Opens one socket per visitor, sends paced `send` frames round-robin over them with at most
/// `--concurrency` unanswered, and returns how many were sent once all are answered (or 10 s
/// after the end, for a server that stopped answering).
pub async fn run(
    args: &Args,
    visitors: &[(Identity, String)],
    sent_at: &Arc<Mutex<HashMap<String, Instant>>>,
    acked: &Arc<AtomicU64>,
    failed: &Arc<AtomicU64>,
    started: Instant,
) -> u64 {
    let window = Arc::new(Semaphore::new(args.concurrency));
    let mut sinks: Vec<Sink> = Vec::with_capacity(visitors.len());
    for (identity, _) in visitors {
        let (sink, mut stream) = open_socket(&args.url, identity).await.split();
        sinks.push(sink);
        let (window, acked, failed) = (window.clone(), acked.clone(), failed.clone());
        tokio::spawn(async move {
            while let Some(Ok(frame)) = stream.next().await {
                let WsMessage::Text(text) = frame else {
                    continue;
                };
                match serde_json::from_str::<ServerFrame>(text.as_str()) {
                    Ok(ServerFrame::Sent { .. }) => acked.fetch_add(1, Ordering::Relaxed),
                    Ok(ServerFrame::SendFailed { .. }) => failed.fetch_add(1, Ordering::Relaxed),
                    _ => continue,
                };
                window.add_permits(1);
            }
        });
    }
    let until = Instant::now() + Duration::from_secs(args.duration);
    let mut sent = 0u64;
    while Instant::now() < until {
        pace(args.rate, started, sent).await;
        let Ok(Ok(permit)) = tokio::time::timeout_at(until.into(), window.acquire()).await else {
            break;
        };
        permit.forget();
        let client_id = uuid();
        sent_at
            .lock()
            .unwrap()
            .insert(client_id.clone(), Instant::now());
        let frame = ClientFrame::Send {
            client_id,
            body: "load test message".into(),
        };
        let text = serde_json::to_string(&frame).unwrap();
        let sink = &mut sinks[sent as usize % visitors.len()];
        if sink.send(WsMessage::Text(text.into())).await.is_err() {
            failed.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        sent += 1;
    }
    let drain = Instant::now();
    while acked.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed) < sent
        && drain.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sent
}
