//! Canned responses (saved replies): shared by the team or an agent's own, called up with
//! `/shortcut` in the composer, with placeholders filled in as they are inserted.
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// What a saved reply may name; anything else in `{{ }}` is refused when it is saved.
pub const PLACEHOLDERS: [&str; 4] = [
    "visitor.name",
    "visitor.first_name",
    "visitor.email",
    "agent.name",
];
pub const MAX_SHORTCUT_CHARS: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: String,
    /// Typed after `/`: lowercase letters, digits, `-` and `_`.
    pub shortcut: String,
    pub body: String,
    /// Whose it is; `None` when the whole team shares it.
    pub owner_id: Option<String>,
    pub updated_at: i64,
}

impl CannedResponse {
    pub fn shared(&self) -> bool {
        self.owner_id.is_none()
    }

    /// Whether it answers what was typed after `/` (shortcut or text, any case).
    pub fn matches(&self, query: &str) -> bool {
        let query = query.to_lowercase();
        self.shortcut.contains(&query) || self.body.to_lowercase().contains(&query)
    }
}

/// What the placeholders stand for in one conversation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplyFacts {
    pub visitor_name: String,
    pub visitor_email: String,
    pub agent_name: String,
}

/// The shortcut and body as kept: trimmed, within their limits, placeholders all known.
pub fn validate_canned(shortcut: &str, body: &str) -> Result<(String, String), AppError> {
    let shortcut = shortcut.trim().trim_start_matches('/').to_lowercase();
    let shortcut_ok = !shortcut.is_empty()
        && shortcut.chars().count() <= MAX_SHORTCUT_CHARS
        && shortcut
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !shortcut_ok {
        return Err(AppError::Invalid(format!(
            "A shortcut is 1 to {MAX_SHORTCUT_CHARS} letters, digits, - or _ (it is typed after /)."
        )));
    }
    let body = super::validate_body(body)?;
    if let Some(unknown) = placeholders(&body).find(|name| !PLACEHOLDERS.contains(name)) {
        return Err(AppError::Invalid(format!(
            "Unknown placeholder {{{{{unknown}}}}}: use {}.",
            PLACEHOLDERS.map(|p| format!("{{{{{p}}}}}")).join(", ")
        )));
    }
    Ok((shortcut, body))
}

/// The names inside each complete `{{ … }}`, trimmed.
fn placeholders(body: &str) -> impl Iterator<Item = &str> {
    let mut rest = body;
    std::iter::from_fn(move || {
        let start = rest.find("{{")?;
        let end = rest[start..].find("}}")? + start;
        let name = rest[start + 2..end].trim();
        rest = &rest[end + 2..];
        Some(name)
    })
}

/// The body with its placeholders filled in; a fact nobody gave (no e-mail) leaves nothing.
pub fn fill_reply(body: &str, facts: &ReplyFacts) -> String {
    let first_name = facts.visitor_name.split_whitespace().next().unwrap_or("");
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}").map(|e| e + start) else {
            break;
        };
        out.push_str(&rest[..start]);
        match rest[start + 2..end].trim() {
            "visitor.name" => out.push_str(&facts.visitor_name),
            "visitor.first_name" => out.push_str(first_name),
            "visitor.email" => out.push_str(&facts.visitor_email),
            "agent.name" => out.push_str(&facts.agent_name),
            _ => out.push_str(&rest[start..end + 2]),
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_checked() {
        let facts = ReplyFacts {
            visitor_name: "Maya Chen".into(),
            visitor_email: String::new(),
            agent_name: "Ana".into(),
        };
        assert_eq!(
            fill_reply(
                "Hi {{visitor.first_name}}, {{ agent.name }} here. {{visitor.email}}!",
                &facts
            ),
            "Hi Maya, Ana here. !"
        );
        assert_eq!(fill_reply("{{ unclosed", &facts), "{{ unclosed");
        assert!(validate_canned("refund", "Hi {{visitor.name}}").is_ok());
        assert!(matches!(
            validate_canned("refund", "Hi {{visitor.age}}"),
            Err(AppError::Invalid(text)) if text.contains("visitor.age")
        ));
        assert!(validate_canned("no spaces", "x").is_err());
        assert!(validate_canned("", "x").is_err());
        assert_eq!(
            validate_canned("/Refund", " x ").unwrap(),
            ("refund".into(), "x".into())
        );
        assert!(validate_canned("ok", "   ").is_err());
    }
}
