//! Timestamps as people read them. The server renders UTC; the browser switches to local time
//! right after hydration (both render the same first, so hydration matches).
use leptos::prelude::*;

/// True once the page runs in the browser; read it to re-render times in local time.
#[derive(Clone, Copy)]
pub struct LocalClock(pub RwSignal<bool>);

pub fn provide_local_clock() {
    let local = RwSignal::new(false);
    Effect::new(move |_| {
        local.set(true);
        // Lets tests and tools wait for a live page rather than guess.
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    provide_context(LocalClock(local));
}

fn is_local() -> bool {
    use_context::<LocalClock>()
        .map(|c| c.0.get())
        .unwrap_or(false)
}

/// (year, month 1-12, day, hour, minute, weekday 0=Sunday)
fn parts(ms: i64, local: bool) -> (i32, u32, u32, u32, u32, u32) {
    #[cfg(feature = "hydrate")]
    if local {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        return (
            date.get_full_year() as i32,
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes(),
            date.get_day(),
        );
    }
    let _ = local;
    utc_parts(ms)
}

/// Civil date from days since 1970 (Howard Hinnant's algorithm), so no timezone database is needed.
fn utc_parts(ms: i64) -> (i32, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    let weekday = (days + 4).rem_euclid(7) as u32;
    (
        year,
        month,
        day,
        (of_day / 3600) as u32,
        ((of_day % 3600) / 60) as u32,
        weekday,
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// "14:05"
pub fn clock(ms: i64) -> String {
    let (_, _, _, hour, minute, _) = parts(ms, is_local());
    format!("{hour:02}:{minute:02}")
}

/// A key that is equal for two instants on the same calendar day.
pub fn day_key(ms: i64) -> (i32, u32, u32) {
    let (year, month, day, ..) = parts(ms, is_local());
    (year, month, day)
}

/// "Today", "Yesterday" or "Mon 3 Nov 2026", relative to `now_ms`.
pub fn day_label(ms: i64, now_ms: i64) -> String {
    let local = is_local();
    let (year, month, day, _, _, weekday) = parts(ms, local);
    let today = parts(now_ms, local);
    let yesterday = parts(now_ms - 86_400_000, local);
    if (year, month, day) == (today.0, today.1, today.2) {
        "Today".into()
    } else if (year, month, day) == (yesterday.0, yesterday.1, yesterday.2) {
        "Yesterday".into()
    } else {
        format!(
            "{} {day} {} {year}",
            WEEKDAYS[weekday as usize],
            MONTHS[month as usize - 1]
        )
    }
}

/// "14:05" today, "3 Nov" before: for the inbox list.
pub fn short(ms: i64, now_ms: i64) -> String {
    let local = is_local();
    let (_, month, day, ..) = parts(ms, local);
    if day_key(ms) == day_key(now_ms) {
        clock(ms)
    } else {
        format!("{day} {}", MONTHS[month as usize - 1])
    }
}

pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(utc_parts(0), (1970, 1, 1, 0, 0, 4));
        // 2026-11-22T13:14:00Z is a Sunday.
        assert_eq!(utc_parts(1_795_353_240_000), (2026, 11, 22, 13, 14, 0));
        assert_eq!(utc_parts(951_782_400_000), (2000, 2, 29, 0, 0, 2));
    }
}
