//! A visitor's message over the socket (`send`, the fast path beside the server function):
//! the same rules as `send_visitor_message`: stored once per client id from either path,
//! typed errors, only into the visitor's own conversation, never from an agent's socket.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::{Message, MAX_MESSAGE_CHARS};

fn send(client_id: &str, body: &str) -> ClientFrame {
    ClientFrame::Send {
        client_id: client_id.to_string(),
        body: body.to_string(),
    }
}

/// The answer to a `send`: the stored message, or the typed error.
async fn answer(socket: &mut Socket, id: &str) -> Result<Message, AppError> {
    socket
        .expect(|frame| match frame {
            ServerFrame::Sent { client_id, message } if client_id == id => Some(Ok(message)),
            ServerFrame::SendFailed { client_id, error } if client_id == id => Some(Err(error)),
            _ => None,
        })
        .await
}

async fn a_visitor_sends_over_the_socket_once_per_client_id(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (mut visitor, session) = start_chat(&server, "Ada", "hi").await;
    let conversation = session.conversation.id.clone();
    let mut agent = server.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    follow(&mut agent_socket, &conversation).await;
    let mut visitor_socket = visitor.socket().await;

    // Sent, stored, delivered live to the agent.
    let id = client_id();
    visitor_socket.send(&send(&id, "over the socket")).await;
    let stored = answer(&mut visitor_socket, &id).await.expect("stored");
    assert_eq!(stored.body, "over the socket");
    assert_eq!(stored.conversation_id, conversation);
    let live = agent_socket.expect(frame_message).await;
    assert_eq!(live, stored);

    // The same id again, over the socket or through the server function: the same message.
    visitor_socket.send(&send(&id, "over the socket")).await;
    assert_eq!(answer(&mut visitor_socket, &id).await.unwrap(), stored);
    let through_http = send_visitor_with_id(&mut visitor, "over the socket", &id).await;
    assert_eq!(through_http.unwrap(), stored);
    let history = store_history(&agent, &conversation).await;
    assert_eq!(history.iter().filter(|m| m.client_id == id).count(), 1);

    // A new name (identify) is the name the next message carries.
    let _: serde_json::Value = visitor
        .call(
            "visitor_context",
            &[("name", "Ada Lovelace"), ("email", ""), ("context", "[]")],
        )
        .await
        .unwrap();
    let renamed = client_id();
    visitor_socket.send(&send(&renamed, "renamed")).await;
    let message = answer(&mut visitor_socket, &renamed).await.unwrap();
    assert_eq!(message.sender_name, "Ada Lovelace");
}

async fn bad_sends_over_the_socket_get_typed_errors_and_store_nothing(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (visitor, session) = start_chat(&server, "Bo", "hi").await;
    let mut socket = visitor.socket().await;
    let empty = client_id();
    socket.send(&send(&empty, "   ")).await;
    assert_eq!(
        answer(&mut socket, &empty).await,
        Err(AppError::EmptyMessage)
    );
    let long = client_id();
    socket
        .send(&send(&long, &"x".repeat(MAX_MESSAGE_CHARS + 1)))
        .await;
    assert!(matches!(
        answer(&mut socket, &long).await,
        Err(AppError::MessageTooLong { .. })
    ));
    socket.send(&send("not-a-uuid", "hello")).await;
    assert!(matches!(
        answer(&mut socket, "not-a-uuid").await,
        Err(AppError::Invalid(_))
    ));

    // Agents post with the reply form (the server function), never as a visitor.
    let mut agent = server.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    let from_agent = client_id();
    agent_socket.send(&send(&from_agent, "pretending")).await;
    assert!(matches!(
        answer(&mut agent_socket, &from_agent).await,
        Err(AppError::Forbidden(_))
    ));

    let history = store_history(&agent, &session.conversation.id).await;
    assert_eq!(
        history.len(),
        1,
        "only the first message is stored: {history:?}"
    );
}

on_both_stores!(
    a_visitor_sends_over_the_socket_once_per_client_id,
    bad_sends_over_the_socket_get_typed_errors_and_store_nothing,
);
