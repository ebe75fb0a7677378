//! Failed attempts per key (an account and an address): a few are free, then each one waits
//! longer, then the key is locked for a while. Kept in this node's memory: a restart or
//! another node starts counting afresh (see docs/operations.md).
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The policy: how many failures are free, the longest wait, when to lock and for how long.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub free: u32,
    pub max_delay: Duration,
    pub lock_after: u32,
    pub lock_for: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            free: 3,
            max_delay: Duration::from_secs(4),
            lock_after: 8,
            lock_for: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead after waiting this long (zero while failures are few).
    Allowed(Duration),
    /// Refused until this much time has passed.
    Locked(Duration),
}

struct Record {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

pub struct FailedAttempts {
    policy: Policy,
    records: Mutex<HashMap<String, Record>>,
}

impl Default for FailedAttempts {
    fn default() -> Self {
        FailedAttempts::new(Policy::default())
    }
}

impl FailedAttempts {
    pub fn new(policy: Policy) -> Self {
        FailedAttempts {
            policy,
            records: Mutex::default(),
        }
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<String, Record>> {
        self.records.lock().expect("attempts lock")
    }

    /// What a new attempt for this key may do now.
    pub fn check(&self, key: &str) -> Verdict {
        let now = Instant::now();
        let mut records = self.records();
        // Forget keys quiet for a lock period, so memory stays bounded by recent failures.
        let keep_for = self.policy.lock_for;
        records.retain(|_, r| {
            r.locked_until.is_some_and(|until| until > now) || now - r.last < keep_for
        });
        let Some(record) = records.get(key) else {
            return Verdict::Allowed(Duration::ZERO);
        };
        if let Some(until) = record.locked_until.filter(|until| *until > now) {
            return Verdict::Locked(until - now);
        }
        let extra = record.failures.saturating_sub(self.policy.free);
        let delay = Duration::from_millis(500 * u64::from(extra)).min(self.policy.max_delay);
        Verdict::Allowed(delay)
    }

    /// Counts a failure; the one that reaches the limit locks the key.
    pub fn failed(&self, key: &str) {
        let now = Instant::now();
        let mut records = self.records();
        let record = records.entry(key.to_string()).or_insert(Record {
            failures: 0,
            last: now,
            locked_until: None,
        });
        if record.locked_until.is_some_and(|until| until <= now) {
            record.failures = 0;
            record.locked_until = None;
        }
        record.failures += 1;
        record.last = now;
        if record.failures >= self.policy.lock_after {
            record.locked_until = Some(now + self.policy.lock_for);
        }
    }

    pub fn succeeded(&self, key: &str) {
        self.records().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slows_then_locks_then_forgives_a_success() {
        let attempts = FailedAttempts::new(Policy {
            free: 2,
            max_delay: Duration::from_secs(2),
            lock_after: 4,
            lock_for: Duration::from_secs(60),
        });
        assert_eq!(attempts.check("a"), Verdict::Allowed(Duration::ZERO));
        attempts.failed("a");
        attempts.failed("a");
        assert_eq!(attempts.check("a"), Verdict::Allowed(Duration::ZERO));
        attempts.failed("a");
        assert_eq!(
            attempts.check("a"),
            Verdict::Allowed(Duration::from_millis(500))
        );
        attempts.failed("a");
        assert!(matches!(attempts.check("a"), Verdict::Locked(d) if d > Duration::from_secs(50)));
        assert_eq!(attempts.check("b"), Verdict::Allowed(Duration::ZERO));
        attempts.succeeded("b");
        attempts.failed("c");
        attempts.succeeded("c");
        assert_eq!(attempts.check("c"), Verdict::Allowed(Duration::ZERO));
    }
}
