//! The attack suite: what a hostile page, script or client throws at a real server process
//! (the release defaults for every limit), and what it must get back: the right status and a
//! typed body, a close code with a reason, and nothing stored that should not be. One file per
//! kind of attack; the raw requests they share are here.
mod floods;
mod frames;
mod headers;
mod requests;
mod slow;

use switchboard::error::AppError;

/// A raw POST to a server function: status, `Retry-After`, and the typed error if any.
pub(super) async fn post_raw(
    base: &str,
    endpoint: &str,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> (u16, Option<String>, Option<AppError>) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/api/{endpoint}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.body(body).send().await.expect("server answers");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    (status, retry_after, serde_json::from_str(&text).ok())
}

pub(super) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}
