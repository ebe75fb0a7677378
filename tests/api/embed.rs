//! The widget embedded on another site: where browsers send no cookie of ours, the visitor's
//! token travels explicitly, in every server function and in the socket's subprotocols; the
//! page the visitor is on reaches the agent as they navigate.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::inbox::ConversationDetail;
use switchboard::live::ServerFrame;
use switchboard::model::{Conversation, Message, SenderKind};
use switchboard::widget::WidgetSession;

on_both_stores!(
    a_visitor_without_cookies_is_known_by_the_token_it_keeps,
    the_agent_sees_the_page_the_visitor_is_on,
);

async fn a_visitor_without_cookies_is_known_by_the_token_it_keeps(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (_first_tab, started) = start_chat(&server, "Nora", "Hello from a shop page").await;
    let token = started
        .visitor_token
        .clone()
        .expect("the start answer carries the token");
    let id = started.conversation.id.clone();
    // Only the answer that started the conversation carries it.
    let mut framed = server.client();
    let again: Option<WidgetSession> = framed
        .call("visitor_session", &[("visitor", token.as_str())])
        .await
        .unwrap();
    let again = again.expect("the token finds the conversation");
    assert_eq!(again.conversation.id, id);
    assert_eq!(again.visitor_token, None);
    // A fresh browser with no cookie: nothing, unless it names the token.
    let nothing: Option<WidgetSession> =
        server.client().call("visitor_session", &[]).await.unwrap();
    assert!(nothing.is_none());
    for forged in [
        "not-a-token",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "<script>",
    ] {
        let none: Option<WidgetSession> = server
            .client()
            .call("visitor_session", &[("visitor", forged)])
            .await
            .unwrap();
        assert!(none.is_none(), "{forged}");
        let refused = server
            .client()
            .call::<Message>(
                "send_visitor_message",
                &[
                    ("body", "hi"),
                    ("client_id", &client_id()),
                    ("visitor", forged),
                ],
            )
            .await;
        assert_eq!(refused, Err(AppError::ConversationNotFound), "{forged}");
    }

    // The socket names the token as a subprotocol; the server answers with its own.
    let (mut socket, chosen) = framed
        .try_socket_with_protocols(&format!("switchboard, visitor.{token}"))
        .await
        .expect("the token opens a socket");
    assert_eq!(chosen.as_deref(), Some("switchboard"));
    follow(&mut socket, &id).await;
    let sent: Message = framed
        .call(
            "send_visitor_message",
            &[
                ("body", "Still there?"),
                ("client_id", &client_id()),
                ("visitor", &token),
            ],
        )
        .await
        .unwrap();
    assert_eq!(sent.conversation_id, id);
    let mut agent = server.client();
    agent.sign_in().await;
    send_agent(&mut agent, &id, "Yes, Nora: what can I do?")
        .await
        .unwrap();
    let reply = socket
        .expect(|f| frame_message(f).filter(|m| m.sender == SenderKind::Agent))
        .await;
    assert_eq!(reply.body, "Yes, Nora: what can I do?");
    let older: Vec<Message> = framed
        .call(
            "older_visitor_messages",
            &[("before_seq", "100"), ("visitor", &token)],
        )
        .await
        .unwrap();
    assert!(older.iter().any(|m| m.body == "Still there?"));

    // A forged token opens no socket.
    let refused = server
        .client()
        .try_socket_with_protocols(
            "switchboard, visitor.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .await;
    assert!(refused.is_err(), "a forged token opens no socket");
}

async fn the_agent_sees_the_page_the_visitor_is_on(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (mut visitor, started) = start_chat(&server, "Ola", "Which size fits me?").await;
    let id = started.conversation.id.clone();
    let mut agent = server.client();
    agent.sign_in().await;
    let mut socket = agent.socket().await;
    follow(&mut socket, &id).await;

    // The visitor moves to another page; the agent's panel follows, live.
    let moved: Conversation = visitor
        .call(
            "visitor_page",
            &[
                ("url", "https://shop.example/boots/trail-runner?size=42"),
                ("title", "Trail Runner · Acme Outdoor"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        moved.visitor_page_title.as_deref(),
        Some("Trail Runner · Acme Outdoor")
    );
    let seen = socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation } => conversation
                .visitor_page_title
                .clone()
                .map(|_| conversation),
            _ => None,
        })
        .await;
    assert_eq!(
        seen.visitor_page.as_deref(),
        Some("https://shop.example/boots/trail-runner?size=42")
    );

    // Not a web address, too long, or not the visitor's own conversation: refused, unchanged.
    for (url, title) in [
        ("javascript:alert(1)", "x"),
        ("", "x"),
        (&*format!("https://shop.example/{}", "a".repeat(2000)), "x"),
        ("https://shop.example/", &*"t".repeat(301)),
    ] {
        let refused = visitor
            .call::<Conversation>("visitor_page", &[("url", url), ("title", title)])
            .await;
        assert!(
            matches!(refused, Err(AppError::Invalid(_))),
            "{url:.40}: {refused:?}"
        );
    }
    let stranger = server
        .client()
        .call::<Conversation>(
            "visitor_page",
            &[("url", "https://evil.example/"), ("title", "x")],
        )
        .await;
    assert_eq!(stranger, Err(AppError::ConversationNotFound));
    let detail: ConversationDetail = agent
        .call("open_conversation", &[("id", &id)])
        .await
        .unwrap();
    assert_eq!(
        detail.conversation.visitor_page.as_deref(),
        Some("https://shop.example/boots/trail-runner?size=42")
    );
    assert_eq!(
        detail.conversation.visitor_page_title.as_deref(),
        Some("Trail Runner · Acme Outdoor")
    );

    // What the site's code says about its visitor reaches the agent, checked first.
    let told: Conversation = visitor
        .call(
            "visitor_context",
            &[
                ("name", "Ola Nordmann"),
                ("email", "ola@example.com"),
                ("context", r#"[["plan","pro"],["order","A-1042"]]"#),
            ],
        )
        .await
        .unwrap();
    assert_eq!(told.visitor_name, "Ola Nordmann");
    assert_eq!(told.visitor_email.as_deref(), Some("ola@example.com"));
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        told.visitor_context,
        pairs(&[("plan", "pro"), ("order", "A-1042")])
    );
    let too_many = serde_json::to_string(
        &(0..21)
            .map(|n| (format!("k{n}"), "v".to_string()))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let long_value = serde_json::to_string(&[("note", "x".repeat(501))]).unwrap();
    for (email, context) in [
        ("", "not json"),
        ("", r#"{"plan":"pro"}"#),
        ("", r#"[["<script>","x"]]"#),
        ("", too_many.as_str()),
        ("", long_value.as_str()),
        ("not an e-mail", "[]"),
    ] {
        let refused = visitor
            .call::<Conversation>(
                "visitor_context",
                &[("name", ""), ("email", email), ("context", context)],
            )
            .await;
        assert!(
            matches!(refused, Err(AppError::Invalid(_))),
            "{context:.40}: {refused:?}"
        );
    }
    let kept: ConversationDetail = agent
        .call("open_conversation", &[("id", &id)])
        .await
        .unwrap();
    assert_eq!(kept.conversation.visitor_context, told.visitor_context);
}
