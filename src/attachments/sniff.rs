//! What a sent file really is: its type from its first bytes (`infer`), which must be one the
//! settings allow and agree with its name's extension (a `.png` that is a program is refused).
use crate::error::{AppError, AppResult};
use crate::model::{split_extension, type_label};

pub struct Sniffed {
    /// The name to keep: the sender's, with the type's extension added when it had none.
    pub name: String,
    pub content_type: &'static str,
    /// A raster image the thread shows inline.
    pub image: bool,
}

pub fn sniff(bytes: &[u8], name: &str, allowed: &[String]) -> AppResult<Sniffed> {
    let found = infer::get(bytes);
    let content_type = match found {
        Some(kind) => kind.mime_type(),
        None if looks_like_text(bytes) => "text/plain",
        None => {
            return Err(AppError::Invalid(
                "Switchboard cannot tell what kind of file this is, so it was not sent.".into(),
            ))
        }
    };
    if !allowed.iter().any(|t| t.eq_ignore_ascii_case(content_type)) {
        return Err(AppError::Invalid(format!(
            "Files of this kind ({}) cannot be sent here.",
            type_label(content_type)
        )));
    }
    let extensions = extensions_of(content_type, found.map(|k| k.extension()));
    let name = match split_extension(name) {
        (_, Some(ext)) if extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)) => name.into(),
        (_, Some(ext)) => {
            return Err(AppError::Invalid(format!(
                "This file's name ends in .{ext}, but it is a {}: rename it or send another file.",
                type_label(content_type)
            )))
        }
        (_, None) => format!("{name}.{}", extensions.first().copied().unwrap_or("bin")),
    };
    Ok(Sniffed {
        name,
        content_type,
        image: matches!(
            content_type,
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        ),
    })
}

/// The extensions a name of this type may end in, the usual one first.
fn extensions_of(content_type: &str, sniffed: Option<&'static str>) -> Vec<&'static str> {
    let known: &[&'static str] = match content_type {
        "image/jpeg" => &["jpg", "jpeg", "jpe", "jfif"],
        "image/tiff" => &["tif", "tiff"],
        "text/plain" => &["txt", "text", "log", "csv", "md"],
        _ => &[],
    };
    let mut all: Vec<&'static str> = known.to_vec();
    all.extend(sniffed.filter(|e| !all.contains(e)));
    all
}

/// Text has no magic number: UTF-8 without NUL bytes (a cut in the middle of a character at
/// the end of a large file is allowed).
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return false;
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none() && bytes.len() - error.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n";

    fn allowed() -> Vec<String> {
        crate::state::settings::FilesSettings::default().types
    }

    #[test]
    fn content_decides_and_the_name_must_agree() {
        let png = sniff(PNG, "shot.PNG", &allowed()).unwrap();
        assert_eq!(png.content_type, "image/png");
        assert!(png.image);
        assert_eq!(sniff(PNG, "shot", &allowed()).unwrap().name, "shot.png");
        let lying = sniff(PDF, "cat.png", &allowed()).err().unwrap();
        assert!(lying.to_string().contains(".png"), "{lying}");
        assert!(sniff(PNG, "shot.exe", &allowed()).is_err());
        assert_eq!(
            sniff(b"hello\n", "notes.csv", &allowed())
                .unwrap()
                .content_type,
            "text/plain"
        );
        assert!(sniff(b"hello", "notes.html", &allowed()).is_err());
    }

    #[test]
    fn types_outside_the_list_and_unknown_bytes_are_refused() {
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff";
        assert!(sniff(exe, "setup.exe", &allowed()).is_err());
        assert!(sniff(&[0, 1, 2, 3, 0, 9], "blob.bin", &allowed()).is_err());
        assert!(sniff(PNG, "a.png", &["application/pdf".to_string()]).is_err());
    }
}
