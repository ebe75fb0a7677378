//! Runtime settings: Leptos.toml's [switchboard] table, each overridable by a flag or its
//! environment variable (`switchboard --help` lists them).
use super::limits::Limits;
use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;

/// `Debug` shows the secrets (database URL, admin password) as `[REDACTED]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub address: SocketAddr,
    /// May hold a password (PostgreSQL): read it with `expose_secret`, never log it.
    pub database_url: SecretString,
    pub public_url: String,
    pub allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (rate limits count the client's
    /// address, not the proxy's).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub session_days: i64,
    pub secure_cookies: bool,
    /// Seconds between socket heartbeats; a socket silent for two is closed.
    pub heartbeat_secs: u64,
    /// Live events buffered per conversation before a slow socket catches up from the store.
    pub live_buffer: usize,
    /// Seconds without input in any dashboard tab after which an agent shows as away.
    pub away_after_secs: u64,
    /// New conversations go round-robin to online agents (off: agents pick from the queue).
    pub auto_assign: bool,
    /// Auto-assignment skips an agent with this many open conversations.
    pub max_open_chats: i64,
    /// Rate and size limits (`[switchboard.limits]`).
    pub limits: Limits,
    /// Outgoing e-mail (`[switchboard.mail]`); off without an SMTP server.
    pub mail: MailSettings,
    /// Files sent in conversations (`[switchboard.files]`; their size: `limits.file_bytes`).
    pub files: FilesSettings,
    /// Only from the environment: the first admin, created on first start.
    #[serde(skip)]
    pub admin_email: Option<String>,
    #[serde(skip)]
    pub admin_password: Option<SecretString>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            address: ([127, 0, 0, 1], 3000).into(),
            database_url: "sqlite://data/switchboard.db".into(),
            public_url: "http://127.0.0.1:3000".into(),
            allowed_origins: vec![],
            trusted_proxies: vec![],
            session_days: 30,
            secure_cookies: false,
            heartbeat_secs: 5,
            live_buffer: 64,
            away_after_secs: 600,
            auto_assign: false,
            max_open_chats: 5,
            limits: Limits::default(),
            mail: MailSettings::default(),
            files: FilesSettings::default(),
            admin_email: None,
            admin_password: None,
        }
    }
}

/// Outgoing e-mail: replies to visitors who have gone, transcripts they ask for.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `smtp://host:25` (plain), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host` (TLS); `None`: e-mail is off. Holds a password: never logged.
    pub smtp_url: Option<SecretString>,
    /// The sender, e.g. `Support <support@example.com>`.
    pub from: String,
    /// Seconds an agent's replies gather before they go out as one e-mail.
    pub batch_secs: u64,
    /// Seconds before the first retry of a failed e-mail (then 4× longer each time).
    pub retry_secs: u64,
    /// Attempts before an e-mail is marked failed.
    pub attempts: i64,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_url: None,
            from: "Switchboard <support@localhost>".into(),
            batch_secs: 120,
            retry_secs: 30,
            attempts: 5,
        }
    }
}

/// Files sent in conversations.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilesSettings {
    /// Where files are kept: a folder, or `s3://bucket[/prefix]` for S3-compatible storage
    /// (credentials, region and endpoint from the usual `AWS_*` variables). `None`: `files`
    /// beside the SQLite database (`data/files` with PostgreSQL).
    pub store: Option<String>,
    /// Content types accepted, as sniffed from the bytes (a name's extension must agree).
    pub types: Vec<String>,
}

impl Default for FilesSettings {
    fn default() -> Self {
        let types = [
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "application/pdf",
            "text/plain",
            "application/zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ];
        FilesSettings {
            store: None,
            types: types.map(String::from).to_vec(),
        }
    }
}

#[derive(Deserialize, Default)]
struct File {
    #[serde(default)]
    switchboard: Option<Settings>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {source}")]
    Parse {
        path: String,
        source: toml::de::Error,
    },
    #[error("{name}={value} is not valid: {reason}")]
    Env {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Command-line flags, each also read from its environment variable; both override
/// Leptos.toml's `[switchboard]` table, whose values (or the defaults shown) apply otherwise.
#[derive(Debug, Default, clap::Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Self-hosted, real-time customer-support chat."
)]
pub struct Cli {
    /// The settings file; a named one must exist [default: Leptos.toml, if present].
    #[arg(long, env = "SWITCHBOARD_CONFIG", value_name = "FILE")]
    pub config: Option<String>,
    /// Address to listen on [default: 127.0.0.1:3000; cargo-leptos's LEPTOS_SITE_ADDR when set].
    #[arg(long, env = "SWITCHBOARD_ADDRESS", value_name = "HOST:PORT")]
    pub address: Option<SocketAddr>,
    /// Database: sqlite://FILE (embedded) or postgres://… (several nodes)
    /// [default: sqlite://data/switchboard.db].
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The address people use; origins are checked against it [default: http://127.0.0.1:3000].
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// More origins allowed to call server functions and open sockets, comma-separated
    /// [default: none].
    #[arg(
        long,
        env = "SWITCHBOARD_ALLOWED_ORIGINS",
        value_name = "ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Option<Vec<String>>,
    /// Addresses of reverse proxies whose X-Forwarded-For is believed, comma-separated
    /// [default: none].
    #[arg(
        long,
        env = "SWITCHBOARD_TRUSTED_PROXIES",
        value_name = "IPS",
        value_delimiter = ','
    )]
    pub trusted_proxies: Option<Vec<std::net::IpAddr>>,
    /// How long an agent stays signed in, in days [default: 30].
    #[arg(long, env = "SWITCHBOARD_SESSION_DAYS", value_name = "DAYS")]
    pub session_days: Option<i64>,
    /// Mark cookies Secure (set when served over HTTPS) [default: false].
    #[arg(long, env = "SWITCHBOARD_SECURE_COOKIES", value_name = "BOOL")]
    pub secure_cookies: Option<bool>,
    /// Seconds between socket heartbeats; a socket silent for two is closed [default: 5].
    #[arg(long, env = "SWITCHBOARD_HEARTBEAT_SECS", value_name = "SECS")]
    pub heartbeat_secs: Option<u64>,
    /// Live events buffered per conversation before a slow socket catches up from the store
    /// [default: 64].
    #[arg(long, env = "SWITCHBOARD_LIVE_BUFFER", value_name = "EVENTS")]
    pub live_buffer: Option<usize>,
    /// Seconds without input in any dashboard tab after which an agent shows as away
    /// [default: 600].
    #[arg(long, env = "SWITCHBOARD_AWAY_AFTER_SECS", value_name = "SECS")]
    pub away_after_secs: Option<u64>,
    /// Assign new conversations round-robin to online agents [default: false].
    #[arg(long, env = "SWITCHBOARD_AUTO_ASSIGN", value_name = "BOOL")]
    pub auto_assign: Option<bool>,
    /// Open conversations an agent may hold before auto-assignment skips them [default: 5].
    #[arg(long, env = "SWITCHBOARD_MAX_OPEN_CHATS", value_name = "COUNT")]
    pub max_open_chats: Option<i64>,
    /// Change some limits (rates, sizes; see docs/security.md), e.g.
    /// `sockets_per_ip=500,conversations_per_hour=100` [default: the file's, else safe ones].
    #[arg(long, env = "SWITCHBOARD_LIMITS", value_name = "NAME=VALUE,…")]
    pub limits: Option<String>,
    /// SMTP server for outgoing e-mail: smtp://host:25, smtp://host:587?tls=required or
    /// smtps://user:password@host [default: none, e-mail is off].
    #[arg(
        long,
        env = "SWITCHBOARD_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The sender of outgoing e-mail [default: Switchboard <support@localhost>].
    #[arg(long, env = "SWITCHBOARD_MAIL_FROM", value_name = "MAILBOX")]
    pub mail_from: Option<String>,
    /// Seconds an agent's replies gather before they are e-mailed as one [default: 120].
    #[arg(long, env = "SWITCHBOARD_MAIL_BATCH_SECS", value_name = "SECS")]
    pub mail_batch_secs: Option<u64>,
    /// Seconds before a failed e-mail's first retry, then 4× longer each time [default: 30].
    #[arg(long, env = "SWITCHBOARD_MAIL_RETRY_SECS", value_name = "SECS")]
    pub mail_retry_secs: Option<u64>,
    /// Attempts before an e-mail is marked failed [default: 5].
    #[arg(long, env = "SWITCHBOARD_MAIL_ATTEMPTS", value_name = "COUNT")]
    pub mail_attempts: Option<i64>,
    /// Where sent files are kept: a folder, or s3://bucket[/prefix] (AWS_* variables)
    /// [default: files beside the SQLite database, else data/files].
    #[arg(long, env = "SWITCHBOARD_FILES_STORE", value_name = "FOLDER|URL")]
    pub files_store: Option<String>,
    /// Content types a sent file may have, sniffed from its bytes, comma-separated
    /// [default: PNG, JPEG, GIF, WebP, PDF, text, ZIP, Word and Excel documents].
    #[arg(
        long,
        env = "SWITCHBOARD_FILE_TYPES",
        value_name = "TYPES",
        value_delimiter = ','
    )]
    pub file_types: Option<Vec<String>>,
    /// E-mail of the first admin, created on first start with SWITCHBOARD_ADMIN_PASSWORD
    /// (read from the environment only, so it never shows in `ps`).
    #[arg(long, env = "SWITCHBOARD_ADMIN_EMAIL", value_name = "EMAIL")]
    pub admin_email: Option<String>,
    /// Password of the first admin (hidden from --help).
    #[arg(
        long = "admin-password-env-only",
        env = "SWITCHBOARD_ADMIN_PASSWORD",
        hide = true,
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// Ask the server at this address for /healthz, then exit: 0 when it answers 200, 1
    /// otherwise (a container's HEALTHCHECK, where there is no curl).
    #[arg(long)]
    pub healthcheck: bool,
}

impl Settings {
    /// Reads the flags and the environment, then the settings file they name.
    pub fn load() -> Result<Settings, ConfigError> {
        Settings::from_cli(<Cli as clap::Parser>::parse())
    }

    pub fn from_cli(cli: Cli) -> Result<Settings, ConfigError> {
        let named = cli.config.is_some();
        let path = cli.config.clone().unwrap_or_else(|| "Leptos.toml".into());
        let mut settings = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<File>(&text)
                .map_err(|source| ConfigError::Parse {
                    path: path.clone(),
                    source,
                })?
                .switchboard
                .unwrap_or_default(),
            Err(source) if named => return Err(ConfigError::Read { path, source }),
            Err(_) => Settings::default(),
        };
        settings.apply(cli)?;
        Ok(settings)
    }

    fn apply(&mut self, cli: Cli) -> Result<(), ConfigError> {
        if let Some(address) = cli.address {
            self.address = address;
        } else if let Some(addr) = std::env::var("LEPTOS_SITE_ADDR")
            .ok()
            .filter(|a| !a.is_empty())
        {
            self.address =
                addr.parse()
                    .map_err(|e: std::net::AddrParseError| ConfigError::Env {
                        name: "LEPTOS_SITE_ADDR",
                        reason: e.to_string(),
                        value: addr,
                    })?;
        }
        let Cli {
            database_url,
            public_url,
            allowed_origins,
            trusted_proxies,
            session_days,
            secure_cookies,
            heartbeat_secs,
            live_buffer,
            away_after_secs,
            auto_assign,
            max_open_chats,
            limits,
            admin_email,
            admin_password,
            smtp_url,
            mail_from,
            mail_batch_secs,
            mail_retry_secs,
            mail_attempts,
            files_store,
            file_types,
            ..
        } = cli;
        if let Some(changes) = limits {
            self.limits =
                self.limits
                    .with_changes(&changes)
                    .map_err(|reason| ConfigError::Env {
                        name: "SWITCHBOARD_LIMITS",
                        value: changes,
                        reason,
                    })?;
        }
        let keep = |value: &Option<String>| value.as_ref().is_some_and(|v| !v.trim().is_empty());
        if keep(&database_url) {
            self.database_url = database_url.unwrap_or_default().into();
        }
        if keep(&public_url) {
            self.public_url = public_url.unwrap_or_default();
        }
        if let Some(origins) = allowed_origins {
            self.allowed_origins = origins
                .into_iter()
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
        }
        if let Some(proxies) = trusted_proxies {
            self.trusted_proxies = proxies;
        }
        self.session_days = session_days.unwrap_or(self.session_days);
        self.secure_cookies = secure_cookies.unwrap_or(self.secure_cookies);
        self.heartbeat_secs = heartbeat_secs.unwrap_or(self.heartbeat_secs);
        self.live_buffer = live_buffer.unwrap_or(self.live_buffer);
        self.away_after_secs = away_after_secs.unwrap_or(self.away_after_secs).max(1);
        self.auto_assign = auto_assign.unwrap_or(self.auto_assign);
        self.max_open_chats = max_open_chats.unwrap_or(self.max_open_chats).max(1);
        if keep(&smtp_url) {
            self.mail.smtp_url = smtp_url.map(SecretString::from);
        }
        if keep(&mail_from) {
            self.mail.from = mail_from.unwrap_or_default();
        }
        self.mail.batch_secs = mail_batch_secs.unwrap_or(self.mail.batch_secs);
        self.mail.retry_secs = mail_retry_secs.unwrap_or(self.mail.retry_secs);
        self.mail.attempts = mail_attempts.unwrap_or(self.mail.attempts).max(1);
        if keep(&files_store) {
            self.files.store = files_store;
        }
        if let Some(types) = file_types {
            self.files.types = types.into_iter().map(|t| t.trim().to_string()).collect();
        }
        self.admin_email = admin_email.filter(|v| !v.trim().is_empty());
        self.admin_password = admin_password
            .filter(|v| !v.trim().is_empty())
            .map(SecretString::from);
        Ok(())
    }

    /// Origins allowed to call server functions and open sockets, besides the request's own host.
    pub fn origin_allowed(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim_end_matches('/');
        let same_host = host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
        });
        same_host
            || origin.eq_ignore_ascii_case(self.public_url.trim_end_matches('/'))
            || self
                .allowed_origins
                .iter()
                .any(|allowed| origin.eq_ignore_ascii_case(allowed.trim_end_matches('/')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let settings = Settings {
            allowed_origins: vec!["https://shop.example".into()],
            ..Settings::default()
        };
        assert!(settings.origin_allowed("http://127.0.0.1:3000", None));
        assert!(settings.origin_allowed("http://localhost:4000", Some("localhost:4000")));
        assert!(settings.origin_allowed("https://shop.example/", None));
        assert!(!settings.origin_allowed("https://evil.example", Some("127.0.0.1:3000")));
    }

    #[test]
    fn debug_never_prints_secrets_and_limits_come_from_the_file() {
        let settings: File = toml::from_str(
            "[switchboard]\ndatabase_url = \"postgres://sb:hunter2@db/sb\"\n[switchboard.limits]\nsockets_per_ip = 7\n[switchboard.mail]\nsmtp_url = \"smtps://sb:s3cret@mail.example\"\n",
        )
        .unwrap();
        let mut settings = settings.switchboard.unwrap();
        settings.admin_password = Some("correct horse".into());
        let printed = format!("{settings:?}");
        assert!(
            !printed.contains("hunter2")
                && !printed.contains("correct horse")
                && !printed.contains("s3cret"),
            "{printed}"
        );
        assert_eq!(settings.limits.sockets_per_ip, 7);
        assert_eq!(settings.limits.body_bytes, Limits::default().body_bytes);
        let unknown = toml::from_str::<File>("[switchboard.limits]\nsocket_per_ip = 7\n");
        assert!(
            unknown.is_err(),
            "a misspelt limit is an error, not a silent default"
        );
    }

    #[test]
    fn flags_override_the_file_which_overrides_the_defaults() {
        use clap::Parser;
        let dir = std::env::temp_dir().join(format!("sb-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("switchboard.toml");
        std::fs::write(
            &file,
            "[switchboard]\nheartbeat_secs = 9\nsession_days = 7\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let cli = Cli::try_parse_from(["switchboard", "--config", file, "--session-days", "3"]);
        let settings = Settings::from_cli(cli.unwrap()).unwrap();
        assert_eq!(settings.heartbeat_secs, 9, "from the file");
        assert_eq!(settings.session_days, 3, "the flag wins");
        assert_eq!(settings.live_buffer, 64, "the default");
        assert_eq!(settings.limits, Limits::default(), "limits default too");

        // A named file that is missing is an error, not a silent default.
        let missing = Cli::try_parse_from(["switchboard", "--config", "/nonexistent.toml"]);
        assert!(matches!(
            Settings::from_cli(missing.unwrap()),
            Err(ConfigError::Read { .. })
        ));
        // A bad value is refused by the parser with the flag's name.
        let bad = Cli::try_parse_from(["switchboard", "--heartbeat-secs", "soon"]);
        assert!(bad.unwrap_err().to_string().contains("--heartbeat-secs"));
    }
}
