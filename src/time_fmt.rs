//! Timestamps as people read them. The server renders UTC with the `time` crate; right after
//! hydration the browser switches to the reader's own locale and time zone through
//! `Intl.DateTimeFormat`, so hydration never meets a different text than the server sent.
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

/// "14:05" (or "2:05 PM" where the reader's locale says so).
pub fn clock(ms: i64) -> String {
    imp::clock(ms, is_local())
}

/// A key that is equal for two instants on the same calendar day.
pub fn day_key(ms: i64) -> (i32, u32, u32) {
    imp::day_key(ms, is_local())
}

/// "Today", "Yesterday" or "Mon 3 Nov 2026", relative to `now_ms`.
pub fn day_label(ms: i64, now_ms: i64) -> String {
    let local = is_local();
    let day = imp::day_key(ms, local);
    if day == imp::day_key(now_ms, local) {
        imp::relative_day(0, local)
    } else if day == imp::day_key(now_ms - 86_400_000, local) {
        imp::relative_day(-1, local)
    } else {
        imp::full_date(ms, local)
    }
}

/// "14:05" today, "3 Nov" before: for the inbox list.
pub fn short(ms: i64, now_ms: i64) -> String {
    let local = is_local();
    if imp::day_key(ms, local) == imp::day_key(now_ms, local) {
        imp::clock(ms, local)
    } else {
        imp::day_month(ms, local)
    }
}

/// The server: UTC, in English.
#[cfg(not(feature = "hydrate"))]
mod imp {
    use time::macros::format_description;
    use time::OffsetDateTime;

    fn at(ms: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    fn format(ms: i64, description: &[time::format_description::BorrowedFormatItem<'_>]) -> String {
        at(ms).format(description).unwrap_or_default()
    }

    pub fn clock(ms: i64, _local: bool) -> String {
        format(ms, format_description!("[hour]:[minute]"))
    }

    pub fn day_key(ms: i64, _local: bool) -> (i32, u32, u32) {
        let date = at(ms).date();
        (
            date.year(),
            u8::from(date.month()).into(),
            date.day().into(),
        )
    }

    pub fn relative_day(offset: i32, _local: bool) -> String {
        if offset == 0 { "Today" } else { "Yesterday" }.into()
    }

    pub fn full_date(ms: i64, _local: bool) -> String {
        format(
            ms,
            format_description!(
                "[weekday repr:short] [day padding:none] [month repr:short] [year]"
            ),
        )
    }

    pub fn day_month(ms: i64, _local: bool) -> String {
        format(
            ms,
            format_description!("[day padding:none] [month repr:short]"),
        )
    }
}

/// The browser: `Intl` in the reader's locale and time zone once hydrated; before that, UTC,
/// as the server rendered it.
#[cfg(feature = "hydrate")]
mod imp {
    use js_sys::{Array, Date, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    fn options(pairs: &[(&str, &str)], local: bool) -> Object {
        let options = Object::new();
        for (key, value) in pairs {
            let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
        }
        if !local {
            let _ = Reflect::set(&options, &"timeZone".into(), &"UTC".into());
        }
        options
    }

    fn locales(local: bool) -> Array {
        if local {
            Array::new()
        } else {
            Array::of1(&"en-GB".into())
        }
    }

    fn format(ms: i64, pairs: &[(&str, &str)], local: bool) -> String {
        let formatter = Intl::DateTimeFormat::new(&locales(local), &options(pairs, local));
        let date = Date::new(&JsValue::from_f64(ms as f64));
        formatter
            .format()
            .call1(&formatter, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }

    pub fn clock(ms: i64, local: bool) -> String {
        format(ms, &[("hour", "2-digit"), ("minute", "2-digit")], local)
    }

    pub fn day_key(ms: i64, local: bool) -> (i32, u32, u32) {
        let date = Date::new(&JsValue::from_f64(ms as f64));
        if local {
            (
                date.get_full_year() as i32,
                date.get_month() + 1,
                date.get_date(),
            )
        } else {
            (
                date.get_utc_full_year() as i32,
                date.get_utc_month() + 1,
                date.get_utc_date(),
            )
        }
    }

    /// "Today" / "Yesterday" in the reader's language.
    pub fn relative_day(offset: i32, local: bool) -> String {
        let options = Object::new();
        let _ = Reflect::set(&options, &"numeric".into(), &"auto".into());
        let formatter = Intl::RelativeTimeFormat::new(&locales(local), &options);
        let text = formatter
            .format(f64::from(offset), "day")
            .as_string()
            .unwrap_or_default();
        let mut letters = text.chars();
        letters
            .next()
            .map(|first| first.to_uppercase().chain(letters).collect())
            .unwrap_or_default()
    }

    pub fn full_date(ms: i64, local: bool) -> String {
        let pairs = [
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
        ];
        format(ms, &pairs, local)
    }

    pub fn day_month(ms: i64, local: bool) -> String {
        format(ms, &[("day", "numeric"), ("month", "short")], local)
    }
}

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::imp;

    #[test]
    fn utc_dates() {
        assert_eq!(imp::day_key(0, false), (1970, 1, 1));
        // 2026-11-22T13:14:00Z is a Sunday.
        let ms = 1_795_353_240_000;
        assert_eq!(imp::day_key(ms, false), (2026, 11, 22));
        assert_eq!(imp::clock(ms, false), "13:14");
        assert_eq!(imp::full_date(ms, false), "Sun 22 Nov 2026");
        assert_eq!(imp::day_month(951_782_400_000, false), "29 Feb");
    }
}
