//! Requests: every error with its status, bodies too large (announced or not), malformed
//! and invalid input, and state changes from a foreign or unnamed origin.
use super::{form, post_raw};
use crate::common::*;
use switchboard::error::AppError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Each typed error travels with its own status, not 500; bodies over the limit are 413.
async fn errors_carry_their_status(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let origin = [("Origin", server.base.as_str())];

    let wrong = form(&[("email", ADMIN_EMAIL), ("password", "not it")]);
    let (status, _, error) = post_raw(&server.base, "sign_in", &origin, wrong).await;
    assert_eq!((status, error), (401, Some(AppError::WrongCredentials)));

    let (status, _, error) = post_raw(&server.base, "sign_in", &origin, "email=a").await;
    assert_eq!(status, 400, "a missing argument is the request's fault");
    assert!(matches!(error, Some(AppError::BadRequest(_))), "{error:?}");

    // Bytes that are not UTF-8 where text is expected.
    let (status, _, error) = post_raw(
        &server.base,
        "sign_in",
        &origin,
        b"email=\xff\xfe&password=\xc3\x28".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "invalid UTF-8");
    assert!(matches!(error, Some(AppError::BadRequest(_))), "{error:?}");

    let (status, _, error) = post_raw(&server.base, "current_agent", &origin, "").await;
    assert_eq!((status, error), (200, None));

    // A body announced over the limit is refused before it is read (a client still sending
    // then sees the connection close: read the answer as the bytes go out).
    for size in [2 << 20, 20 << 20] {
        let (status, body) = raw_post(&server.base, Some(size), 256 * 1024).await;
        assert_eq!(status, 413, "a {size}-byte body");
        let error: AppError = serde_json::from_str(&body).expect("a typed body");
        assert!(matches!(error, AppError::TooLarge { max_bytes } if max_bytes > 0));
    }
    // Without a length announced, the body is cut off as it grows past the limit.
    let (status, body) = raw_post(&server.base, None, 1 << 20).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("TooLarge"), "{body}");

    let (mut visitor, _) = start_chat(&server, "Mallory", "hi").await;
    let empty = send_visitor(&mut visitor, "   ").await;
    assert_eq!(empty, Err(AppError::EmptyMessage));
    let (status, _, _) = post_raw(
        &server.base,
        "send_visitor_message",
        &origin,
        form(&[("body", " "), ("client_id", &client_id())]),
    )
    .await;
    assert_eq!(status, 404, "no visitor token: no conversation");
    let mut agent = server.client();
    agent.sign_in().await;
    let missing = send_agent(&mut agent, "no-such-conversation", "hello").await;
    assert_eq!(missing, Err(AppError::ConversationNotFound));
    // Numbers that do not fit, and negative sequence numbers.
    let overflow = visitor
        .call::<Vec<switchboard::model::Message>>(
            "older_visitor_messages",
            &[("before_seq", "99999999999999999999999")],
        )
        .await;
    assert!(
        matches!(overflow, Err(AppError::BadRequest(_))),
        "{overflow:?}"
    );
    let negative = visitor
        .call::<Vec<switchboard::model::Message>>("older_visitor_messages", &[("before_seq", "-5")])
        .await;
    assert_eq!(negative, Ok(vec![]));
}

/// A sign-in POST over a raw connection, announcing `length` (or sending in chunks with no
/// length), writing up to `send` bytes of body while reading: the status and body answered.
async fn raw_post(base: &str, length: Option<usize>, send: usize) -> (u16, String) {
    let address = base.trim_start_matches("http://");
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = tcp.into_split();
    let framing = match length {
        Some(length) => format!("Content-Length: {length}"),
        None => "Transfer-Encoding: chunked".to_string(),
    };
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: {address}\r\nOrigin: {base}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n"
    );
    let chunked = length.is_none();
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = vec![b'x'; 16 * 1024];
        for _ in 0..send / chunk.len() {
            if chunked {
                writer
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .await?;
            }
            writer.write_all(&chunk).await?;
            if chunked {
                writer.write_all(b"\r\n").await?;
            }
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(writer)
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(WAIT, async {
        let mut buffer = [0u8; 4096];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
            let text = String::from_utf8_lossy(&answer);
            if text.contains("\r\n\r\n") && text.trim_end().ends_with('}') {
                break;
            }
        }
    })
    .await;
    writing.abort();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

/// State-changing requests must say where they come from: a foreign `Origin`, a foreign
/// `Referer` standing in for a missing `Origin`, or neither, are refused, and nothing is stored.
async fn foreign_or_missing_origins_are_refused(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let start = form(&[
        ("name", "Eve"),
        ("email", ""),
        ("body", "from elsewhere"),
        ("client_id", &client_id()),
        ("page_url", "https://evil.example/"),
    ]);
    let foreign_referer = [("Referer", "https://evil.example/page")];
    let foreign_origin = [("Origin", "https://evil.example")];
    for headers in [&foreign_referer[..], &foreign_origin[..], &[][..]] {
        let (status, _, error) =
            post_raw(&server.base, "start_conversation", headers, start.clone()).await;
        assert_eq!(status, 403, "{headers:?}");
        assert!(matches!(error, Some(AppError::Forbidden(_))), "{error:?}");
    }
    // Its own page as the Referer is fine.
    let own_page = format!("{}/widget", server.base);
    let (status, _, _) = post_raw(
        &server.base,
        "start_conversation",
        &[("Referer", own_page.as_str())],
        start,
    )
    .await;
    assert_eq!(status, 200);
    let mut agent = server.client();
    agent.sign_in().await;
    let list: Vec<switchboard::model::InboxItem> = agent
        .call("list_conversations", &[("filter", "open")])
        .await
        .unwrap();
    assert_eq!(list.len(), 1, "only the allowed start was stored");

    // Socket upgrades: a foreign origin is refused before any identity is looked at.
    let (visitor, _) = start_chat(&server, "Vic", "hello").await;
    assert!(visitor
        .try_socket(Some("https://evil.example"))
        .await
        .is_err());
}

on_both_stores!(
    errors_carry_their_status,
    foreign_or_missing_origins_are_refused,
);
