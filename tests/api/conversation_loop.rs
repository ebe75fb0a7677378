//! The core loop against a real server process, real sockets, and each store: a temporary
//! SQLite file and a fresh database on the local PostgreSQL.
use crate::common::{
    client_id, send_agent, send_visitor, start_chat, subscribe, Backend, Db, SendBinary, Server,
};
use switchboard::error::AppError;
use switchboard::inbox::ConversationDetail;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::{Conversation, InboxItem, Message, SenderKind, Status};
use switchboard::widget::WidgetSession;
use tokio_tungstenite::tungstenite::Message as WsMessage;

async fn new_conversation_and_visitor_messages_reach_the_agent_live(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    agent_socket.send(&ClientFrame::WatchInbox).await;
    // A round trip proves the watch is registered before the visitor writes.
    agent_socket.send(&ClientFrame::Ping).await;
    agent_socket
        .expect(|f| matches!(f, ServerFrame::Pong).then_some(()))
        .await;

    let (mut visitor, session) = start_chat(&server, "Maya", "Hi, my order is late").await;
    assert_eq!(session.conversation.status, Status::Waiting);
    assert_eq!(session.messages.len(), 1);
    assert_eq!(session.messages[0].seq, 1);

    // The inbox learns about the conversation without anyone asking.
    let listed = agent_socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation } if conversation.last_seq == 1 => {
                Some(conversation)
            }
            _ => None,
        })
        .await;
    assert_eq!(listed.id, session.conversation.id);
    assert_eq!(listed.visitor_name, "Maya");
    assert_eq!(listed.last_preview, "Hi, my order is late");

    agent_socket.send(&subscribe(&listed.id, Some(0))).await;
    let replay = agent_socket
        .expect(|f| match f {
            ServerFrame::Replay { messages, .. } => Some(messages),
            _ => None,
        })
        .await;
    assert_eq!(
        replay.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["Hi, my order is late"]
    );

    let sent = send_visitor(&mut visitor, "Order #1042").await.unwrap();
    assert_eq!(sent.seq, 2);
    let live = agent_socket
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(
        (live.seq, live.body.as_str(), live.sender),
        (2, "Order #1042", SenderKind::Visitor)
    );

    let list: Vec<InboxItem> = agent
        .call("list_conversations", &[("filter", "open")])
        .await
        .unwrap();
    assert_eq!(list[0].conversation.id, listed.id);
    assert_eq!(list[0].conversation.last_preview, "Order #1042");
    assert_eq!(list[0].unread, 2, "the agent has not read either message");
    server.stop().await;
}

async fn agent_reply_assigns_and_reaches_the_visitor_with_status_notices(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut agent = server.client();
    let me = agent.sign_in().await;
    let (mut visitor, session) = start_chat(&server, "", "Hello?").await;
    let id = session.conversation.id.clone();
    assert!(session.conversation.visitor_name.starts_with("Visitor "));

    let mut visitor_socket = visitor.socket().await;
    visitor_socket.send(&subscribe(&id, Some(1))).await;
    let state = visitor_socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation } => Some(conversation),
            _ => None,
        })
        .await;
    assert_eq!(state.status, Status::Waiting);

    let reply = send_agent(&mut agent, &id, "Hi! How can I help?")
        .await
        .unwrap();
    assert_eq!(reply.seq, 3, "the join notice takes seq 2");

    let joined = visitor_socket
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(joined.sender, SenderKind::System);
    assert_eq!(joined.status_change, Some(Status::Active));
    assert_eq!(joined.body, format!("{} joined the chat", me.name));
    let answer = visitor_socket
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(
        (answer.seq, answer.body.as_str()),
        (3, "Hi! How can I help?")
    );
    let now = visitor_socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation } => Some(conversation),
            _ => None,
        })
        .await;
    assert_eq!(now.status, Status::Active);
    assert_eq!(now.assignee_name.as_deref(), Some(me.name.as_str()));

    // Resolve: a notice both sides see; then the visitor's next message reopens it.
    let resolved: Conversation = agent
        .call(
            "set_status",
            &[("conversation_id", &id), ("status", "resolved")],
        )
        .await
        .unwrap();
    assert_eq!(resolved.status, Status::Resolved);
    let notice = visitor_socket
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(notice.status_change, Some(Status::Resolved));
    assert_eq!(notice.body, format!("Conversation resolved by {}", me.name));

    let again = send_visitor(&mut visitor, "One more thing").await.unwrap();
    assert_eq!(again.seq, 6);
    let reopened = visitor_socket
        .expect(|f| match f {
            ServerFrame::Message { message } if message.sender == SenderKind::System => {
                Some(message)
            }
            _ => None,
        })
        .await;
    assert_eq!(
        (reopened.seq, reopened.status_change),
        (5, Some(Status::Waiting))
    );

    let detail: ConversationDetail = agent
        .call("open_conversation", &[("id", &id)])
        .await
        .unwrap();
    assert_eq!(detail.conversation.status, Status::Waiting);
    let seqs: Vec<i64> = detail.messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
    let waiting: Vec<InboxItem> = agent
        .call("list_conversations", &[("filter", "waiting")])
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    let resolved_list: Vec<InboxItem> = agent
        .call("list_conversations", &[("filter", "resolved")])
        .await
        .unwrap();
    assert!(resolved_list.is_empty());
    server.stop().await;
}

async fn history_survives_a_server_restart_and_resumes_by_sequence(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let (mut visitor, session) = start_chat(&server, "Lee", "first").await;
    for body in ["second", "third", "fourth"] {
        send_visitor(&mut visitor, body).await.unwrap();
    }
    server.stop().await;

    let server = Server::process(&db).await;
    visitor.base = server.base.clone();
    let restored: Option<WidgetSession> = visitor.call("visitor_session", &[]).await.unwrap();
    let restored = restored.expect("the cookie still finds the conversation");
    assert_eq!(restored.conversation.id, session.conversation.id);
    let bodies: Vec<&str> = restored.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["first", "second", "third", "fourth"]);

    // A tab that had seen seq 2 gets exactly 3 and 4 back.
    let mut socket = visitor.socket().await;
    socket
        .send(&subscribe(&session.conversation.id, Some(2)))
        .await;
    let (messages, reset) = socket
        .expect(|f| match f {
            ServerFrame::Replay {
                messages, reset, ..
            } => Some((messages, reset)),
            _ => None,
        })
        .await;
    assert!(!reset);
    assert_eq!(messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4]);

    // Older pages load by sequence.
    let older: Vec<Message> = visitor
        .call("older_visitor_messages", &[("before_seq", "3")])
        .await
        .unwrap();
    assert_eq!(older.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2]);
    server.stop().await;
}

async fn bad_input_gets_typed_errors_and_changes_nothing(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (mut visitor, session) = start_chat(&server, "Kim", "hello").await;
    let id = session.conversation.id.clone();

    assert_eq!(
        send_visitor(&mut visitor, "   \n ").await,
        Err(AppError::EmptyMessage)
    );
    assert_eq!(
        send_visitor(&mut visitor, &"x".repeat(4001)).await,
        Err(AppError::MessageTooLong {
            max: 4000,
            got: 4001
        })
    );
    let bad_id: Result<Message, AppError> = visitor
        .call(
            "send_visitor_message",
            &[("body", "hi"), ("client_id", "not-a-uuid")],
        )
        .await;
    assert!(matches!(bad_id, Err(AppError::Invalid(_))));

    // A stranger without the visitor's cookie reaches nothing.
    let mut stranger = server.client();
    assert_eq!(
        send_visitor(&mut stranger, "hi").await,
        Err(AppError::ConversationNotFound)
    );
    let none: Option<WidgetSession> = stranger.call("visitor_session", &[]).await.unwrap();
    assert!(none.is_none());

    // Agent calls need a session; a wrong password is refused.
    assert_eq!(
        send_agent(&mut stranger, &id, "hi").await,
        Err(AppError::SignInRequired)
    );
    let listed: Result<Vec<InboxItem>, AppError> = stranger
        .call("list_conversations", &[("filter", "all")])
        .await;
    assert_eq!(listed, Err(AppError::SignInRequired));
    let wrong: Result<switchboard::model::Agent, AppError> = stranger
        .call(
            "sign_in",
            &[("email", crate::common::ADMIN_EMAIL), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong, Err(AppError::WrongCredentials));
    let mut agent = server.client();
    agent.sign_in().await;
    assert_eq!(
        send_agent(&mut agent, "00000000-0000-4000-8000-000000000000", "hi").await,
        Err(AppError::ConversationNotFound)
    );
    let waiting: Result<Conversation, AppError> = agent
        .call(
            "set_status",
            &[("conversation_id", &id), ("status", "waiting")],
        )
        .await;
    assert!(matches!(waiting, Err(AppError::Invalid(_))));

    // Sockets: no identity, foreign origin, someone else's conversation, malformed frames.
    assert!(
        stranger.try_socket(None).await.is_err(),
        "anonymous sockets are refused"
    );
    assert!(
        agent
            .try_socket(Some("https://evil.example"))
            .await
            .is_err(),
        "foreign origins are refused"
    );
    let (other_visitor, other) = start_chat(&server, "Other", "mine").await;
    let mut socket = visitor.socket().await;
    socket.send(&subscribe(&other.conversation.id, None)).await;
    let code = socket
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "not_found");
    socket.send_text("{not json").await;
    let code = socket
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "bad_frame");
    socket.send(&ClientFrame::Ping).await;
    assert_eq!(
        socket.next_frame().await,
        ServerFrame::Pong,
        "the socket still works after a bad frame"
    );
    socket.ws.send_binary_frame().await;
    match socket.next_raw().await {
        Some(WsMessage::Close(Some(frame))) => assert_eq!(u16::from(frame.code), 1003),
        other => panic!("expected a close frame, got {other:?}"),
    }
    drop(other_visitor);

    // Nothing that was refused was stored.
    let detail: ConversationDetail = agent
        .call("open_conversation", &[("id", &id)])
        .await
        .unwrap();
    assert_eq!(
        detail
            .messages
            .iter()
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>(),
        ["hello"]
    );
    assert_eq!(detail.conversation.status, Status::Waiting);
    server.stop().await;
}

async fn a_retried_send_is_stored_once(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (mut visitor, _session) = start_chat(&server, "Sam", "hello").await;
    let id = client_id();
    let first: Message = visitor
        .call(
            "send_visitor_message",
            &[("body", "once"), ("client_id", &id)],
        )
        .await
        .unwrap();
    let again: Message = visitor
        .call(
            "send_visitor_message",
            &[("body", "once"), ("client_id", &id)],
        )
        .await
        .unwrap();
    assert_eq!(first, again);
    let session: Option<WidgetSession> = visitor.call("visitor_session", &[]).await.unwrap();
    assert_eq!(session.unwrap().messages.len(), 2);
    server.stop().await;
}

async fn health_and_metrics_answer(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("switchboard_sockets_open 0"), "{metrics}");
    // A foreign origin cannot call server functions.
    let refused = reqwest::Client::new()
        .post(format!("{}/api/visitor_session", server.base))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    // After one message, the latency histograms have buckets (Prometheus text format).
    start_chat(&server, "Mia", "one message").await;
    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        "switchboard_send_to_commit_seconds_bucket{le=",
        "switchboard_http_request_duration_seconds_bucket{",
        "switchboard_messages_stored_total 1",
    ] {
        assert!(metrics.contains(series), "{series} missing in:\n{metrics}");
    }
    assert!(
        metrics.contains("route=\"/api/start_conversation\""),
        "{metrics}"
    );
    server.stop().await;
}

async fn typing_reaches_the_other_side_and_is_never_stored(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (visitor, session) = start_chat(&server, "Tia", "hello").await;
    let id = session.conversation.id.clone();
    let mut agent = server.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    agent_socket.send(&subscribe(&id, Some(1))).await;
    agent_socket.send(&ClientFrame::Ping).await;
    agent_socket
        .expect(|f| matches!(f, ServerFrame::Pong).then_some(()))
        .await;
    let mut visitor_socket = visitor.socket().await;
    visitor_socket.send(&subscribe(&id, Some(1))).await;

    visitor_socket
        .send(&ClientFrame::Typing {
            conversation_id: id.clone(),
        })
        .await;
    let (sender, name) = agent_socket
        .expect(|f| match f {
            ServerFrame::Typing { sender, name, .. } => Some((sender, name)),
            _ => None,
        })
        .await;
    assert_eq!((sender, name.as_str()), (SenderKind::Visitor, "Tia"));

    // Someone else's conversation: refused.
    let (_, other) = start_chat(&server, "Other", "x").await;
    visitor_socket
        .send(&ClientFrame::Typing {
            conversation_id: other.conversation.id,
        })
        .await;
    let code = visitor_socket
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "not_found");

    let detail: ConversationDetail = agent
        .call("open_conversation", &[("id", &id)])
        .await
        .unwrap();
    assert_eq!(
        detail.messages.len(),
        1,
        "typing is not an event of the conversation"
    );
    server.stop().await;
}

async fn visitors_see_which_agents_are_online(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (visitor, _) = start_chat(&server, "Uma", "hello").await;
    let mut visitor_socket = visitor.socket().await;
    assert!(
        visitor_socket.next_presence().await.is_empty(),
        "nobody is online yet"
    );

    let mut agent = server.client();
    let me = agent.sign_in().await;
    let agent_socket = agent.socket().await;
    assert_eq!(
        visitor_socket.next_presence().await,
        std::slice::from_ref(&me.name)
    );
    let online: Vec<String> = server.client().call("agents_online", &[]).await.unwrap();
    assert_eq!(online, std::slice::from_ref(&me.name));

    // A second tab of the same agent changes nothing; closing the last one does.
    let second_tab = agent.socket().await;
    drop(agent_socket);
    drop(second_tab);
    assert!(
        visitor_socket.next_presence().await.is_empty(),
        "the agent went away"
    );
    server.stop().await;
}

async fn live_topics_are_forgotten_when_their_followers_leave(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let (visitor, session) = start_chat(&server, "Ivy", "hello").await;
    let mut socket = visitor.socket().await;
    socket
        .send(&subscribe(&session.conversation.id, Some(1)))
        .await;
    socket.send(&ClientFrame::Ping).await;
    socket
        .expect(|f| matches!(f, ServerFrame::Pong).then_some(()))
        .await;
    assert_eq!(
        crate::common::metric(&server.base, "switchboard_hub_topics").await,
        2.0,
        "conversation and presence"
    );

    // The conversation goes quiet and its visitor leaves: nothing of it stays in memory.
    drop(socket);
    let mut topics = f64::NAN;
    for _ in 0..50 {
        topics = crate::common::metric(&server.base, "switchboard_hub_topics").await;
        if topics == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(topics, 0.0);
    server.stop().await;
}

on_both_stores!(
    live_topics_are_forgotten_when_their_followers_leave,
    visitors_see_which_agents_are_online,
    typing_reaches_the_other_side_and_is_never_stored,
    new_conversation_and_visitor_messages_reach_the_agent_live,
    agent_reply_assigns_and_reaches_the_visitor_with_status_notices,
    history_survives_a_server_restart_and_resumes_by_sequence,
    bad_input_gets_typed_errors_and_changes_nothing,
    a_retried_send_is_stored_once,
    health_and_metrics_answer,
);
