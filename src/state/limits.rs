//! Abuse limits: their settings (`[switchboard.limits]`) and the limiters that hold them.
//! Rates use GCRA (`governor`) keyed by visitor, conversation or address; they live in this
//! node's memory, so with N nodes behind a balancer a client gets up to N times the rate
//! (docs/security.md).
use crate::error::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Every limit, with defaults that protect a public server.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body (server functions), in bytes.
    pub body_bytes: usize,
    /// Largest WebSocket frame a client may send, in bytes (at most 64 KiB).
    pub frame_bytes: usize,
    /// Frames a socket may send per second (twice as many in a burst).
    pub frames_per_second: u32,
    /// Sockets open at once from one address.
    pub sockets_per_ip: u32,
    /// Messages one visitor (one conversation) may send per minute.
    pub visitor_messages_per_minute: u32,
    /// Visitor messages per minute from one address, all conversations together.
    pub ip_messages_per_minute: u32,
    /// New conversations per hour from one address.
    pub conversations_per_hour: u32,
    /// Seconds a client may take to send a request's headers, from its first byte (a
    /// slowloris's budget); over it the connection is closed.
    pub header_secs: u64,
    /// Seconds a request may take, once its headers are in, to send its body and be answered.
    pub request_secs: u64,
    /// Longest message, in characters (at most `model::MAX_MESSAGE_CHARS`).
    pub message_chars: usize,
    /// Largest file a visitor or agent may send, in bytes.
    pub file_bytes: usize,
    /// Seconds an upload may take (instead of `request_secs`).
    pub upload_secs: u64,
    /// Failed sign-ins (per account, and per address) that cost nothing; each one after waits
    /// half a second more, up to 4 s.
    pub sign_in_free_failures: u32,
    /// The failure that locks the account (or the address) …
    pub sign_in_lock_after: u32,
    /// … for this many minutes.
    pub sign_in_lock_minutes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 64 * 1024,
            frame_bytes: 16 * 1024,
            frames_per_second: 20,
            sockets_per_ip: 50,
            visitor_messages_per_minute: 30,
            ip_messages_per_minute: 120,
            conversations_per_hour: 20,
            header_secs: 10,
            request_secs: 30,
            message_chars: crate::model::MAX_MESSAGE_CHARS,
            file_bytes: 10 * 1024 * 1024,
            upload_secs: 300,
            sign_in_free_failures: 3,
            sign_in_lock_after: 8,
            sign_in_lock_minutes: 15,
        }
    }
}

impl Limits {
    /// These limits with some changed: `changes` is `name=value` pairs, comma-separated (the
    /// `--limits` flag), e.g. `sockets_per_ip=500,conversations_per_hour=100`.
    pub fn with_changes(&self, changes: &str) -> Result<Limits, String> {
        let mut table = toml::Table::try_from(self).map_err(|e| e.to_string())?;
        let changed: toml::Table = changes
            .split(',')
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
            .parse()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        for (name, value) in changed {
            if !table.contains_key(&name) {
                return Err(format!("there is no limit called {name}"));
            }
            table.insert(name, value);
        }
        table
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())
    }

    /// The longest message, in characters, within what the browser's composer allows.
    pub fn message_chars(&self) -> usize {
        self.message_chars.clamp(1, crate::model::MAX_MESSAGE_CHARS)
    }

    /// The sign-in lock-out's policy.
    pub fn sign_in_policy(&self) -> super::attempts::Policy {
        super::attempts::Policy {
            free: self.sign_in_free_failures,
            max_delay: Duration::from_secs(4),
            lock_after: self.sign_in_lock_after.max(1),
            lock_for: Duration::from_secs(self.sign_in_lock_minutes.max(1) * 60),
        }
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// The node's limiters, shared by every request and socket.
pub struct RateLimits {
    pub limits: Limits,
    visitor_messages: DefaultKeyedRateLimiter<String>,
    ip_messages: DefaultKeyedRateLimiter<IpAddr>,
    conversations: DefaultKeyedRateLimiter<IpAddr>,
    sockets: Mutex<HashMap<IpAddr, u32>>,
    /// One clock for every socket's limiter: making one calibrates it (cpuid), which cost
    /// about 7% of the server's time in a reconnect storm when each socket made its own.
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(limits: Limits) -> Arc<RateLimits> {
        let per_minute = |n| Quota::per_minute(nonzero(n));
        // The hour's allowance may come at once, then one every 60/n minutes.
        let conversations = Quota::per_hour(nonzero(limits.conversations_per_hour));
        Arc::new(RateLimits {
            visitor_messages: RateLimiter::keyed(per_minute(limits.visitor_messages_per_minute)),
            ip_messages: RateLimiter::keyed(per_minute(limits.ip_messages_per_minute)),
            conversations: RateLimiter::keyed(conversations),
            sockets: Mutex::default(),
            clock: DefaultClock::default(),
            limits,
        })
    }

    /// A socket's own frame limiter.
    pub fn frame_limiter(&self) -> governor::DefaultDirectRateLimiter {
        let rate = nonzero(self.limits.frames_per_second);
        let quota = Quota::per_second(rate).allow_burst(rate.saturating_mul(nonzero(2)));
        RateLimiter::direct_with_clock(quota, self.clock.clone())
    }

    /// One visitor message, counted against its conversation and its address.
    pub fn visitor_message(
        &self,
        conversation_id: &str,
        ip: Option<IpAddr>,
    ) -> Result<(), AppError> {
        refuse_over(
            self.visitor_messages
                .check_key(&conversation_id.to_string()),
        )?;
        match ip {
            Some(ip) => refuse_over(self.ip_messages.check_key(&ip)),
            None => Ok(()),
        }
    }

    /// One new conversation from this address.
    pub fn new_conversation(&self, ip: Option<IpAddr>) -> Result<(), AppError> {
        match ip {
            Some(ip) => refuse_over(self.conversations.check_key(&ip)),
            None => Ok(()),
        }
    }

    /// Counts an open socket for its address until the guard drops; refused over the limit.
    pub fn open_socket(self: &Arc<Self>, ip: IpAddr) -> Result<SocketSlot, AppError> {
        let mut open = self.sockets.lock().expect("sockets lock");
        let count = open.entry(ip).or_default();
        if *count >= self.limits.sockets_per_ip {
            return Err(AppError::RateLimited {
                retry_after_secs: 10,
            });
        }
        *count += 1;
        Ok(SocketSlot {
            limits: self.clone(),
            ip,
        })
    }

    /// Forgets keys whose allowance is full again, so memory follows recent activity only.
    pub fn forget_idle(&self) {
        self.visitor_messages.retain_recent();
        self.ip_messages.retain_recent();
        self.conversations.retain_recent();
        self.visitor_messages.shrink_to_fit();
        self.ip_messages.shrink_to_fit();
        self.conversations.shrink_to_fit();
    }
}

/// An open socket's place in its address's count.
pub struct SocketSlot {
    limits: Arc<RateLimits>,
    ip: IpAddr,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.limits.sockets.lock().expect("sockets lock");
        if let Some(count) = open.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Turns a limiter's "not until" into the typed error, rounding the wait up to a second.
fn refuse_over<T>(
    outcome: Result<T, governor::NotUntil<<DefaultClock as Clock>::Instant>>,
) -> Result<(), AppError> {
    outcome.map(|_| ()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    })
}

/// How long a frame limiter says to wait, for the close reason.
pub fn frame_wait(not_until: &governor::NotUntil<<DefaultClock as Clock>::Instant>) -> Duration {
    not_until.wait_time_from(DefaultClock::default().now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_over_the_rate_is_refused_and_told_when_to_retry() {
        let limits = RateLimits::new(Limits {
            visitor_messages_per_minute: 3,
            ..Limits::default()
        });
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            limits.visitor_message("c1", ip).unwrap();
        }
        match limits.visitor_message("c1", ip) {
            Err(AppError::RateLimited { retry_after_secs }) => {
                assert!((1..=20).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
        // Another conversation on the same address still has its own allowance.
        limits.visitor_message("c2", ip).unwrap();
    }

    #[test]
    fn the_flag_changes_only_the_limits_it_names() {
        let base = Limits::default();
        let changed = base
            .with_changes("sockets_per_ip=500, conversations_per_hour=7")
            .unwrap();
        assert_eq!(changed.sockets_per_ip, 500);
        assert_eq!(changed.conversations_per_hour, 7);
        assert_eq!(changed.body_bytes, base.body_bytes);
        assert!(base.with_changes("socket_per_ip=5").is_err());
        assert!(base.with_changes("sockets_per_ip=many").is_err());
        assert!(base.with_changes("sockets_per_ip=-1").is_err());
        let policy = base
            .with_changes("sign_in_lock_after=5,sign_in_lock_minutes=2")
            .unwrap()
            .sign_in_policy();
        assert_eq!(policy.lock_after, 5);
        assert_eq!(policy.lock_for, Duration::from_secs(120));
        assert_eq!(policy.free, 3);
    }

    #[test]
    fn sockets_per_address_are_counted_until_they_close() {
        let limits = RateLimits::new(Limits {
            sockets_per_ip: 2,
            ..Limits::default()
        });
        let ip = IpAddr::from([10, 0, 0, 2]);
        let first = limits.open_socket(ip).unwrap();
        let _second = limits.open_socket(ip).unwrap();
        assert!(limits.open_socket(ip).is_err());
        assert!(limits.open_socket(IpAddr::from([10, 0, 0, 3])).is_ok());
        drop(first);
        assert!(limits.open_socket(ip).is_ok());
    }
}
