//! Snooze: an agent puts an open conversation aside until a time, or until its visitor writes
//! again; it leaves the open views and comes back by itself.
use crate::error::AppError;

/// `snoozed_until` for "until the visitor writes again": no time ever reaches it.
pub const SNOOZED_UNTIL_REPLY: i64 = i64::MAX;
/// The furthest a snooze may reach: a year.
pub const MAX_SNOOZE_MS: i64 = 366 * 24 * 60 * 60 * 1000;

/// What a snooze request asks for: `0` wakes the conversation now (`None`),
/// `SNOOZED_UNTIL_REPLY` waits for the visitor, anything else is a moment within a year.
pub fn validate_snooze(until: i64, now: i64) -> Result<Option<i64>, AppError> {
    match until {
        0 => Ok(None),
        SNOOZED_UNTIL_REPLY => Ok(Some(SNOOZED_UNTIL_REPLY)),
        at if at <= now => Err(AppError::Invalid(
            "Pick a time in the future to snooze until.".into(),
        )),
        at if at - now > MAX_SNOOZE_MS => Err(AppError::Invalid(
            "A conversation can be snoozed for at most a year.".into(),
        )),
        at => Ok(Some(at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snoozes_are_now_never_past_and_within_a_year() {
        let now = 1_000_000;
        assert_eq!(validate_snooze(0, now), Ok(None));
        assert_eq!(
            validate_snooze(SNOOZED_UNTIL_REPLY, now),
            Ok(Some(SNOOZED_UNTIL_REPLY))
        );
        assert_eq!(validate_snooze(now + 1, now), Ok(Some(now + 1)));
        assert!(validate_snooze(now, now).is_err());
        assert!(validate_snooze(-5, now).is_err());
        assert!(validate_snooze(now + MAX_SNOOZE_MS + 1, now).is_err());
    }
}
