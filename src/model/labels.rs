//! Labels: coloured tags an admin defines and agents put on conversations ("billing",
//! "bug"), to sort and filter the inbox. Internal: visitors never see them.
use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const MAX_LABEL_NAME_CHARS: usize = 40;
/// More than this on one conversation stops being a filter and becomes noise.
pub const MAX_LABELS_PER_CONVERSATION: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

impl Label {
    /// Black or white, whichever reads better on the label's colour (WCAG relative luminance).
    pub fn text_color(&self) -> &'static str {
        let channel = |at: usize| {
            let value = u8::from_str_radix(self.color.get(at..at + 2).unwrap_or("80"), 16)
                .unwrap_or(128) as f64
                / 255.0;
            if value <= 0.03928 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at ~0.179.
        if luminance > 0.179 {
            "#000000"
        } else {
            "#ffffff"
        }
    }
}

/// A label's name and colour as kept: the name trimmed, 1 to 40 characters without control
/// characters; the colour `#rrggbb`, lowercase.
pub fn validate_label(name: &str, color: &str) -> Result<(String, String), AppError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_LABEL_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(AppError::Invalid(format!(
            "A label's name is 1 to {MAX_LABEL_NAME_CHARS} characters."
        )));
    }
    let color = color.trim().to_ascii_lowercase();
    let hex = color.strip_prefix('#').unwrap_or("");
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::Invalid(
            "A label's colour is written #rrggbb, e.g. #2563eb.".into(),
        ));
    }
    Ok((name.to_string(), color))
}

/// Whether `id` can be a label's id (they are UUIDs): anything else is refused before it
/// reaches a query.
pub fn is_label_id(id: &str) -> bool {
    id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// The labels a conversation should carry: known ids, each once, in the order given.
pub fn validate_conversation_labels(
    wanted: &[String],
    known: &[Label],
) -> Result<Vec<String>, AppError> {
    let mut kept: Vec<String> = Vec::new();
    for id in wanted {
        if !known.iter().any(|label| label.id == *id) {
            return Err(AppError::LabelNotFound);
        }
        if !kept.contains(id) {
            kept.push(id.clone());
        }
    }
    if kept.len() > MAX_LABELS_PER_CONVERSATION {
        return Err(AppError::Invalid(format!(
            "A conversation carries at most {MAX_LABELS_PER_CONVERSATION} labels."
        )));
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(id: &str, color: &str) -> Label {
        Label {
            id: id.into(),
            name: "x".into(),
            color: color.into(),
        }
    }

    #[test]
    fn names_and_colours_are_checked() {
        assert_eq!(
            validate_label("  Billing ", "#2563EB").unwrap(),
            ("Billing".to_string(), "#2563eb".to_string())
        );
        assert!(validate_label("", "#2563eb").is_err());
        assert!(validate_label(&"a".repeat(41), "#2563eb").is_err());
        assert!(validate_label("bad\u{7}", "#2563eb").is_err());
        for color in ["2563eb", "#2563e", "#2563ebb", "#zz63eb", "red"] {
            assert!(validate_label("Billing", color).is_err(), "{color}");
        }
    }

    #[test]
    fn text_reads_on_its_colour() {
        assert_eq!(label("a", "#ffffff").text_color(), "#000000");
        assert_eq!(label("a", "#fde047").text_color(), "#000000");
        assert_eq!(label("a", "#1e3a8a").text_color(), "#ffffff");
        assert_eq!(label("a", "#000000").text_color(), "#ffffff");
    }

    #[test]
    fn conversation_labels_are_known_and_kept_once() {
        let known = vec![label("a", "#000000"), label("b", "#000000")];
        let wanted = vec!["b".to_string(), "a".to_string(), "b".to_string()];
        assert_eq!(
            validate_conversation_labels(&wanted, &known).unwrap(),
            vec!["b".to_string(), "a".to_string()]
        );
        assert_eq!(
            validate_conversation_labels(&["c".to_string()], &known),
            Err(AppError::LabelNotFound)
        );
    }

    #[test]
    fn only_uuids_are_label_ids() {
        assert!(is_label_id("0b8f3a52-5d1e-4c1a-9e1b-2f3c4d5e6f70"));
        assert!(!is_label_id("%"));
        assert!(!is_label_id("0b8f3a52-5d1e-4c1a-9e1b-2f3c4d5e6f7_"));
    }
}
