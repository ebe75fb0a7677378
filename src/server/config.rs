//! Runtime settings: Leptos.toml's [switchboard] table, each overridable by an environment variable.
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub address: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    pub allowed_origins: Vec<String>,
    pub session_days: i64,
    pub secure_cookies: bool,
    /// Seconds between socket heartbeats; a socket silent for two is closed.
    pub heartbeat_secs: u64,
    /// Live events buffered per conversation before a slow socket catches up from the store.
    pub live_buffer: usize,
    /// Only from the environment: the first admin, created on first start.
    #[serde(skip)]
    pub admin_email: Option<String>,
    #[serde(skip)]
    pub admin_password: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            address: ([127, 0, 0, 1], 3000).into(),
            database_url: "sqlite://data/switchboard.db".into(),
            public_url: "http://127.0.0.1:3000".into(),
            allowed_origins: vec![],
            session_days: 30,
            secure_cookies: false,
            heartbeat_secs: 5,
            live_buffer: 64,
            admin_email: None,
            admin_password: None,
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

impl Settings {
    /// Reads `SWITCHBOARD_CONFIG` (default `Leptos.toml`, optional) and then the environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let explicit = std::env::var("SWITCHBOARD_CONFIG").ok();
        let path = explicit.clone().unwrap_or_else(|| "Leptos.toml".into());
        let mut settings = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<File>(&text)
                .map_err(|source| ConfigError::Parse {
                    path: path.clone(),
                    source,
                })?
                .switchboard
                .unwrap_or_default(),
            Err(source) if explicit.is_some() => return Err(ConfigError::Read { path, source }),
            Err(_) => Settings::default(),
        };
        settings.apply_env()?;
        Ok(settings)
    }

    fn apply_env(&mut self) -> Result<(), ConfigError> {
        fn var(name: &str) -> Option<String> {
            std::env::var(name).ok().filter(|v| !v.trim().is_empty())
        }
        fn parse<T: std::str::FromStr>(name: &'static str, value: String) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e: T::Err| ConfigError::Env {
                name,
                reason: e.to_string(),
                value,
            })
        }
        if let Some(addr) = var("SWITCHBOARD_ADDRESS") {
            self.address = parse("SWITCHBOARD_ADDRESS", addr)?;
        } else if let Some(addr) = var("LEPTOS_SITE_ADDR") {
            self.address = parse("LEPTOS_SITE_ADDR", addr)?;
        }
        if let Some(url) = var("DATABASE_URL") {
            self.database_url = url;
        }
        if let Some(url) = var("SWITCHBOARD_PUBLIC_URL") {
            self.public_url = url;
        }
        if let Some(list) = var("SWITCHBOARD_ALLOWED_ORIGINS") {
            self.allowed_origins = list.split(',').map(|s| s.trim().to_string()).collect();
        }
        if let Some(days) = var("SWITCHBOARD_SESSION_DAYS") {
            self.session_days = parse("SWITCHBOARD_SESSION_DAYS", days)?;
        }
        if let Some(secure) = var("SWITCHBOARD_SECURE_COOKIES") {
            self.secure_cookies = parse("SWITCHBOARD_SECURE_COOKIES", secure)?;
        }
        if let Some(secs) = var("SWITCHBOARD_HEARTBEAT_SECS") {
            self.heartbeat_secs = parse("SWITCHBOARD_HEARTBEAT_SECS", secs)?;
        }
        if let Some(size) = var("SWITCHBOARD_LIVE_BUFFER") {
            self.live_buffer = parse("SWITCHBOARD_LIVE_BUFFER", size)?;
        }
        self.admin_email = var("SWITCHBOARD_ADMIN_EMAIL");
        self.admin_password = var("SWITCHBOARD_ADMIN_PASSWORD");
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
}
