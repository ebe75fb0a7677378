//! Timestamps as people read them. The server renders UTC with the `time` crate; right after
//! hydration the browser switches to the reader's own locale and time zone through
//! `Intl.DateTimeFormat`, so hydration never meets a different text than the server sent. A
//! signed-in agent's chosen time zone replaces the browser's (`use_time_zone`).
use leptos::prelude::*;

/// Once the page runs in the browser, `local` turns true and times re-render in local time:
/// in `zone` when one is set (an IANA name the browser knows), else the browser's own.
#[derive(Clone, Copy)]
pub struct LocalClock {
    local: RwSignal<bool>,
    zone: RwSignal<Option<String>>,
}

/// Shows every time on this page in `zone` (e.g. an agent's setting); an unknown zone is
/// ignored, so a bad value never breaks the page.
pub fn use_time_zone(zone: &str) {
    if let Some(clock) = use_context::<LocalClock>() {
        let zone = Some(zone.to_string()).filter(|zone| imp::known_zone(zone));
        if clock.zone.get_untracked() != zone {
            clock.zone.set(zone);
        }
    }
}

pub fn provide_local_clock() {
    let local = RwSignal::new(false);
    let zone = RwSignal::new(None);
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
    provide_context(LocalClock { local, zone });
}

/// How to render right now: `None` is UTC as the server renders; `Some(None)` the browser's
/// zone; `Some(Some(zone))` a chosen one.
type Zone = Option<Option<String>>;

fn is_local() -> Zone {
    use_context::<LocalClock>().and_then(|clock| clock.local.get().then(|| clock.zone.get()))
}

/// "14:05" (or "2:05 PM" where the reader's locale says so).
pub fn clock(ms: i64) -> String {
    imp::clock(ms, &is_local())
}

/// The instant for `<time datetime>`, in UTC: `2026-11-22T13:14:00Z`. The same on both sides.
pub fn iso(ms: i64) -> String {
    imp::iso(ms)
}

/// A key that is equal for two instants on the same calendar day.
pub fn day_key(ms: i64) -> (i32, u32, u32) {
    imp::day_key(ms, &is_local())
}

/// "Today", "Yesterday" or "Mon 3 Nov 2026", relative to `now_ms`.
pub fn day_label(ms: i64, now_ms: i64) -> String {
    let local = is_local();
    let day = imp::day_key(ms, &local);
    if day == imp::day_key(now_ms, &local) {
        imp::relative_day(0, &local)
    } else if day == imp::day_key(now_ms - 86_400_000, &local) {
        imp::relative_day(-1, &local)
    } else {
        imp::full_date(ms, &local)
    }
}

/// "14:05" today, "3 Nov" before: for the inbox list.
pub fn short(ms: i64, now_ms: i64) -> String {
    let local = is_local();
    if imp::day_key(ms, &local) == imp::day_key(now_ms, &local) {
        imp::clock(ms, &local)
    } else {
        imp::day_month(ms, &local)
    }
}

/// The server: UTC, in English.
#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::Zone;
    use time::macros::format_description;
    use time::OffsetDateTime;

    fn at(ms: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    fn format(ms: i64, description: &[time::format_description::BorrowedFormatItem<'_>]) -> String {
        at(ms).format(description).unwrap_or_default()
    }

    pub fn known_zone(_zone: &str) -> bool {
        true
    }

    pub fn iso(ms: i64) -> String {
        format(
            ms,
            format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
        )
    }

    pub fn clock(ms: i64, _local: &Zone) -> String {
        format(ms, format_description!("[hour]:[minute]"))
    }

    pub fn day_key(ms: i64, _local: &Zone) -> (i32, u32, u32) {
        let date = at(ms).date();
        (
            date.year(),
            u8::from(date.month()).into(),
            date.day().into(),
        )
    }

    pub fn relative_day(offset: i32, _local: &Zone) -> String {
        if offset == 0 { "Today" } else { "Yesterday" }.into()
    }

    pub fn full_date(ms: i64, _local: &Zone) -> String {
        format(
            ms,
            format_description!(
                "[weekday repr:short] [day padding:none] [month repr:short] [year]"
            ),
        )
    }

    pub fn day_month(ms: i64, _local: &Zone) -> String {
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
    use super::Zone;
    use js_sys::{Array, Date, Intl, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    fn options(pairs: &[(&str, &str)], zone: &Zone) -> Object {
        let options = Object::new();
        for (key, value) in pairs {
            let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
        }
        let zone = match zone {
            None => Some("UTC"),
            Some(chosen) => chosen.as_deref(),
        };
        if let Some(zone) = zone {
            let _ = Reflect::set(&options, &"timeZone".into(), &zone.into());
        }
        options
    }

    fn locales(zone: &Zone) -> Array {
        if zone.is_some() {
            Array::new()
        } else {
            Array::of1(&"en-GB".into())
        }
    }

    /// Whether `Intl` accepts the zone: constructing with an unknown one throws.
    pub fn known_zone(zone: &str) -> bool {
        let Some(constructor) = Reflect::get(&js_sys::global(), &"Intl".into())
            .and_then(|intl| Reflect::get(&intl, &"DateTimeFormat".into()))
            .ok()
            .and_then(|value| value.dyn_into::<js_sys::Function>().ok())
        else {
            return false;
        };
        let options = options(&[], &Some(Some(zone.to_string())));
        Reflect::construct(&constructor, &Array::of2(&Array::new(), &options)).is_ok()
    }

    fn format_with(ms: i64, locales: &Array, pairs: &[(&str, &str)], zone: &Zone) -> String {
        let formatter = Intl::DateTimeFormat::new(locales, &options(pairs, zone));
        let date = Date::new(&JsValue::from_f64(ms as f64));
        formatter
            .format()
            .call1(&formatter, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }

    fn format(ms: i64, pairs: &[(&str, &str)], zone: &Zone) -> String {
        format_with(ms, &locales(zone), pairs, zone)
    }

    pub fn clock(ms: i64, zone: &Zone) -> String {
        format(ms, &[("hour", "2-digit"), ("minute", "2-digit")], zone)
    }

    /// `toISOString` without the milliseconds, as the server writes it.
    pub fn iso(ms: i64) -> String {
        let text = String::from(Date::new(&JsValue::from_f64(ms as f64)).to_iso_string());
        match text.split_once('.') {
            Some((seconds, _)) => format!("{seconds}Z"),
            None => text,
        }
    }

    /// The calendar day in the zone: `en-CA` writes dates as `2026-11-22`.
    pub fn day_key(ms: i64, zone: &Zone) -> (i32, u32, u32) {
        let pairs = [
            ("year", "numeric"),
            ("month", "2-digit"),
            ("day", "2-digit"),
        ];
        let text = format_with(ms, &Array::of1(&"en-CA".into()), &pairs, zone);
        let mut parts = text
            .split('-')
            .map(|part| part.trim().parse::<u32>().unwrap_or(0));
        let (year, month, day) = (parts.next(), parts.next(), parts.next());
        (
            year.unwrap_or(0) as i32,
            month.unwrap_or(0),
            day.unwrap_or(0),
        )
    }

    /// "Today" / "Yesterday" in the reader's language.
    pub fn relative_day(offset: i32, zone: &Zone) -> String {
        let options = Object::new();
        let _ = Reflect::set(&options, &"numeric".into(), &"auto".into());
        let formatter = Intl::RelativeTimeFormat::new(&locales(zone), &options);
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

    pub fn full_date(ms: i64, zone: &Zone) -> String {
        let pairs = [
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
        ];
        format(ms, &pairs, zone)
    }

    pub fn day_month(ms: i64, zone: &Zone) -> String {
        format(ms, &[("day", "numeric"), ("month", "short")], zone)
    }
}

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::imp;

    #[test]
    fn utc_dates() {
        assert_eq!(imp::day_key(0, &None), (1970, 1, 1));
        // 2026-11-22T13:14:00Z is a Sunday.
        let ms = 1_795_353_240_000;
        assert_eq!(imp::day_key(ms, &None), (2026, 11, 22));
        assert_eq!(imp::clock(ms, &None), "13:14");
        assert_eq!(imp::iso(ms), "2026-11-22T13:14:00Z");
        assert_eq!(imp::full_date(ms, &None), "Sun 22 Nov 2026");
        assert_eq!(imp::day_month(951_782_400_000, &None), "29 Feb");
    }
}
