//! Drives a real Switchboard as browsers would: server functions over HTTP, live updates over
//! a real WebSocket. The server runs in this test process on an ephemeral port (`start`), or
//! as the real binary in a process of its own (`process`) for what only a process shows:
//! kill -9, SIGTERM, two nodes, what it prints, and its process-wide metrics.
#![allow(dead_code)]
use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;
use switchboard::error::AppError;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::Message;
use switchboard::state::settings::Settings;
use switchboard::widget::WidgetSession;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const ADMIN_EMAIL: &str = "ana@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
const WAIT: Duration = Duration::from_secs(10);

pub struct Server {
    kind: Kind,
    pub base: String,
    /// What the server printed before it listened (e.g. the one-time setup link).
    pub startup: Vec<String>,
}

enum Kind {
    Process(Child),
    InProcess {
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        task: tokio::task::JoinHandle<()>,
    },
}

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test: a temporary SQLite file, or a fresh database on the
/// local PostgreSQL (dropped afterwards).
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<String>,
}

/// Where the tests create their PostgreSQL databases; override with SWITCHBOARD_TEST_PG.
fn postgres_admin_url() -> String {
    std::env::var("SWITCHBOARD_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

impl Db {
    pub async fn new(backend: Backend) -> Db {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("sb.db").display());
                Db {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let admin = postgres_admin_url();
                let name = format!(
                    "sb_test_{}_{}",
                    std::process::id(),
                    rand_u128() % 1_000_000_000
                );
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("the local PostgreSQL answers (see README)");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let (base, _) = admin.rsplit_once('/').unwrap();
                Db {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    postgres: Some(name),
                }
            }
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let Some(name) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async code: a short-lived runtime of its own does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Runs each listed `async fn(Backend)` as two tests: on SQLite and on PostgreSQL. Two
/// worker threads, as a server process of its own would have on this machine.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::common::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::common::Backend::Postgres).await }
            )*
        }
    };
}

impl Server {
    /// Starts Switchboard in this process on an ephemeral port with the given database.
    pub async fn start(db: &Db) -> Server {
        Server::start_with(db, &[]).await
    }

    /// Starts in this process with extra settings, named by their environment variables.
    pub async fn start_with(db: &Db, extra: &[(&str, &str)]) -> Server {
        let mut settings = Settings {
            database_url: db.url.clone(),
            admin_email: Some(ADMIN_EMAIL.into()),
            admin_password: Some(ADMIN_PASSWORD.into()),
            ..Settings::default()
        };
        for (name, value) in extra {
            let value = value.to_string();
            match *name {
                "SWITCHBOARD_HEARTBEAT_SECS" => settings.heartbeat_secs = value.parse().unwrap(),
                "SWITCHBOARD_LIVE_BUFFER" => settings.live_buffer = value.parse().unwrap(),
                "SWITCHBOARD_ADMIN_EMAIL" => settings.admin_email = Some(value),
                "SWITCHBOARD_ADMIN_PASSWORD" => settings.admin_password = Some(value),
                other => panic!("the in-process server has no setting {other}"),
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            switchboard::server::run(settings, listener, shutdown)
                .await
                .expect("the server runs");
        });
        let server = Server {
            kind: Kind::InProcess {
                stop: Some(stop),
                task,
            },
            base,
            startup: Vec::new(),
        };
        // Ready once the store is open and the admin exists.
        for _ in 0..200 {
            if let Ok(response) = reqwest::get(format!("{}/healthz", server.base)).await {
                if response.status().is_success() {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the in-process server did not become healthy");
    }

    /// Starts the real binary in a process of its own on an ephemeral port.
    pub async fn process(db: &Db) -> Server {
        Server::process_with(db, &[]).await
    }

    /// The binary with extra environment settings (e.g. a short heartbeat).
    pub async fn process_with(db: &Db, settings: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        command
            .env("SWITCHBOARD_ADDRESS", "127.0.0.1:0")
            .env("DATABASE_URL", &db.url)
            .env("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("LEPTOS_OUTPUT_NAME", "switchboard")
            .env("RUST_LOG", "switchboard=warn")
            // Given settings win over the defaults above.
            .envs(settings.iter().copied());
        let mut child = command
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the switchboard binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut startup = Vec::new();
        let base = tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(url) = line.strip_prefix("listening on ") {
                    return url.trim().to_string();
                }
                startup.push(line);
            }
            panic!("server exited before listening");
        })
        .await
        .expect("server listens within 10 s");
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server {
            kind: Kind::Process(child),
            base,
            startup,
        }
    }

    /// SIGTERM: the graceful shutdown an orchestrator or Ctrl-C asks for.
    pub fn terminate(&self) {
        let Kind::Process(child) = &self.kind else {
            panic!("SIGTERM needs a server process (Server::process)");
        };
        let pid = child.id().expect("running").to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit by itself.
    pub async fn exited(mut self) -> std::process::ExitStatus {
        let Kind::Process(child) = &mut self.kind else {
            panic!("only a server process exits (Server::process)");
        };
        tokio::time::timeout(WAIT, child.wait())
            .await
            .expect("exits within 10 s")
            .unwrap()
    }

    /// SIGKILL: no shutdown handler runs, like a crash or a pulled plug on the process.
    pub async fn kill9(self) {
        assert!(
            matches!(self.kind, Kind::Process(_)),
            "kill -9 needs a server process (Server::process)"
        );
        self.stop().await
    }

    pub async fn stop(mut self) {
        match &mut self.kind {
            Kind::Process(child) => {
                let _ = child.kill().await;
                let _ = child.wait().await;
            }
            Kind::InProcess { stop, task } => {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
                let _ = tokio::time::timeout(WAIT, task).await;
            }
        }
    }

    pub fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            cookies: HashMap::new(),
        }
    }
}

/// One browser: a cookie jar, server-function calls and sockets. Clone it for a second tab.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Client {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Like `call`, but `None` when the server cannot be reached (it may be down).
    pub async fn try_call<T: DeserializeOwned>(
        &mut self,
        endpoint: &str,
        args: &[(&str, &str)],
    ) -> Option<Result<T, AppError>> {
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Cookie", self.cookie_header())
            .form(args)
            .send()
            .await
            .ok()?;
        let status = response.status();
        let body = response.text().await.ok()?;
        Some(if status.is_success() {
            Ok(serde_json::from_str(&body).ok()?)
        } else {
            Err(serde_json::from_str(&body).ok()?)
        })
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call<T: DeserializeOwned>(
        &mut self,
        endpoint: &str,
        args: &[(&str, &str)],
    ) -> Result<T, AppError> {
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Accept", "application/json")
            .form(args)
            .send()
            .await
            .expect("server answers");
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_string(), value.to_string());
        }
        let status = response.status();
        let body = response.text().await.unwrap();
        if status.is_success() {
            Ok(serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint}: {e}: {body}")))
        } else {
            Err(serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{endpoint} {status}: {e}: {body}")))
        }
    }

    pub async fn sign_in(&mut self) -> switchboard::model::Agent {
        self.call(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await
        .expect("admin signs in")
    }

    pub async fn socket(&self) -> Socket {
        self.try_socket(None).await.expect("socket opens")
    }

    pub async fn try_socket(
        &self,
        origin: Option<&str>,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let (ws, _) = tokio_tungstenite::connect_async(self.socket_request(origin)).await?;
        Ok(Socket::ready(ws).await)
    }

    fn socket_request(
        &self,
        origin: Option<&str>,
    ) -> tokio_tungstenite::tungstenite::handshake::client::Request {
        let url = self.base.replace("http://", "ws://") + "/ws";
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Cookie", self.cookie_header().parse().unwrap());
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("Origin", origin.parse().unwrap());
        }
        request
    }

    /// A socket whose kernel receive buffer is tiny, so a reader that stops reading
    /// pushes back on the server quickly.
    pub async fn small_buffer_socket(&self) -> Socket {
        let addr: std::net::SocketAddr = self.base.trim_start_matches("http://").parse().unwrap();
        let tcp = tokio::net::TcpSocket::new_v4().unwrap();
        tcp.set_recv_buffer_size(4096).unwrap();
        let stream = tcp.connect(addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(
            self.socket_request(None),
            MaybeTlsStream::Plain(stream),
        )
        .await
        .unwrap();
        Socket::ready(ws).await
    }
}

pub struct Socket {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    async fn ready(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Socket {
        let mut socket = Socket { ws };
        match socket.next_frame().await {
            ServerFrame::Ready { .. } => socket,
            other => panic!("expected ready, got {other:?}"),
        }
    }

    pub async fn send(&mut self, frame: &ClientFrame) {
        self.send_text(&serde_json::to_string(frame).unwrap()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(WsMessage::Text(text.into())).await.unwrap();
    }

    /// The next protocol frame, skipping transport pings and presence updates (which arrive
    /// whenever agents come and go; `next_presence` reads those).
    pub async fn next_frame(&mut self) -> ServerFrame {
        loop {
            match self.next_any_frame().await {
                ServerFrame::Presence { .. } => continue,
                frame => return frame,
            }
        }
    }

    /// The next presence update: the names of the agents online.
    pub async fn next_presence(&mut self) -> Vec<String> {
        loop {
            if let ServerFrame::Presence { agents } = self.next_any_frame().await {
                return agents;
            }
        }
    }

    async fn next_any_frame(&mut self) -> ServerFrame {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(WsMessage::Text(text))) => {
                        return serde_json::from_str(text.as_str()).unwrap()
                    }
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                    other => panic!("socket ended: {other:?}"),
                }
            }
        })
        .await
        .expect("a frame arrives within 10 s")
    }

    /// Reads frames until one matches, returning it.
    pub async fn expect<T>(&mut self, mut pick: impl FnMut(ServerFrame) -> Option<T>) -> T {
        loop {
            if let Some(found) = pick(self.next_frame().await) {
                return found;
            }
        }
    }

    /// The next raw transport message (text, close…), for protocol-level checks.
    pub async fn next_raw(&mut self) -> Option<WsMessage> {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                    Some(Ok(message)) => return Some(message),
                    _ => return None,
                }
            }
        })
        .await
        .expect("socket answers within 10 s")
    }
}

/// Reads a Prometheus counter or gauge from /metrics.
pub async fn metric(base: &str, name: &str) -> f64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

pub fn client_id() -> String {
    uuid_like(rand_u128())
}

fn rand_u128() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    nanos
        ^ ((COUNTER.fetch_add(1, Ordering::Relaxed) as u128) << 64)
        ^ (std::process::id() as u128) << 96
}

fn uuid_like(n: u128) -> String {
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Sends a binary frame, which the protocol does not allow.
pub trait SendBinary {
    async fn send_binary_frame(&mut self);
}

impl SendBinary for WebSocketStream<MaybeTlsStream<TcpStream>> {
    async fn send_binary_frame(&mut self) {
        self.send(WsMessage::Binary(vec![1, 2, 3].into()))
            .await
            .unwrap();
    }
}

pub async fn start_chat(server: &Server, name: &str, body: &str) -> (Client, WidgetSession) {
    let mut visitor = server.client();
    let session: WidgetSession = visitor
        .call(
            "start_conversation",
            &[
                ("name", name),
                ("email", ""),
                ("body", body),
                ("client_id", &client_id()),
                ("page_url", "https://shop.example/pricing"),
            ],
        )
        .await
        .expect("conversation starts");
    (visitor, session)
}

pub async fn send_visitor(visitor: &mut Client, body: &str) -> Result<Message, AppError> {
    visitor
        .call(
            "send_visitor_message",
            &[("body", body), ("client_id", &client_id())],
        )
        .await
}

pub async fn send_agent(
    agent: &mut Client,
    conversation: &str,
    body: &str,
) -> Result<Message, AppError> {
    agent
        .call(
            "send_agent_message",
            &[
                ("conversation_id", conversation),
                ("body", body),
                ("client_id", &client_id()),
            ],
        )
        .await
}

pub fn subscribe(conversation_id: &str, after_seq: Option<i64>) -> ClientFrame {
    ClientFrame::Subscribe {
        conversation_id: conversation_id.to_string(),
        after_seq,
    }
}

pub async fn send_visitor_with_id(
    visitor: &mut Client,
    body: &str,
    id: &str,
) -> Result<Message, AppError> {
    visitor
        .call("send_visitor_message", &[("body", body), ("client_id", id)])
        .await
}

/// Every event of a conversation as an agent's fresh socket replays it from the store.
pub async fn store_history(agent: &Client, conversation_id: &str) -> Vec<Message> {
    let mut socket = agent.socket().await;
    socket.send(&subscribe(conversation_id, Some(0))).await;
    socket
        .expect(|f| match f {
            ServerFrame::Replay { messages, .. } => Some(messages),
            _ => None,
        })
        .await
}
