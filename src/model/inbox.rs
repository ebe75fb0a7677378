//! An inbox: one website's widget and the conversations it brings. Its settings, and the
//! checks they pass before they are kept.
use super::{Availability, DayHours};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// At most this many allowed domains per inbox.
pub const MAX_DOMAINS: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxSettings {
    pub id: String,
    /// Shown in the widget's header, e.g. "Acme Support".
    pub name: String,
    /// `#rrggbb`, dark enough to carry white text (WCAG AA, 4.5:1).
    pub color: String,
    /// The widget's welcome line.
    pub greeting: String,
    /// What the widget says while nobody is online.
    pub away_message: String,
    /// Sites that may embed the widget: `shop.example`, `*.example.com`, `localhost:3000`.
    /// Empty: any site (and absent from a form, as an empty list is).
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// The widget asks for an e-mail before the first message.
    pub ask_email: bool,
    /// The widget's language: one of `LANGUAGES`' codes; empty follows the visitor's browser.
    #[serde(default)]
    pub language: String,
    /// The IANA time zone the business hours are in.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// Monday first; empty: always open.
    #[serde(default)]
    pub hours: Vec<DayHours>,
    /// Switched off: the widget says the chat is not available and starts nothing.
    #[serde(default = "switched_on")]
    pub enabled: bool,
}

fn switched_on() -> bool {
    true
}

fn utc() -> String {
    "UTC".into()
}

/// The widget's languages: code and name; the empty code follows the visitor's browser.
pub const LANGUAGES: [(&str, &str); 3] = [
    ("", "The visitor's browser language"),
    ("en", "English"),
    ("es", "Español"),
];

/// The widget's language: the inbox's choice, else the first of the visitor's languages
/// (`es-ES,es;q=0.9,en;q=0.8`, or `navigator.language`) it speaks, else English.
pub fn widget_language(forced: &str, preferred: &str) -> &'static str {
    let speaks = |tag: &str| {
        let primary = tag.trim().split(['-', '_', ';']).next().unwrap_or_default();
        LANGUAGES
            .iter()
            .map(|(code, _)| *code)
            .find(|code| !code.is_empty() && primary.eq_ignore_ascii_case(code))
    };
    speaks(forced)
        .or_else(|| preferred.split(',').find_map(speaks))
        .unwrap_or("en")
}

/// Which inboxes' conversations an agent may see: admins all, others those they belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboxAccess {
    All,
    Only(Vec<String>),
}

impl InboxAccess {
    pub fn allows(&self, inbox_id: &str) -> bool {
        match self {
            InboxAccess::All => true,
            InboxAccess::Only(ids) => ids.iter().any(|id| id == inbox_id),
        }
    }
}

/// What the widget needs of its inbox: public, shown to anyone who opens it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetInbox {
    pub id: String,
    pub name: String,
    pub color: String,
    pub greeting: String,
    pub away_message: String,
    pub ask_email: bool,
    /// The language it speaks to this visitor (`en`, `es`): the inbox's, else theirs.
    pub language: String,
    pub availability: Availability,
    /// The server can send e-mail: the widget offers the transcript by e-mail.
    #[serde(default)]
    pub mail: bool,
}

/// An inbox as the settings list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxSummary {
    pub id: String,
    pub name: String,
    pub color: String,
}

impl InboxSettings {
    /// Trims and checks every field; a clear reason for the first one that is wrong.
    pub fn validate(self) -> Result<InboxSettings, AppError> {
        let invalid = |why: &str| AppError::Invalid(why.to_string());
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(invalid("Give the inbox a name of 1 to 60 characters."));
        }
        let color = self.color.trim().to_ascii_lowercase();
        let Some(luminance) = luminance(&color) else {
            return Err(invalid("Give the brand colour as #rrggbb, e.g. #4f46e5."));
        };
        if (1.05 / (luminance + 0.05)) < 4.5 {
            return Err(invalid(
                "That colour is too light for white text; pick a darker one.",
            ));
        }
        let greeting = self.greeting.trim().to_string();
        let away_message = self.away_message.trim().to_string();
        if greeting.is_empty() || greeting.chars().count() > 300 {
            return Err(invalid("The greeting is 1 to 300 characters."));
        }
        if away_message.is_empty() || away_message.chars().count() > 300 {
            return Err(invalid("The away message is 1 to 300 characters."));
        }
        if self.allowed_domains.len() > MAX_DOMAINS {
            return Err(invalid("At most 50 allowed domains."));
        }
        let mut allowed_domains = Vec::new();
        for entry in self.allowed_domains {
            let Some(domain) = domain(&entry) else {
                return Err(AppError::Invalid(format!(
                    "\"{}\" is not a domain: write shop.example, *.example.com or localhost:3000.",
                    entry.trim().chars().take(60).collect::<String>()
                )));
            };
            if !allowed_domains.contains(&domain) {
                allowed_domains.push(domain);
            }
        }
        if !LANGUAGES.iter().any(|(code, _)| *code == self.language) {
            return Err(invalid("Pick one of the widget's languages."));
        }
        let time_zone = self.time_zone.trim().to_string();
        if !plausible_zone(&time_zone) {
            return Err(invalid(
                "Give the time zone as a name such as Europe/Paris or UTC.",
            ));
        }
        Ok(InboxSettings {
            id: self.id,
            name,
            color,
            greeting,
            away_message,
            allowed_domains,
            ask_email: self.ask_email,
            language: self.language,
            time_zone,
            hours: super::validate_hours(self.hours)?,
            enabled: self.enabled,
        })
    }

    /// The `Content-Security-Policy: frame-ancestors` value for the widget page; `None` when
    /// any site may embed it.
    pub fn frame_ancestors(&self) -> Option<String> {
        (!self.allowed_domains.is_empty())
            .then(|| format!("frame-ancestors 'self' {}", self.allowed_domains.join(" ")))
    }
}

/// An IANA zone name: on the server, one the time-zone database knows.
fn plausible_zone(zone: &str) -> bool {
    let shape = !zone.is_empty()
        && zone.len() <= 64
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
    #[cfg(feature = "ssr")]
    let shape = shape && jiff::tz::TimeZone::get(zone).is_ok();
    shape
}

/// Whether `origin` (`https://shop.example:8443`) is one of these host sources, as a browser
/// applies `frame-ancestors`: exact hosts, `*.` for any subdomain, a port when one is named.
pub fn origin_matches(allowed_domains: &[String], origin: &str) -> bool {
    let Some((_, authority)) = origin.trim_end_matches('/').split_once("://") else {
        return false;
    };
    let authority = authority.to_ascii_lowercase();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, Some(port)),
        _ => (authority.as_str(), None),
    };
    allowed_domains.iter().any(|entry| {
        let (entry_host, entry_port) = match entry.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (entry.as_str(), None),
        };
        let host_ok = match entry_host.strip_prefix("*.") {
            Some(parent) => host
                .strip_suffix(parent)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => host == entry_host,
        };
        host_ok && (entry_port.is_none() || entry_port == port)
    })
}

/// One allowed-domain entry as a CSP host source: lower case, no scheme or path; `*.` only as
/// the first label; an optional port. Lines pasted with `https://` or a trailing `/` are fine.
fn domain(entry: &str) -> Option<String> {
    let entry = entry.trim().to_ascii_lowercase();
    let entry = entry
        .strip_prefix("https://")
        .or_else(|| entry.strip_prefix("http://"))
        .unwrap_or(&entry)
        .trim_end_matches('/');
    if entry.is_empty() || entry.len() > 253 {
        return None;
    }
    let (host, port) = match entry.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (entry, None),
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let labels = host.strip_prefix("*.").unwrap_or(host);
    let good_label = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    labels.split('.').all(good_label).then(|| entry.to_string())
}

/// Relative luminance of `#rrggbb` (WCAG 2), or `None` when it is not that shape.
fn luminance(color: &str) -> Option<f64> {
    let hex = color.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| {
        let value = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).ok()?) / 255.0;
        Some(if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(color: &str, domains: &[&str]) -> InboxSettings {
        InboxSettings {
            id: "default".into(),
            name: " Acme Support ".into(),
            color: color.into(),
            greeting: "Hi!".into(),
            away_message: "We're away.".into(),
            allowed_domains: domains.iter().map(|d| d.to_string()).collect(),
            ask_email: false,
            language: String::new(),
            time_zone: "UTC".into(),
            hours: Vec::new(),
            enabled: true,
        }
    }

    #[test]
    fn colours_must_carry_white_text() {
        assert!(settings("#4F46E5", &[]).validate().is_ok());
        assert!(settings("#ffff00", &[]).validate().is_err());
        assert!(settings("red", &[]).validate().is_err());
        assert!(settings("#12345", &[]).validate().is_err());
    }

    #[test]
    fn domains_become_host_sources() {
        let ok = settings(
            "#4f46e5",
            &[
                "https://Shop.Example/",
                "*.example.com",
                "localhost:3000",
                "shop.example",
            ],
        )
        .validate()
        .unwrap();
        assert_eq!(ok.name, "Acme Support");
        assert_eq!(
            ok.allowed_domains,
            ["shop.example", "*.example.com", "localhost:3000"]
        );
        assert_eq!(
            ok.frame_ancestors().unwrap(),
            "frame-ancestors 'self' shop.example *.example.com localhost:3000"
        );
        for bad in [
            "shop.example; script-src *",
            "*",
            "a.*.com",
            "shop..example",
            "x:port",
            "'self'",
        ] {
            assert!(settings("#4f46e5", &[bad]).validate().is_err(), "{bad}");
        }
        assert_eq!(settings("#4f46e5", &[]).frame_ancestors(), None);
    }

    #[test]
    fn origins_match_host_sources() {
        let list: Vec<String> = ["shop.example", "*.example.com", "localhost:3000"]
            .map(String::from)
            .to_vec();
        for good in [
            "https://shop.example",
            "http://shop.example:8080",
            "https://a.example.com",
            "https://a.b.example.com",
            "http://localhost:3000",
        ] {
            assert!(origin_matches(&list, good), "{good}");
        }
        for bad in [
            "https://example.com",
            "https://evilexample.com",
            "https://shop.example.evil",
            "http://localhost:4000",
            "http://localhost",
            "null",
        ] {
            assert!(!origin_matches(&list, bad), "{bad}");
        }
    }
}
