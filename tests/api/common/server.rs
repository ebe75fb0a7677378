//! The server under test: in this process or as the binary, on a database of its own.
use super::{rand_u128, Client, ADMIN_EMAIL, ADMIN_PASSWORD, WAIT};
use std::process::Stdio;
use std::time::Duration;
use switchboard::state::settings::Settings;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

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

impl Server {
    /// Starts Switchboard in this process on an ephemeral port with the given database.
    pub async fn start(db: &Db) -> Server {
        Server::start_with(db, &[]).await
    }

    /// Starts in this process with extra settings, named by their environment variables.
    pub async fn start_with(db: &Db, extra: &[(&str, &str)]) -> Server {
        let mut settings = Settings {
            database_url: db.url.clone().into(),
            admin_email: Some(ADMIN_EMAIL.into()),
            admin_password: Some(ADMIN_PASSWORD.into()),
            ..Settings::default()
        };
        for (name, value) in extra {
            let value = value.to_string();
            match *name {
                "SWITCHBOARD_HEARTBEAT_SECS" => settings.heartbeat_secs = value.parse().unwrap(),
                "SWITCHBOARD_LIVE_BUFFER" => settings.live_buffer = value.parse().unwrap(),
                "SWITCHBOARD_AWAY_AFTER_SECS" => settings.away_after_secs = value.parse().unwrap(),
                "SWITCHBOARD_AUTO_ASSIGN" => settings.auto_assign = value.parse().unwrap(),
                "SWITCHBOARD_MAX_OPEN_CHATS" => settings.max_open_chats = value.parse().unwrap(),
                "SWITCHBOARD_ADMIN_EMAIL" => settings.admin_email = Some(value),
                "SWITCHBOARD_ADMIN_PASSWORD" => settings.admin_password = Some(value.into()),
                "SWITCHBOARD_SMTP_URL" => settings.mail.smtp_url = Some(value.into()),
                "SWITCHBOARD_MAIL_FROM" => settings.mail.from = value,
                "SWITCHBOARD_MAIL_BATCH_SECS" => settings.mail.batch_secs = value.parse().unwrap(),
                "SWITCHBOARD_MAIL_RETRY_SECS" => settings.mail.retry_secs = value.parse().unwrap(),
                "SWITCHBOARD_MAIL_ATTEMPTS" => settings.mail.attempts = value.parse().unwrap(),
                "SWITCHBOARD_PUBLIC_URL" => settings.public_url = value,
                "SWITCHBOARD_FILES_STORE" => settings.files.store = Some(value),
                "SWITCHBOARD_LIMITS" => {
                    settings.limits = settings.limits.with_changes(&value).unwrap()
                }
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
            switchboard::server::run(
                settings,
                switchboard::server::Site::none(),
                listener,
                shutdown,
            )
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
        Client::new(&self.base)
    }
}
