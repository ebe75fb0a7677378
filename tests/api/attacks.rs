//! The attack suite: what a hostile page, script or client throws at a real server process
//! (the release defaults for every limit), and what it must get back: the right status and a
//! typed body, a close code with a reason, and nothing stored that should not be.
use crate::common::*;
use futures_util::SinkExt;
use switchboard::error::AppError;
use switchboard::live::{ClientFrame, ServerFrame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// A raw POST to a server function: status, `Retry-After`, and the typed error if any.
async fn post_raw(
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

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}

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

/// One visitor flooding messages is stopped with 429 and `Retry-After`, and what was refused
/// is not stored; another visitor keeps chatting meanwhile.
async fn a_message_flood_hits_its_limit(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let (mut flooder, session) = start_chat(&server, "Flood", "first").await;
    let (mut neighbour, _) = start_chat(&server, "Calm", "hello").await;
    let mut accepted = 1; // the first message
    let mut refused = None;
    for n in 0..60 {
        match send_visitor(&mut flooder, &format!("spam {n}")).await {
            Ok(_) => accepted += 1,
            Err(error) => {
                refused = Some(error);
                break;
            }
        }
    }
    match refused {
        Some(AppError::RateLimited { retry_after_secs }) => assert!(retry_after_secs >= 1),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    assert!(accepted <= 31, "{accepted} accepted");
    // The same over the socket.
    let mut socket = flooder.socket().await;
    socket
        .send(&ClientFrame::Send {
            client_id: client_id(),
            body: "one more".into(),
        })
        .await;
    let error = socket
        .expect(|frame| match frame {
            ServerFrame::SendFailed { error, .. } => Some(error),
            ServerFrame::Sent { .. } => panic!("sent past the limit"),
            _ => None,
        })
        .await;
    assert!(matches!(error, AppError::RateLimited { .. }), "{error:?}");
    // The raw answer carries Retry-After.
    let (status, retry_after, _) = post_raw(
        &server.base,
        "send_visitor_message",
        &[
            ("Origin", server.base.as_str()),
            ("Cookie", &flooder.cookie_header()),
        ],
        form(&[("body", "again"), ("client_id", &client_id())]),
    )
    .await;
    assert_eq!(status, 429);
    assert!(retry_after.is_some_and(|secs| secs.parse::<u64>().unwrap() >= 1));
    // The neighbour is served as usual.
    send_visitor(&mut neighbour, "still here")
        .await
        .expect("another visitor keeps sending");
    let mut agent = server.client();
    agent.sign_in().await;
    let stored = store_history(&agent, &session.conversation.id).await;
    assert_eq!(stored.len(), accepted, "refused messages were not stored");
}

/// New conversations from one address are limited per hour; sockets per address too.
async fn conversation_and_socket_floods_hit_their_limits(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let mut started = 0;
    let refusal = loop {
        let mut visitor = server.client();
        let outcome = visitor
            .call::<switchboard::widget::WidgetSession>(
                "start_conversation",
                &[
                    ("name", "Bot"),
                    ("email", ""),
                    ("body", "buy now"),
                    ("client_id", &client_id()),
                    ("page_url", ""),
                ],
            )
            .await;
        match outcome {
            Ok(_) => started += 1,
            Err(error) => break error,
        }
        assert!(started <= 20, "more than the hourly allowance started");
    };
    assert!(
        matches!(refusal, AppError::RateLimited { .. }),
        "{refusal:?}"
    );
    assert_eq!(started, 20);

    // Sockets: an agent's tabs from one address, up to the limit; the next is refused.
    let mut agent = server.client();
    agent.sign_in().await;
    let mut open = Vec::new();
    for _ in 0..50 {
        open.push(agent.socket().await);
    }
    let over = agent.try_socket(None).await;
    match over {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429)
        }
        Err(other) => panic!("expected 429, got {other:?}"),
        Ok(_) => panic!("a socket over the limit opened"),
    }
    drop(open.pop());
    // A closed one frees its place (once the server has seen it go).
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(socket) = agent.try_socket(None).await {
            reopened = Some(socket);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(reopened.is_some(), "a freed place can be used again");
}

/// Behind a trusted reverse proxy, limits count the client the proxy names, not the proxy; a
/// client talking directly cannot pick its address with the header.
async fn behind_a_trusted_proxy_limits_count_each_client(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process_with(
        &db,
        &[
            ("SWITCHBOARD_TRUSTED_PROXIES", "127.0.0.1"),
            ("SWITCHBOARD_LIMITS", "conversations_per_hour=2"),
        ],
    )
    .await;
    let start = |forwarded: &'static str| {
        let base = server.base.clone();
        async move {
            let body = form(&[
                ("name", "Via proxy"),
                ("email", ""),
                ("body", "hello"),
                ("client_id", &client_id()),
                ("page_url", ""),
            ]);
            let headers = [("Origin", base.as_str()), ("X-Forwarded-For", forwarded)];
            post_raw(&base, "start_conversation", &headers, body)
                .await
                .0
        }
    };
    assert_eq!(start("203.0.113.1").await, 200);
    assert_eq!(start("203.0.113.1").await, 200);
    assert_eq!(start("203.0.113.1").await, 429, "the third from one client");
    assert_eq!(
        start("198.51.100.9, 203.0.113.2").await,
        200,
        "another client is served"
    );
}

/// Guessing passwords: slowed, then locked with 429 and `Retry-After`, per account and per
/// address; while locked even the right password is refused.
async fn sign_in_brute_force_is_locked_out(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let origin = [("Origin", server.base.as_str())];
    let mut last = (0, None, None);
    // Different accounts from one address: the address's count locks too.
    for n in 0..9 {
        let email = format!("guess{n}@example.com");
        last = post_raw(
            &server.base,
            "sign_in",
            &origin,
            form(&[("email", &email), ("password", "hunter2")]),
        )
        .await;
        if last.0 == 429 {
            break;
        }
        assert_eq!(last.0, 401);
    }
    assert_eq!(last.0, 429, "the address is locked after repeated failures");
    assert!(last.1.is_some(), "Retry-After is sent");
    assert!(matches!(last.2, Some(AppError::TooManyAttempts { .. })));
    let right = form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]);
    let (status, _, _) = post_raw(&server.base, "sign_in", &origin, right).await;
    assert_eq!(
        status, 429,
        "locked means locked, even for the right password"
    );
}

/// Frames over the size limit get 1009 with a reason; too many frames a second get 1008;
/// unknown, malformed and oversized-id frames get a typed error and the socket stays.
async fn hostile_frames_are_refused_cleanly(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let (visitor, _) = start_chat(&server, "Frames", "hi").await;

    let mut socket = visitor.socket().await;
    for text in [
        "{\"type\":\"launch_missiles\"}",
        "not json at all",
        "{\"type\":\"subscribe\",\"conversation_id\":7}",
    ] {
        socket.send_text(text).await;
        let code = socket
            .expect(|frame| match frame {
                ServerFrame::Error { code, .. } => Some(code),
                _ => None,
            })
            .await;
        assert_eq!(code, "bad_frame", "{text}");
    }
    let huge_id = "9".repeat(10_000);
    socket.send(&subscribe(&huge_id, Some(-5))).await;
    let code = socket
        .expect(|frame| match frame {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "not_found");

    for size in [17 * 1024, 1 << 20, 20 << 20] {
        // The server stops reading an oversized frame: read its answer while the frame is
        // still going out, as a browser does.
        let socket = visitor.socket().await;
        let (mut sink, mut stream) = futures_util::StreamExt::split(socket.ws);
        let frame = WsMessage::Text("x".repeat(size).into());
        let sending = tokio::spawn(async move { sink.send(frame).await });
        let code = tokio::time::timeout(WAIT, async {
            while let Some(Ok(message)) = futures_util::StreamExt::next(&mut stream).await {
                if let WsMessage::Close(close) = message {
                    return close.map(|c| u16::from(c.code));
                }
            }
            None
        })
        .await
        .expect("the server answers");
        sending.abort();
        assert_eq!(code, Some(1009), "a {size}-byte frame");
    }

    let mut socket = visitor.socket().await;
    let ping = serde_json::to_string(&ClientFrame::Away { away: false }).unwrap();
    for _ in 0..100 {
        if socket
            .ws
            .send(WsMessage::Text(ping.clone().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(
        socket.close_code().await,
        Some(1008),
        "too many frames a second"
    );
}

/// Every kind of page carries the security headers; pages carry a CSP whose scripts need the
/// page's nonce; only the widget may be framed.
async fn security_headers_on_every_page_type(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let http = reqwest::Client::new();
    for path in [
        "/",
        "/agent/login",
        "/widget",
        "/embed.js",
        "/healthz",
        "/nowhere",
    ] {
        let response = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(header("permissions-policy").contains("camera=()"), "{path}");
        let csp = header("content-security-policy");
        if path == "/widget" {
            assert_eq!(header("x-frame-options"), "", "the widget may be framed");
        } else {
            assert_eq!(header("x-frame-options"), "DENY", "{path}");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        }
        let html = headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        if html && path != "/nowhere" {
            let page = response.text().await.unwrap();
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .unwrap_or_else(|| panic!("{path}: no nonce in {csp}"));
            assert!(csp.contains("'wasm-unsafe-eval'") && !csp.contains("'unsafe-eval'"));
            assert!(page.contains(&format!("nonce=\"{nonce}\"")), "{path}");
            // Every inline script carries it.
            for script in page.split("<script").skip(1) {
                let tag = script.split('>').next().unwrap();
                assert!(
                    tag.contains("src=") || tag.contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: an inline script without the nonce: <script{tag}>"
                );
            }
        }
    }
}

/// The signed-in dashboard, whose page streams resources in inline scripts: each carries the
/// page's nonce.
async fn the_dashboard_scripts_carry_the_nonce(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    start_chat(&server, "Nonce", "hello").await;
    let response = reqwest::Client::new()
        .get(format!("{}/agent", server.base))
        .header("Cookie", agent.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response
        .headers()
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|policy| policy.contains("script-src"))
        .expect("a script policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let page = response.text().await.unwrap();
    assert!(page.contains("conversation-item"), "the inbox rendered");
    let inline: Vec<&str> = page
        .split("<script")
        .skip(1)
        .map(|script| script.split('>').next().unwrap())
        .filter(|tag| !tag.contains("src="))
        .collect();
    assert!(!inline.is_empty(), "the page has inline scripts to check");
    for tag in inline {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
}

on_both_stores!(
    behind_a_trusted_proxy_limits_count_each_client,
    the_dashboard_scripts_carry_the_nonce,
    errors_carry_their_status,
    foreign_or_missing_origins_are_refused,
    a_message_flood_hits_its_limit,
    conversation_and_socket_floods_hit_their_limits,
    sign_in_brute_force_is_locked_out,
    hostile_frames_are_refused_cleanly,
    security_headers_on_every_page_type,
);
