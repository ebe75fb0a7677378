//! IDOR: knowing a conversation's id opens nothing. Two visitors (on two inboxes) and an agent
//! who works only one inbox try every server function and socket frame that names a
//! conversation against the other's, on a real server process; each is refused, and the
//! conversation is left as it was.
use crate::common::*;
use crate::inbox_access::{shop_inbox, start_in};
use switchboard::error::AppError;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::Message;

async fn ids_alone_open_no_conversation(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let shop = shop_inbox(&mut admin).await;
    // Ben works the default inbox only.
    let (mut ben, _) =
        invite_and_join(&server, &mut admin, "ben@example.com", "Ben", "agent").await;
    let (_alice, at_shop) = start_in(&server, &shop.id, "https://shop.example", "Alice").await;
    let target = at_shop.unwrap().conversation.id;
    let (mut mallory, _) = start_in(&server, "default", "", "Mallory").await;

    // A visitor, over the socket: follow, type into, or acknowledge someone else's chat.
    let mut socket = mallory.socket().await;
    for frame in [
        subscribe(&target, Some(0)),
        ClientFrame::Typing {
            conversation_id: target.clone(),
        },
        ClientFrame::Receipt {
            conversation_id: target.clone(),
            delivered_seq: i64::MAX,
            read_seq: i64::MAX,
        },
    ] {
        socket.send(&frame).await;
        let code = socket
            .expect(|f| match f {
                ServerFrame::Error { code, .. } => Some(code),
                ServerFrame::Replay { .. } => {
                    panic!("another visitor's conversation was sent")
                }
                _ => None,
            })
            .await;
        assert_eq!(code, "not_found", "{frame:?}");
    }
    // A visitor's server functions, with the other conversation's id where a token goes.
    let as_token = [("visitor", target.as_str())];
    let session: Option<switchboard::widget::WidgetSession> =
        mallory.call("visitor_session", &as_token).await.unwrap();
    assert!(session.is_none(), "an id is not a token");
    let id = client_id();
    let sent = mallory
        .call::<Message>(
            "send_visitor_message",
            &[("body", "hijack"), ("client_id", &id), as_token[0]],
        )
        .await;
    assert_eq!(sent, Err(AppError::ConversationNotFound));
    let older = mallory
        .call::<Vec<Message>>(
            "older_visitor_messages",
            &[("before_seq", "100"), as_token[0]],
        )
        .await;
    assert_eq!(older, Err(AppError::ConversationNotFound));
    for (endpoint, args) in [
        ("leave_email", vec![("email", "m@evil.example")]),
        (
            "visitor_page",
            vec![("url", "https://evil.example/"), ("title", "x")],
        ),
        (
            "visitor_context",
            vec![("name", "x"), ("email", ""), ("context", "[]")],
        ),
    ] {
        let mut args = args;
        args.push(as_token[0]);
        let refused = mallory
            .call::<switchboard::model::Conversation>(endpoint, &args)
            .await;
        assert_eq!(refused, Err(AppError::ConversationNotFound), "{endpoint}");
    }

    // An agent of another inbox: every server function that names a conversation.
    let agent_calls: [(&str, Vec<(&str, &str)>); 6] = [
        ("open_conversation", vec![("id", &target)]),
        ("earlier_conversations", vec![("conversation_id", &target)]),
        (
            "older_messages",
            vec![("conversation_id", &target), ("before_seq", "100")],
        ),
        (
            "send_agent_message",
            vec![
                ("conversation_id", &target),
                ("body", "not yours"),
                ("client_id", &id),
            ],
        ),
        (
            "set_status",
            vec![("conversation_id", &target), ("status", "resolved")],
        ),
        (
            "assign_conversation",
            vec![("conversation_id", &target), ("assignee", "")],
        ),
    ];
    for (endpoint, args) in agent_calls {
        let refused = ben.call::<serde_json::Value>(endpoint, &args).await;
        assert!(
            matches!(
                refused,
                Err(AppError::ConversationNotFound | AppError::Forbidden(_))
            ),
            "{endpoint}: {refused:?}"
        );
    }
    let mut ben_socket = ben.socket().await;
    ben_socket.send(&subscribe(&target, Some(0))).await;
    let code = ben_socket
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            ServerFrame::Replay { .. } => {
                panic!("another inbox's conversation was sent")
            }
            _ => None,
        })
        .await;
    assert_eq!(code, "not_found");

    // The conversation is as it was: its one message, still waiting, unassigned.
    let history = store_history(&admin, &target).await;
    assert_eq!(history.len(), 1, "{history:?}");
    let detail: serde_json::Value = admin
        .call("open_conversation", &[("id", &target)])
        .await
        .unwrap();
    assert_eq!(detail["conversation"]["status"], "waiting", "{detail}");
    assert!(detail["conversation"]["assignee_id"].is_null(), "{detail}");
}

on_both_stores!(ids_alone_open_no_conversation);
