//! Floods: messages, new conversations, sockets and sign-in guesses from one address, each
//! stopped at its limit while others stay served; behind a trusted proxy, per client.
use super::{form, post_raw};
use crate::common::*;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use switchboard::error::AppError;
use switchboard::live::{ClientFrame, ServerFrame};

/// Runs `flood` while a calm visitor keeps sending messages: every one of theirs must be
/// stored, and at least one must be answered while the flood is still going, so the neighbour
/// is served beside the flood rather than queued behind it. How fast is the benchmarks' business;
/// here only the order counts, which a loaded machine cannot flip.
async fn while_a_neighbour_chats<T>(neighbour: &mut Client, flood: impl Future<Output = T>) -> T {
    let flooding = AtomicBool::new(true);
    let calm = async {
        let (mut sent, mut during_the_flood) = (0, 0);
        while flooding.load(Ordering::Relaxed) || sent == 0 {
            send_visitor(neighbour, &format!("calm {sent}"))
                .await
                .expect("the neighbour is served during the flood");
            sent += 1;
            if flooding.load(Ordering::Relaxed) {
                during_the_flood += 1;
            }
            // A calm visitor stays within its own limit (30 a minute, in a burst of 30) however
            // long the flood lasts on a slow machine: 400 ms apart, then 2.5 s.
            let pause = if sent < 20 { 400 } else { 2_500 };
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        (sent, during_the_flood)
    };
    let flood = async {
        let outcome = flood.await;
        flooding.store(false, Ordering::Relaxed);
        outcome
    };
    let (outcome, (sent, during_the_flood)) = tokio::join!(flood, calm);
    assert!(
        during_the_flood > 0,
        "none of the neighbour's {sent} sends was answered before the flood ended"
    );
    outcome
}

/// One visitor flooding messages is stopped with 429 and `Retry-After`, and what was refused
/// is not stored; another visitor keeps chatting meanwhile.
async fn a_message_flood_hits_its_limit(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let (mut flooder, session) = start_chat(&server, "Flood", "first").await;
    let (mut neighbour, _) = start_chat(&server, "Calm", "hello").await;
    let (accepted, refused) = while_a_neighbour_chats(&mut neighbour, async {
        let mut accepted = 1; // the first message
        for n in 0..60 {
            match send_visitor(&mut flooder, &format!("spam {n}")).await {
                Ok(_) => accepted += 1,
                Err(error) => return (accepted, Some(error)),
            }
        }
        (accepted, None)
    })
    .await;
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
    // The neighbour's conversation is one of the address's twenty.
    let (mut neighbour, _) = start_chat(&server, "Calm", "hello").await;
    let mut started = 1;
    let refusal = while_a_neighbour_chats(&mut neighbour, async {
        loop {
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
        }
    })
    .await;
    assert!(
        matches!(refusal, AppError::RateLimited { .. }),
        "{refusal:?}"
    );
    assert_eq!(started, 20);

    // Sockets: an agent's tabs from one address, up to the limit; the next is refused.
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut open, over) = while_a_neighbour_chats(&mut neighbour, async {
        let mut open = Vec::new();
        // The neighbour's own socket is not open: the address's fifty are all the agent's.
        for _ in 0..50 {
            open.push(agent.socket().await);
        }
        (open, agent.try_socket(None).await)
    })
    .await;
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
    let (mut visitor, _) = start_chat(&server, "Calm", "hello").await;
    let mut last = (0, None, None);
    // Different accounts from one address: the address's count locks too, while a visitor
    // from the same address keeps chatting.
    while_a_neighbour_chats(&mut visitor, async {
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
    })
    .await;
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

on_both_stores!(
    a_message_flood_hits_its_limit,
    conversation_and_socket_floods_hit_their_limits,
    behind_a_trusted_proxy_limits_count_each_client,
    sign_in_brute_force_is_locked_out,
);
