//! Full-text search over the conversations an agent may see: messages and notes (stemmed, with
//! "quoted phrases"), visitor names and e-mails, and labels; filtered by inbox, status,
//! assignee and date. The stores run it on SQLite FTS5 and PostgreSQL `tsvector`.
use super::{Conversation, SenderKind, Status};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const MAX_SEARCH_CHARS: usize = 200;
/// Most hits one search returns, newest first.
pub const SEARCH_LIMIT: u32 = 50;

/// What the agent asked for: the words, and the filters (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub text: String,
    pub inbox: Option<String>,
    pub status: Option<Status>,
    pub assignee: Option<String>,
    /// Messages written at or after this moment (ms since the epoch)…
    pub from_ms: Option<i64>,
    /// …and before this one.
    pub to_ms: Option<i64>,
}

/// One found thing: a message or note (`seq`, with its matched words marked in `snippet`), or
/// a conversation whose visitor or labels matched (no `seq`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub conversation: Conversation,
    pub seq: Option<i64>,
    pub sender: Option<SenderKind>,
    /// The text around the match, in pieces: `(text, matched)`. Plain text, never markup.
    pub snippet: Vec<(String, bool)>,
    pub at: i64,
}

/// Marks the stores put around matched words in a snippet (control characters no message
/// keeps: `validate_body` text is what was typed, and these cannot be typed into a form).
pub const MATCH_START: char = '\u{2}';
pub const MATCH_END: char = '\u{3}';

/// A search's words as the stores take them: `fts5`, each word or phrase quoted, so that
/// nothing typed is read as an operator, for SQLite FTS5 and PostgreSQL's
/// `websearch_to_tsquery` alike.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchTerms {
    pub text: String,
    pub fts5: String,
    /// Lowercased plain words, for matching names, e-mails and labels.
    pub words: Vec<String>,
}

/// Checks and splits what was typed: at most 200 characters, at least one word of letters or
/// digits; `"…"` keeps a phrase together.
pub fn search_terms(text: &str) -> Result<SearchTerms, AppError> {
    let text = text.trim();
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::Invalid(format!(
            "A search is at most {MAX_SEARCH_CHARS} characters."
        )));
    }
    let mut fts5 = Vec::new();
    let mut words = Vec::new();
    for (n, part) in text.split('"').enumerate() {
        let tokens: Vec<String> = part
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase)
            .collect();
        if tokens.is_empty() {
            continue;
        }
        // Odd parts were between quotes: one phrase. Even parts: separate words.
        if n % 2 == 1 {
            fts5.push(format!("\"{}\"", tokens.join(" ")));
        } else {
            fts5.extend(tokens.iter().map(|t| format!("\"{t}\"")));
        }
        words.extend(tokens);
    }
    if words.is_empty() {
        return Err(AppError::Invalid(
            "Type a word to search for (letters or digits).".into(),
        ));
    }
    Ok(SearchTerms {
        text: text.to_string(),
        fts5: fts5.join(" "),
        words,
    })
}

/// A snippet as the stores return it, split at the match marks.
pub fn split_snippet(raw: &str) -> Vec<(String, bool)> {
    let mut pieces = Vec::new();
    let mut matched = false;
    let mut current = String::new();
    for c in raw.chars() {
        if c == MATCH_START || c == MATCH_END {
            if !current.is_empty() {
                pieces.push((std::mem::take(&mut current), matched));
            }
            matched = c == MATCH_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        pieces.push((current, matched));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_phrases_become_quoted_terms() {
        let terms = search_terms(r#"refund "wrong size" NOT -x*"#).unwrap();
        assert_eq!(terms.fts5, r#""refund" "wrong size" "not" "x""#);
        assert_eq!(terms.words, ["refund", "wrong", "size", "not", "x"]);
    }

    #[test]
    fn nothing_to_search_or_too_long_is_refused() {
        for bad in ["", "   ", "\"\" * - ( ) : ^ + ~", "!!!"] {
            assert!(search_terms(bad).is_err(), "{bad:?}");
        }
        assert!(search_terms(&"a".repeat(201)).is_err());
        assert!(search_terms(&"a".repeat(200)).is_ok());
    }

    #[test]
    fn snippets_split_at_their_marks() {
        let raw = "where is my \u{2}order\u{3} now \u{2}please\u{3}";
        assert_eq!(
            split_snippet(raw),
            vec![
                ("where is my ".to_string(), false),
                ("order".to_string(), true),
                (" now ".to_string(), false),
                ("please".to_string(), true),
            ]
        );
    }
}
