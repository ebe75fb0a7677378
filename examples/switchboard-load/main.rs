//! switchboard-load: drives a running Switchboard over its public protocol (server functions
//! over HTTP, live events over WebSockets) from its own process, and prints what it measured.
//!
//!   cargo run --release --features ssr --example switchboard-load -- --url http://127.0.0.1:3000 \
//!       --email admin@example.com --password '…' --conversations 1000 --agents 4 --rate 1000 \
//!       --duration 10 [--idle 20000] [--reconnect] [--server-pid PID]
//!
//! Latency is send → received by an agent socket. `lost` counts messages the server
//! acknowledged that no agent socket received; `duplicates` counts events received twice.
//! `--target relay|socketio` drives a reference server of `../shared/reference-bench` with
//! the same load instead (`reference.rs`), for `scripts/bench.sh compare`. Every run ends with
//! one `RESULT key=value …` line for scripts.
mod reference;
mod socket_send;

use futures_util::{SinkExt, StreamExt};
use reference::Target;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::SenderKind;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Drives a running Switchboard and prints what it measured.
#[derive(clap::Parser)]
#[command(name = "switchboard-load", about)]
struct Args {
    /// What to drive: Switchboard, or a reference server with the same load.
    #[arg(long, value_enum, default_value = "switchboard")]
    target: Target,
    /// How visitors send: over their socket (`send` frames, the fast path) or through the
    /// `send_visitor_message` server function.
    #[arg(long, value_enum, default_value = "http")]
    send_via: SendVia,
    /// The node visitors use.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// Where agents connect (another node, for a two-node run) [default: --url].
    #[arg(long)]
    agent_url: Option<String>,
    /// The agent to sign in as.
    #[arg(long, default_value = "admin@example.com")]
    email: String,
    #[arg(long, default_value = "load-test-password")]
    password: String,
    /// Conversations the messages are spread over.
    #[arg(long, default_value_t = 100)]
    conversations: usize,
    /// Agent sockets, each following a share of the conversations.
    #[arg(long, default_value_t = 4)]
    agents: usize,
    /// Messages per second to send; 0 sends as fast as the server takes them.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Seconds to send for.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Sends in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Idle visitor sockets to open afterwards (memory per socket).
    #[arg(long, default_value_t = 0)]
    idle: usize,
    /// Drop the idle sockets and reconnect them all at once (reconnect storm).
    #[arg(long)]
    reconnect: bool,
    /// Dashboard page renders to time.
    #[arg(long, default_value_t = 0)]
    inbox: usize,
    /// The server's pid, to read its memory.
    #[arg(long)]
    server_pid: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SendVia {
    Http,
    Socket,
}

fn args() -> Args {
    let mut args = <Args as clap::Parser>::parse();
    args.agent_url.get_or_insert_with(|| args.url.clone());
    args
}

/// One browser identity: its cookie.
#[derive(Clone)]
struct Identity {
    cookie: String,
}

struct Http {
    base: String,
    client: reqwest::Client,
}

impl Http {
    async fn call(
        &self,
        cookie: &str,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<(String, Option<String>), String> {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Cookie", cookie)
            // As a browser does: the origin guard refuses a POST that names none.
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        let ok = response.status().is_success();
        let body = response.text().await.map_err(|e| e.to_string())?;
        if ok {
            Ok((body, set_cookie))
        } else {
            Err(body)
        }
    }
}

fn uuid() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed) as u128;
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let hex = format!(
        "{:032x}",
        t ^ (n << 64) ^ ((std::process::id() as u128) << 100)
    );
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

async fn start_visitor(http: &Http, n: usize) -> (Identity, String) {
    let (body, cookie) = http
        .call(
            "",
            "start_conversation",
            &[
                ("name", &format!("Load {n}")),
                ("email", ""),
                ("body", "hello"),
                ("client_id", &uuid()),
                ("page_url", ""),
            ],
        )
        .await
        .expect("start_conversation");
    let session: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = session["conversation"]["id"].as_str().unwrap().to_string();
    (
        Identity {
            cookie: cookie.expect("visitor cookie"),
        },
        id,
    )
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_socket(base: &str, identity: &Identity) -> Socket {
    let mut request = (base.replace("http://", "ws://") + "/ws")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Cookie", identity.cookie.parse().unwrap());
    request
        .headers_mut()
        .insert("Origin", base.parse().unwrap());
    // Nagle off, as browsers open their sockets (and as for the references: `reference.rs`).
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .expect("socket opens");
    socket
}

async fn send_frame(socket: &mut Socket, frame: &ClientFrame) {
    socket
        .send(WsMessage::Text(
            serde_json::to_string(frame).unwrap().into(),
        ))
        .await
        .unwrap();
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank] as f64 / 1000.0
}

/// What a run measured, from any target.
struct Outcome {
    sent: u64,
    acknowledged: u64,
    failed: u64,
    /// Send → agent latency of each delivered message, sorted.
    latencies_us: Vec<u64>,
    duplicates: u64,
    /// From the first send to the last delivery.
    window: Duration,
    send_window: Duration,
}

impl Outcome {
    fn print(&self, target: &str) {
        let delivered = self.latencies_us.len() as u64;
        let throughput = delivered as f64 / self.window.as_secs_f64();
        let lost = self.acknowledged.saturating_sub(delivered);
        let [p50, p95, p99, max] =
            [50.0, 95.0, 99.0, 100.0].map(|p| percentile(&self.latencies_us, p));
        println!(
            "sent {}, acknowledged {}, refused/failed {}, delivered {delivered}",
            self.sent, self.acknowledged, self.failed
        );
        println!(
            "throughput: {throughput:.0} msg/s delivered (acknowledged {:.0}/s over {:.1} s)",
            self.acknowledged as f64 / self.send_window.as_secs_f64(),
            self.window.as_secs_f64()
        );
        println!(
            "latency send→agent: p50 {p50:.2} ms, p95 {p95:.2} ms, p99 {p99:.2} ms, max {max:.2} ms"
        );
        println!("lost {lost}, duplicates {}", self.duplicates);
        println!(
            "RESULT target={target} sent={} acknowledged={} delivered={delivered} lost={lost} \
             duplicates={} throughput={throughput:.0} p50_ms={p50:.2} p99_ms={p99:.2}",
            self.sent, self.acknowledged, self.duplicates
        );
    }
}

#[derive(Default)]
struct Received {
    latencies_us: Vec<u64>,
    seen: HashSet<(String, i64)>,
    duplicates: u64,
    last_at: Option<Instant>,
}

#[tokio::main]
async fn main() {
    let args = args();
    if args.target != Target::Switchboard {
        let name = if args.target == Target::Relay {
            "relay"
        } else {
            "socketio"
        };
        println!(
            "switchboard-load → {name} at {} ({} conversations, rate {}/s, {} in flight, {} s)",
            args.url, args.conversations, args.rate, args.concurrency, args.duration
        );
        reference::run(&args, args.target).await.print(name);
        return;
    }
    let http = Arc::new(Http {
        base: args.url.clone(),
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap(),
    });
    println!(
        "switchboard-load → {} ({} conversations, {} agents, rate {}/s, {} s)",
        args.url, args.conversations, args.agents, args.rate, args.duration
    );

    // Agents sign in; each follows its share of the conversations.
    let agent_http = Http {
        base: args.agent_url.clone().unwrap_or_default(),
        client: reqwest::Client::new(),
    };
    let (_, agent_cookie) = agent_http
        .call(
            "",
            "sign_in",
            &[("email", &args.email), ("password", &args.password)],
        )
        .await
        .expect("agent sign-in (check --email/--password)");
    let agent = Identity {
        cookie: agent_cookie.unwrap(),
    };
    if args.inbox > 0 {
        inbox_render(&args, &agent).await;
        return;
    }

    let visitors = create_visitors(&http, args.conversations, "setup").await;

    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let received: Arc<Mutex<Received>> = Arc::default();
    let delivered = Arc::new(AtomicU64::new(0));
    for a in 0..args.agents {
        let mut socket = open_socket(args.agent_url.as_deref().unwrap_or_default(), &agent).await;
        for (_, conversation) in visitors.iter().skip(a).step_by(args.agents) {
            send_frame(
                &mut socket,
                &ClientFrame::Subscribe {
                    conversation_id: conversation.clone(),
                    after_seq: None,
                },
            )
            .await;
        }
        let (sent_at, received, delivered) = (sent_at.clone(), received.clone(), delivered.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let WsMessage::Text(text) = message else {
                    continue;
                };
                let Ok(ServerFrame::Message { message }) =
                    serde_json::from_str::<ServerFrame>(text.as_str())
                else {
                    continue;
                };
                if message.sender != SenderKind::Visitor {
                    continue;
                }
                let now = Instant::now();
                let started = sent_at.lock().unwrap().get(&message.client_id).copied();
                let mut r = received.lock().unwrap();
                if !r
                    .seen
                    .insert((message.conversation_id.clone(), message.seq))
                {
                    r.duplicates += 1;
                    continue;
                }
                if let Some(started) = started {
                    r.latencies_us
                        .push(now.duration_since(started).as_micros() as u64);
                    r.last_at = Some(now);
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Traffic: paced sends spread over the conversations, at most `concurrency` in flight.
    let acked = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let sent = match args.send_via {
        SendVia::Http => send_over_http(&args, &http, &visitors, &sent_at, &acked, &failed).await,
        SendVia::Socket => {
            socket_send::run(&args, &visitors, &sent_at, &acked, &failed, started).await
        }
    };
    let send_window = started.elapsed();
    let drain = Instant::now();
    while delivered.load(Ordering::Relaxed) < acked.load(Ordering::Relaxed)
        && drain.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    {
        let mut r = received.lock().unwrap();
        r.latencies_us.sort_unstable();
        let window = r
            .last_at
            .map(|t| t.duration_since(started))
            .unwrap_or(send_window)
            .max(send_window);
        Outcome {
            sent,
            acknowledged: acked.load(Ordering::Relaxed),
            failed: failed.load(Ordering::Relaxed),
            latencies_us: std::mem::take(&mut r.latencies_us),
            duplicates: r.duplicates,
            window,
            send_window,
        }
        .print("switchboard");
    }

    if args.idle > 0 {
        idle_and_reconnect(&args, &http).await;
    }
}

/// Sends through the `send_visitor_message` server function, one HTTP request each; returns
/// how many were sent once every one has been answered.
async fn send_over_http(
    args: &Args,
    http: &Arc<Http>,
    visitors: &[(Identity, String)],
    sent_at: &Arc<Mutex<HashMap<String, Instant>>>,
    acked: &Arc<AtomicU64>,
    failed: &Arc<AtomicU64>,
) -> u64 {
    let in_flight = Arc::new(Semaphore::new(args.concurrency));
    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration);
    let mut sent = 0u64;
    while Instant::now() < until {
        pace(args.rate, started, sent).await;
        let permit = in_flight.clone().acquire_owned().await.unwrap();
        let (identity, _) = &visitors[sent as usize % visitors.len()];
        let (http, cookie, sent_at, acked, failed) = (
            http.clone(),
            identity.cookie.clone(),
            sent_at.clone(),
            acked.clone(),
            failed.clone(),
        );
        tokio::spawn(async move {
            let id = uuid();
            sent_at.lock().unwrap().insert(id.clone(), Instant::now());
            match http
                .call(
                    &cookie,
                    "send_visitor_message",
                    &[("body", "load test message"), ("client_id", &id)],
                )
                .await
            {
                Ok(_) => acked.fetch_add(1, Ordering::Relaxed),
                Err(_) => failed.fetch_add(1, Ordering::Relaxed),
            };
            drop(permit);
        });
        sent += 1;
    }
    let _ = in_flight.acquire_many(args.concurrency as u32).await;
    sent
}

/// Waits until the next send is due at `rate` per second (0: never waits).
async fn pace(rate: u64, started: Instant, sent: u64) {
    if rate > 0 {
        let due = started + Duration::from_secs_f64(sent as f64 / rate as f64);
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
    }
}

/// Times full server renders of the agent's inbox page (/agent), one request at a time.
async fn inbox_render(args: &Args, agent: &Identity) {
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(args.inbox);
    for _ in 0..args.inbox {
        let started = Instant::now();
        let response = client
            .get(format!(
                "{}/agent",
                args.agent_url.as_deref().unwrap_or_default()
            ))
            .header("Cookie", &agent.cookie)
            .send()
            .await
            .unwrap();
        let page = response.text().await.unwrap();
        times.push(started.elapsed().as_micros() as u64);
        assert!(
            page.contains("conversation-item"),
            "the inbox rendered no conversation"
        );
    }
    times.sort_unstable();
    println!(
        "inbox page render ({} requests): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        percentile(&times, 50.0),
        percentile(&times, 95.0),
        percentile(&times, 99.0),
        percentile(&times, 100.0)
    );
}

/// Starts `count` visitor conversations, 64 at a time, and says how long it took.
async fn create_visitors(http: &Arc<Http>, count: usize, what: &str) -> Vec<(Identity, String)> {
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(64));
    let starts: Vec<_> = (0..count)
        .map(|n| {
            let (http, gate) = (http.clone(), gate.clone());
            tokio::spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                start_visitor(&http, n).await
            })
        })
        .collect();
    let mut visitors = Vec::with_capacity(count);
    for start in starts {
        visitors.push(start.await.unwrap());
    }
    println!(
        "{what}: {count} conversations started in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    visitors
}

/// Idle widget sockets: memory per socket, then (with --reconnect) all of them dropping and
/// resuming at once.
async fn idle_and_reconnect(args: &Args, http: &Arc<Http>) {
    let visitors = create_visitors(http, args.idle, "idle").await;
    let before = args.server_pid.and_then(rss_kb);
    let sockets = connect_all(&args.url, &visitors).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = args.server_pid.and_then(rss_kb);
    println!("idle sockets open: {}", sockets.len());
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "server RSS: {before} kB → {after} kB: {:.1} kB per idle socket (following its conversation)",
            (after.saturating_sub(before)) as f64 / sockets.len() as f64
        );
    }
    if args.reconnect {
        drop(sockets);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let storm = Instant::now();
        let sockets = connect_all(&args.url, &visitors).await;
        println!(
            "reconnect storm: {} clients reconnected and resumed in {:.2} s",
            sockets.len(),
            storm.elapsed().as_secs_f64()
        );
    }
}

/// Opens one socket per visitor concurrently; each resumes its conversation and counts as
/// ready when the server has answered the subscribe.
async fn connect_all(url: &str, visitors: &[(Identity, String)]) -> Vec<Socket> {
    let gate = Arc::new(Semaphore::new(512));
    let mut tasks = Vec::new();
    for (identity, conversation) in visitors.iter().cloned() {
        let (url, gate) = (url.to_string(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let mut socket = open_socket(&url, &identity).await;
            send_frame(
                &mut socket,
                &ClientFrame::Subscribe {
                    conversation_id: conversation,
                    after_seq: Some(1),
                },
            )
            .await;
            while let Some(Ok(message)) = socket.next().await {
                if let WsMessage::Text(text) = message {
                    if let Ok(ServerFrame::Conversation { .. }) =
                        serde_json::from_str(text.as_str())
                    {
                        break;
                    }
                }
            }
            socket
        }));
    }
    let mut sockets = Vec::with_capacity(tasks.len());
    for task in tasks {
        sockets.push(task.await.unwrap());
    }
    sockets
}
