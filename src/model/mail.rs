//! Outgoing e-mail as the admins' mail page shows it: what went out, what waits, what failed.
use serde::{Deserialize, Serialize};

/// Why an e-mail is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailKind {
    /// Agents' replies to a visitor who was not there to read them (batched).
    Replies,
    /// A conversation's transcript the visitor asked for.
    Transcript,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Replies => "replies",
            MailKind::Transcript => "transcript",
        }
    }

    pub fn parse(text: &str) -> Option<MailKind> {
        match text {
            "replies" => Some(MailKind::Replies),
            "transcript" => Some(MailKind::Transcript),
            _ => None,
        }
    }
}

/// Where an e-mail stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailStatus {
    /// Gathering replies, or due and not yet accepted by the SMTP server (it may be retrying).
    Waiting,
    Sent,
    /// Every attempt failed; `last_error` says why.
    Failed,
    /// Not needed when due: the visitor had read the replies meanwhile.
    Skipped,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Waiting => "waiting",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
            MailStatus::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<MailStatus> {
        match text {
            "waiting" => Some(MailStatus::Waiting),
            "sent" => Some(MailStatus::Sent),
            "failed" => Some(MailStatus::Failed),
            "skipped" => Some(MailStatus::Skipped),
            _ => None,
        }
    }
}

/// One outgoing e-mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub id: String,
    pub kind: MailKind,
    pub conversation_id: String,
    pub to: String,
    /// Replies: the conversation's events after this seq are what the e-mail carries.
    pub after_seq: i64,
    /// Empty until composed (replies are composed when they go out).
    pub subject: String,
    pub body: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub due_at: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl OutgoingMail {
    /// A new e-mail, waiting until `due_at`; `id` is fresh (a UUID).
    pub fn waiting(
        id: String,
        kind: MailKind,
        conversation_id: &str,
        to: &str,
        due_at: i64,
        now: i64,
    ) -> OutgoingMail {
        OutgoingMail {
            id,
            kind,
            conversation_id: conversation_id.to_string(),
            to: to.to_string(),
            after_seq: 0,
            subject: String::new(),
            body: String::new(),
            status: MailStatus::Waiting,
            attempts: 0,
            last_error: None,
            due_at,
            created_at: now,
            sent_at: None,
        }
    }
}

/// What the admins' mail page shows: whether e-mail is set up, from whom, and what went out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailOverview {
    /// An SMTP server is configured (its address and password are never shown).
    pub configured: bool,
    pub from: String,
    /// Seconds a batch of replies gathers before it goes out.
    pub batch_secs: u64,
    pub recent: Vec<OutgoingMail>,
}

/// How long to wait before attempt `attempts + 1` after a failure: 30 s, 2 min, 8 min, …,
/// at most an hour.
pub fn retry_delay_ms(attempts: i64, base_ms: i64) -> i64 {
    let factor = 4_i64.saturating_pow(attempts.clamp(0, 6) as u32 - (attempts > 0) as u32);
    base_ms.saturating_mul(factor).min(3_600_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_stop_growing() {
        assert_eq!(retry_delay_ms(1, 30_000), 30_000);
        assert_eq!(retry_delay_ms(2, 30_000), 120_000);
        assert_eq!(retry_delay_ms(3, 30_000), 480_000);
        assert_eq!(retry_delay_ms(50, 30_000), 3_600_000);
    }

    #[test]
    fn kinds_and_statuses_round_trip() {
        for kind in [MailKind::Replies, MailKind::Transcript] {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        for status in [
            MailStatus::Waiting,
            MailStatus::Sent,
            MailStatus::Failed,
            MailStatus::Skipped,
        ] {
            assert_eq!(MailStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(MailStatus::parse("sending"), None);
    }
}
