//! Slow and long: a client trickling its headers is cut off at `header_secs` while others are
//! served; a message over `message_chars` is refused with its limit, which the socket's
//! `ready` frame tells the composer.
use crate::common::*;
use std::time::{Duration, Instant};
use switchboard::error::AppError;
use switchboard::live::ServerFrame;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A slowloris: one header line every 300 ms never finishes a request; the server closes the
/// connection once `header_secs` (1 s here) has passed, and serves everyone else meanwhile.
async fn trickled_headers_are_cut_off(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process_with(&db, &[("SWITCHBOARD_LIMITS", "header_secs=1")]).await;
    let address = server.base.trim_start_matches("http://").to_string();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let began = Instant::now();
    let mut answer = Vec::new();
    let mut closed = false;
    while began.elapsed() < Duration::from_secs(8) {
        // Each header line is sent before the last one's deadline could pass, so only a
        // time-out on the whole header block stops this.
        if slow.write_all(b"X-Slow: still-coming\r\n").await.is_err() {
            closed = true;
            break;
        }
        let mut chunk = [0u8; 512];
        match tokio::time::timeout(Duration::from_millis(300), slow.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => answer.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
        // Meanwhile an ordinary client is answered.
        let healthy = reqwest::get(format!("{}/healthz", server.base))
            .await
            .unwrap();
        assert!(healthy.status().is_success());
    }
    // Within 8 s: the setting's 1 s, not the default 10 s, cut it off.
    assert!(closed, "a request whose headers never end is cut off");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "nothing was served to it: {answer}"
    );
}

/// `message_chars` is a setting: longer messages get 422 with the limit, from the widget's
/// server function and over the socket, and the `ready` frame announces it.
async fn message_length_is_a_setting(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process_with(&db, &[("SWITCHBOARD_LIMITS", "message_chars=20")]).await;
    let (mut visitor, session) = start_chat(&server, "Verbose", "short hello").await;
    let long = "a".repeat(21);
    let refused = send_visitor(&mut visitor, &long).await;
    assert_eq!(refused, Err(AppError::MessageTooLong { max: 20, got: 21 }));
    send_visitor(&mut visitor, &"b".repeat(20))
        .await
        .expect("exactly the limit is fine");
    let socket = visitor.socket().await;
    assert!(
        matches!(
            socket.ready,
            ServerFrame::Ready {
                max_message_chars: 20,
                ..
            }
        ),
        "the composer learns the limit: {:?}",
        socket.ready
    );
    let mut agent = server.client();
    agent.sign_in().await;
    let stored = store_history(&agent, &session.conversation.id).await;
    assert_eq!(stored.len(), 2, "the long one was not stored");
    let starting = visitor
        .call::<switchboard::widget::WidgetSession>(
            "start_conversation",
            &[
                ("name", "Other"),
                ("email", ""),
                ("body", &long),
                ("client_id", &client_id()),
                ("page_url", ""),
            ],
        )
        .await;
    assert!(
        matches!(starting, Err(AppError::MessageTooLong { max: 20, .. })),
        "{starting:?}"
    );
}

on_both_stores!(trickled_headers_are_cut_off, message_length_is_a_setting);
