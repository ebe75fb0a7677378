//! The site (WASM, JS, CSS, `embed.js`, icons) inside the binary, so the binary alone is a
//! deployment. Release builds embed `target/site` as `cargo leptos build --release
//! --precompress` leaves it (it builds the site before the server, with `.br` and `.gz`
//! variants); debug builds read the same folder from disk, so `cargo leptos watch` reloads.
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::Response;

#[derive(rust_embed::Embed)]
#[folder = "target/site"]
#[allow_missing = true]
struct Site;

/// Says at start-up where the site comes from: a release binary built without the site
/// (e.g. a plain `cargo build --release`) serves `target/site` from disk, if there is one.
pub fn report() {
    let embedded = Site::get("pkg/switchboard.wasm").is_some();
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

/// Whether the site holds this file (e.g. `pkg/widget.wasm`, built only by the release script).
pub fn has(path: &str) -> bool {
    Site::get(path).is_some()
}

/// The embedded file for this request, precompressed when the client accepts it; `None`
/// when there is no such file (the app then renders its 404 page).
pub fn serve(request: &Request<Body>) -> Option<Response> {
    let path = request.uri().path().trim_start_matches('/');
    if path.is_empty() || path.ends_with(".br") || path.ends_with(".gz") {
        return None;
    }
    let plain = Site::get(path)?;
    let accepts = accepted_encodings(request.headers());
    // Only brotli is taken precompressed: cargo-leptos's `.gz` files come out larger (601 KB
    // for the WASM) than the router's own gzip layer makes of the plain file (511 KB).
    let (file, encoding) = match Site::get(&format!("{path}.br")) {
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
        // Names are stable (not hashed), so browsers revalidate with the ETag.
        .header(header::CACHE_CONTROL, "no-cache");
    if let Some(encoding) = encoding {
        response = response.header(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response.body(Body::from(file.data.into_owned())).ok()
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
