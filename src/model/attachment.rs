//! A file sent in a conversation: what a message carries about it, and where to fetch it.
use serde::{Deserialize, Serialize};

/// The largest file a server takes unless its `file_bytes` limit says otherwise.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// A stored file. Its `id` is random and doubles as the key a visitor's widget shows to fetch
/// it (a widget framed on another site has no cookie); agents fetch with their session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    /// The name it was sent with, cleaned (`clean_file_name`).
    pub name: String,
    /// What its content is (sniffed on arrival, never taken from the sender).
    pub content_type: String,
    pub size: u64,
    /// Pixels, for images, so the thread keeps its place while the image loads.
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// A smaller copy exists to show inline (large images).
    #[serde(default)]
    pub thumb: bool,
}

impl Attachment {
    /// Shown inline (a raster image); anything else is a download.
    pub fn is_image(&self) -> bool {
        matches!(
            self.content_type.as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        )
    }

    /// Where the file is fetched: `key` is given to visitors (see `Attachment`), not agents.
    pub fn url(&self, conversation_id: &str, seq: i64, thumb: bool, key: bool) -> String {
        let mut url = format!("/files/{conversation_id}/{seq}");
        let mut sep = '?';
        if thumb && self.thumb {
            url.push_str("?thumb=1");
            sep = '&';
        }
        if key {
            url.push(sep);
            url.push_str("key=");
            url.push_str(&self.id);
        }
        url
    }

    /// "2.4 MB", "816 KB", "120 B".
    pub fn size_label(&self) -> String {
        size_label(self.size)
    }
}

impl super::Message {
    /// The message as text outside the thread (transcripts, e-mail): a file shows as its name
    /// and size in brackets.
    pub fn plain_text(&self) -> String {
        match &self.attachment {
            Some(file) => format!("[file: {}, {}]", file.name, file.size_label()),
            None => self.body.clone(),
        }
    }
}

/// In whole numbers only: float formatting would weigh several KB in the widget's WASM.
pub fn size_label(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = KB * KB;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else if bytes >= KB {
        format!("{} KB", (bytes + KB / 2) / KB)
    } else {
        format!("{bytes} B")
    }
}

/// A name safe to show and to put in a header: no path, no control characters, not empty,
/// at most `MAX_FILE_NAME_CHARS` characters (the extension kept).
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        // Direction overrides would show `exe.png` for `gnp.exe`.
        .filter(|c| !matches!(c, '\u{200e}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return "file".into();
    }
    if cleaned.chars().count() <= MAX_FILE_NAME_CHARS {
        return cleaned.to_string();
    }
    let (stem, ext) = split_extension(cleaned);
    let ext_chars = ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem
        .chars()
        .take(MAX_FILE_NAME_CHARS.saturating_sub(ext_chars))
        .collect();
    match ext {
        Some(ext) if ext_chars < MAX_FILE_NAME_CHARS => format!("{stem}.{ext}"),
        _ => stem,
    }
}

/// `("report", Some("pdf"))` for `report.pdf`; `None` when the name has no extension.
pub fn split_extension(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => (stem, Some(ext)),
        _ => (name, None),
    }
}

/// What a file's content type is called in the types setting and in errors.
pub fn type_label(content_type: &str) -> &str {
    match content_type {
        "image/png" => "PNG image",
        "image/jpeg" => "JPEG image",
        "image/gif" => "GIF image",
        "image/webp" => "WebP image",
        "application/pdf" => "PDF",
        "text/plain" => "text",
        "application/zip" => "ZIP archive",
        _ => content_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_controls_and_keep_their_extension() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\x\\a\"b<c>.png"), "abc.png");
        assert_eq!(clean_file_name("\u{202e}gnp.exe\n"), "gnp.exe");
        assert_eq!(clean_file_name("..."), "file");
        assert_eq!(clean_file_name(".htaccess"), "htaccess");
        let long = format!("{}.pdf", "a".repeat(300));
        let cleaned = clean_file_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cleaned.ends_with(".pdf"));
    }

    #[test]
    fn urls_carry_the_key_only_when_asked() {
        let file = Attachment {
            id: "k1".into(),
            name: "a.png".into(),
            content_type: "image/png".into(),
            size: 2_500_000,
            width: Some(10),
            height: Some(10),
            thumb: true,
        };
        assert_eq!(file.url("c", 4, false, false), "/files/c/4");
        assert_eq!(file.url("c", 4, true, true), "/files/c/4?thumb=1&key=k1");
        assert_eq!(file.url("c", 4, false, true), "/files/c/4?key=k1");
        assert_eq!(file.size_label(), "2.4 MB");
        assert_eq!(size_label(1_023), "1023 B");
        assert_eq!(size_label(1_536), "2 KB");
        assert_eq!(size_label(10 * 1024 * 1024), "10.0 MB");
        assert!(file.is_image());
    }
}
