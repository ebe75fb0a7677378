//! The site (WASM, JS, CSS, `embed.js`, icons) inside the binary, so the binary alone is a
//! deployment. `src/main.rs` embeds `target/site` (rust-embed) and hands it to the server as a
//! [`Site`]: the library, the slowest part of a release build, then compiles without waiting
//! for the site, beside the browser bundles (scripts/build-release.sh). Debug builds read the
//! same folder from disk, so `cargo leptos watch` reloads.
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::Response;
use rust_embed::EmbeddedFile;

/// Where the site's files come from: a rust-embed folder's `get`, or nothing (then the router
/// serves `target/site` from disk, if there is one: the in-process tests' servers).
#[derive(Clone, Copy)]
pub struct Site(fn(&str) -> Option<EmbeddedFile>);

impl Site {
    /// The files of a `#[derive(rust_embed::Embed)]` folder: `Site::new(Folder::get)`.
    pub const fn new(get: fn(&str) -> Option<EmbeddedFile>) -> Site {
        Site(get)
    }

    /// No embedded files.
    pub const fn none() -> Site {
        Site(|_| None)
    }

    fn get(&self, path: &str) -> Option<EmbeddedFile> {
        (self.0)(path)
    }

    /// Says at start-up where the site comes from: a release binary built without the site
    /// (e.g. a plain `cargo build --release`) serves `target/site` from disk, if there is one.
    pub fn report(&self) {
        let embedded = self.has("pkg/switchboard.wasm");
        if cfg!(debug_assertions) {
            tracing::debug!("serving the site from target/site on disk (debug build)");
        } else if embedded {
            tracing::info!("serving the site embedded in this binary");
        } else {
            tracing::warn!(
                "this binary carries no site (build it with scripts/build-release.sh); \
                 serving target/site from disk if it exists"
            );
        }
    }

    /// Whether the site holds this file (e.g. `pkg/widget.wasm`, the lean widget bundle).
    pub fn has(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// The embedded file for this request, precompressed when the client accepts it; `None`
    /// when there is no such file (the app then renders its 404 page).
    pub fn serve(&self, request: &Request<Body>) -> Option<Response> {
        let path = request.uri().path().trim_start_matches('/');
        if path.is_empty() || path.ends_with(".br") || path.ends_with(".gz") {
            return None;
        }
        let plain = self.get(path)?;
        let accepts = accepted_encodings(request.headers());
        // Only brotli is taken precompressed: cargo-leptos's `.gz` files came out larger (601 KB
        // for the WASM) than the router's own gzip layer makes of the plain file (511 KB).
        let (file, encoding) = match self.get(&format!("{path}.br")) {
            Some(br) if accepts.contains(&"br") => (br, Some("br")),
            _ => (plain.clone(), None),
        };
        let etag = format!("\"{}\"", hex(&plain.metadata.sha256_hash()));
        if request
            .headers()
            .get(header::IF_NONE_MATCH)
            .is_some_and(|tag| tag.as_bytes() == etag.as_bytes())
        {
            return Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .header(header::ETAG, etag)
                .body(Body::empty())
                .ok();
        }
        let mut response = Response::builder()
            .header(header::CONTENT_TYPE, plain.metadata.mimetype())
            .header(header::ETAG, etag)
            .header(header::VARY, "accept-encoding")
            .header(header::CACHE_CONTROL, cache_control(path));
        if let Some(encoding) = encoding {
            response =
                response.header(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response.body(Body::from(file.data.into_owned())).ok()
    }
}

/// Chunks split off a bundle are named by their content (scripts/build-site.sh): kept for a
/// year, never asked again. Every other name is stable, so browsers revalidate with the ETag.
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("pkg/split_") && path.ends_with(".wasm") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

fn accepted_encodings(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| item.split(';').next().unwrap_or("").trim())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::cache_control;

    #[test]
    fn only_content_named_chunks_are_immutable() {
        assert_eq!(
            cache_control("pkg/split_widget_chat.1f6df44c7b8d2428.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("pkg/widget.wasm"), "no-cache");
        assert_eq!(
            cache_control("pkg/split_dashboard_conversation.4e9e6b87371a6697.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("pkg/__wasm_split.js"), "no-cache");
        assert_eq!(cache_control("pkg/__wasm_split.switchboard.js"), "no-cache");
        assert_eq!(cache_control("embed.js"), "no-cache");
    }
}
