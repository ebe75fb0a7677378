//! Customer satisfaction: after a conversation is resolved the widget asks the visitor for a
//! rating (1 to 5) and an optional comment, once per resolution.
use super::{Message, Status};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const MAX_RATING_COMMENT_CHARS: usize = 1000;

/// The visitor's rating of one resolution (the `seq` of its "resolved" notice).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub score: u8,
    pub comment: String,
    pub resolution_seq: i64,
}

impl Rating {
    /// The words and face the widget and the dashboard show for a score.
    pub fn label(score: u8) -> &'static str {
        match score {
            1 => "Terrible",
            2 => "Bad",
            3 => "OK",
            4 => "Good",
            _ => "Great",
        }
    }
}

/// The score and comment as kept: 1 to 5, the comment trimmed and within its limit.
pub fn validate_rating(score: i64, comment: &str) -> Result<(u8, String), AppError> {
    let score = u8::try_from(score)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| AppError::Invalid("A rating is from 1 to 5.".into()))?;
    let comment = comment.trim();
    if comment.chars().count() > MAX_RATING_COMMENT_CHARS {
        return Err(AppError::Invalid(format!(
            "A comment is at most {MAX_RATING_COMMENT_CHARS} characters."
        )));
    }
    Ok((score, comment.to_string()))
}

/// The "resolved" notice the visitor would rate now: the newest, while the conversation is
/// resolved and that resolution has no rating yet.
pub fn resolution_to_rate(
    status: Status,
    messages: &[Message],
    rated: Option<&Rating>,
) -> Option<i64> {
    if status != Status::Resolved {
        return None;
    }
    let resolved = messages
        .iter()
        .rev()
        .find(|m| m.status_change == Some(Status::Resolved))?
        .seq;
    (rated.is_none_or(|r| r.resolution_seq < resolved)).then_some(resolved)
}
