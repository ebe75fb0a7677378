//! What is known of a visitor beyond their messages: their token's shape, their browser, and
//! what the host site's code said about them.

/// A widget load this long after the visitor was last seen counts as a new visit.
pub const NEW_VISIT_AFTER_MS: i64 = 30 * 60 * 1000;

/// What the widget's browser told about the visitor, and how often they came.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VisitorFacts {
    /// The page that sent them to the host site.
    pub referrer: Option<String>,
    /// The browser's language (`es-ES`) and time zone (`Europe/Madrid`).
    pub language: Option<String>,
    pub time_zone: Option<String>,
    /// Widget loads with their token, counted at most once every 30 minutes.
    pub visits: i64,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
}

/// At most this many `setContext` entries are kept, each key and value within these lengths.
pub const CONTEXT_ENTRIES: usize = 20;
pub const CONTEXT_KEY_CHARS: usize = 40;
pub const CONTEXT_VALUE_CHARS: usize = 500;

/// Checks what a host page said about its visitor: a few short `key: value` pairs, keys made
/// of letters, digits, spaces, `_` and `-`.
pub fn validate_context(
    entries: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, crate::error::AppError> {
    let invalid = |why: String| crate::error::AppError::Invalid(why);
    if entries.len() > CONTEXT_ENTRIES {
        return Err(invalid(format!(
            "At most {CONTEXT_ENTRIES} context entries are kept."
        )));
    }
    entries
        .into_iter()
        .map(|(key, value)| {
            let key = key.trim().to_string();
            let key_ok = !key.is_empty()
                && key.chars().count() <= CONTEXT_KEY_CHARS
                && key
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == ' ' || c == '_' || c == '-');
            if !key_ok {
                return Err(invalid(format!(
                    "A context key is 1 to {CONTEXT_KEY_CHARS} letters, digits, spaces, _ or -."
                )));
            }
            if value.chars().count() > CONTEXT_VALUE_CHARS {
                return Err(invalid(format!(
                    "A context value can be at most {CONTEXT_VALUE_CHARS} characters."
                )));
            }
            Ok((key, value))
        })
        .collect()
}

/// Whether a value can be one of our tokens (43 URL-safe base64 characters; some slack).
/// Anything else is ignored before it reaches a hash or the store.
pub fn plausible_token(token: &str) -> bool {
    (20..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Phone, tablet or computer, from a User-Agent header.
pub fn device_kind(user_agent: &str) -> &'static str {
    if user_agent.contains("iPad") || user_agent.contains("Tablet") {
        "Tablet"
    } else if user_agent.contains("Mobi") || user_agent.contains("Android") {
        "Phone"
    } else {
        "Computer"
    }
}

/// "Chrome on Linux" from a User-Agent header, for the visitor panel.
pub fn browser_name(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name)
    .unwrap_or("Unknown browser");
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match os {
        Some(os) => format!("{browser} on {os}"),
        None => browser.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_token_shaped_values_are_taken() {
        assert!(plausible_token(
            "q3Xv0b8Kx1YkqPZQ0m2s9v7T1Fh5W4d6aJcL0eR8nUo"
        ));
        assert!(!plausible_token("short"));
        assert!(!plausible_token("has spaces and <tags> in it, long enough"));
        assert!(!plausible_token(&"a".repeat(65)));
    }

    #[test]
    fn browser_names() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(browser_name(chrome), "Chrome on Linux");
        assert_eq!(browser_name("curl/8"), "Unknown browser");
    }
}
