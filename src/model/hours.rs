//! Business hours: when an inbox's team is there, in the inbox's own time zone. Outside them
//! the widget shows the away message and when the team is back.
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// Monday first, as the week is stored.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One weekday: open or not, and from when to when (`HH:MM`, 24-hour, `from` before `to`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    pub open: bool,
    pub from: String,
    pub to: String,
}

impl DayHours {
    pub fn nine_to_five(open: bool) -> Self {
        DayHours {
            open,
            from: "09:00".into(),
            to: "17:00".into(),
        }
    }
}

/// Whether the team is there now, and if not, when it is back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Availability {
    Open,
    /// `back_at`: Unix milliseconds of the next opening; `None` when no day is open.
    Closed {
        back_at: Option<i64>,
    },
}

/// Minutes after midnight of `HH:MM`.
fn minutes(time: &str) -> Option<u16> {
    let (hours, mins) = time.trim().split_once(':')?;
    let (hours, mins): (u16, u16) = (hours.parse().ok()?, mins.parse().ok()?);
    (hours < 24 && mins < 60 && time.trim().len() == 5).then_some(hours * 60 + mins)
}

/// Checks a week: empty (always open) or seven days, each open day with a start before its end.
pub fn validate_hours(days: Vec<DayHours>) -> Result<Vec<DayHours>, AppError> {
    if days.is_empty() {
        return Ok(days);
    }
    if days.len() != 7 {
        return Err(AppError::Invalid(
            "Business hours name all seven days.".into(),
        ));
    }
    days.into_iter()
        .zip(WEEKDAYS)
        .map(|(day, name)| {
            let (from, to) = (minutes(&day.from), minutes(&day.to));
            match (from, to) {
                (Some(from), Some(to)) if from < to => Ok(DayHours {
                    open: day.open,
                    from: day.from.trim().into(),
                    to: day.to.trim().into(),
                }),
                _ if !day.open => Ok(DayHours::nine_to_five(false)),
                _ => Err(AppError::Invalid(format!(
                    "{name}: give opening hours as HH:MM, the start before the end."
                ))),
            }
        })
        .collect()
}

/// The stored form: seven lines, `09:00-17:00` or `closed`; empty text is "always open".
pub fn hours_text(days: &[DayHours]) -> String {
    days.iter()
        .map(|day| match day.open {
            true => format!("{}-{}", day.from, day.to),
            false => "closed".into(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn parse_hours(text: &str) -> Vec<DayHours> {
    text.lines()
        .map(|line| match line.split_once('-') {
            Some((from, to)) => DayHours {
                open: true,
                from: from.into(),
                to: to.into(),
            },
            None => DayHours::nine_to_five(false),
        })
        .collect()
}

/// Where `now_ms` falls in the week of `zone` (an IANA name; unknown names count as UTC).
#[cfg(feature = "ssr")]
pub fn availability(days: &[DayHours], zone: &str, now_ms: i64) -> Availability {
    use jiff::{tz::TimeZone, Timestamp, ToSpan};
    if days.len() != 7 {
        return Availability::Open;
    }
    let zone = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let Ok(now) = Timestamp::from_millisecond(now_ms) else {
        return Availability::Open;
    };
    let now = now.to_zoned(zone.clone());
    let today = now.weekday().to_monday_zero_offset() as usize;
    let minute = now.hour() as u16 * 60 + now.minute() as u16;
    let span = |day: &DayHours| Some((minutes(&day.from)?, minutes(&day.to)?));
    if let Some((from, to)) = days[today].open.then(|| span(&days[today])).flatten() {
        if (from..to).contains(&minute) {
            return Availability::Open;
        }
    }
    // The next opening: later today, or on one of the next seven days.
    for ahead in 0..8_i64 {
        let day = &days[(today + ahead as usize) % 7];
        let Some((from, _)) = day.open.then(|| span(day)).flatten() else {
            continue;
        };
        if ahead == 0 && from <= minute {
            continue;
        }
        let opening = now.date().checked_add(ahead.days()).ok().and_then(|date| {
            date.at((from / 60) as i8, (from % 60) as i8, 0, 0)
                .to_zoned(zone.clone())
                .ok()
        });
        return Availability::Closed {
            back_at: opening.map(|zoned| zoned.timestamp().as_millisecond()),
        };
    }
    Availability::Closed { back_at: None }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn week() -> Vec<DayHours> {
        (0..7).map(|day| DayHours::nine_to_five(day < 5)).collect()
    }

    #[test]
    fn a_week_in_its_own_time_zone() {
        // 2026-12-01 is a Tuesday. 08:00 UTC is 09:00 in Paris (open), 03:00 in New York.
        let tuesday_8_utc = 1_796_112_000_000;
        assert_eq!(
            availability(&week(), "Europe/Paris", tuesday_8_utc),
            Availability::Open
        );
        let Availability::Closed {
            back_at: Some(back),
        } = availability(&week(), "America/New_York", tuesday_8_utc)
        else {
            panic!("New York is closed at 03:00");
        };
        // Back at 09:00 New York time (14:00 UTC) the same day.
        assert_eq!(back, tuesday_8_utc + 6 * 3_600_000);
        assert_eq!(availability(&[], "UTC", tuesday_8_utc), Availability::Open);
        let closed: Vec<_> = (0..7).map(|_| DayHours::nine_to_five(false)).collect();
        assert_eq!(
            availability(&closed, "UTC", tuesday_8_utc),
            Availability::Closed { back_at: None }
        );
    }

    #[test]
    fn hours_are_checked_and_kept_as_text() {
        let mut days = week();
        assert_eq!(parse_hours(&hours_text(&days)), days);
        days[0].to = "08:00".into();
        assert!(validate_hours(days.clone()).is_err());
        days[0].open = false;
        assert!(validate_hours(days).is_ok());
        assert!(validate_hours(vec![DayHours::nine_to_five(true)]).is_err());
    }
}
