//! Internal notes: agents see them live and in every read; the visitor never does, not live,
//! not in a replay, not in the widget's history, not in the conversation's preview.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::live::ServerFrame;
use switchboard::model::{Message, SenderKind, Status};
use tokio_tungstenite::tungstenite::Message as WsMessage;

const SECRET: &str = "Internal: this customer is on the legacy plan, refund allowed";

async fn add_note(
    agent: &mut Client,
    conversation: &str,
    body: &str,
    id: &str,
) -> Result<Message, AppError> {
    agent
        .call(
            "add_note",
            &[
                ("conversation_id", conversation),
                ("body", body),
                ("client_id", id),
            ],
        )
        .await
}

/// Every text frame up to (and including) the first that contains `until`.
async fn frames_until(socket: &mut Socket, until: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match socket.next_raw().await {
            Some(WsMessage::Text(text)) => {
                let text = text.to_string();
                let done = text.contains(until);
                seen.push(text);
                if done {
                    return seen;
                }
            }
            Some(_) => continue,
            None => panic!("socket ended before {until:?}; saw {seen:?}"),
        }
    }
}

async fn notes_never_reach_the_visitor(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (mut visitor, session) = start_chat(&server, "Nora", "Can I get a refund?").await;
    let id = session.conversation.id.clone();
    let mut visitor_socket = visitor.socket().await;
    follow(&mut visitor_socket, &id).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    follow(&mut agent_socket, &id).await;

    // The note: stored once per client id, live to agents.
    let note_id = client_id();
    let note = add_note(&mut agent, &id, SECRET, &note_id)
        .await
        .expect("agents add notes");
    assert_eq!(note.sender, SenderKind::Note);
    let again = add_note(&mut agent, &id, SECRET, &note_id).await.unwrap();
    assert_eq!(again.seq, note.seq, "a retried note is stored once");
    let live = agent_socket
        .expect(|frame| frame_message(frame).filter(|m| m.seq == note.seq))
        .await;
    assert_eq!(live.body, SECRET);

    // A note changes neither status nor assignee, nor the preview.
    let conversation = agent_socket
        .expect(|frame| match frame {
            ServerFrame::Conversation { conversation } => Some(conversation),
            _ => None,
        })
        .await;
    assert_eq!(conversation.status, Status::Waiting);
    assert_eq!(conversation.assignee_id, None);
    assert_ne!(
        conversation.last_preview,
        switchboard::model::preview(SECRET)
    );

    // Then a reply: the visitor's socket carries the reply and nothing of the note.
    let reply = send_agent(&mut agent, &id, "Yes, I can help with that.")
        .await
        .unwrap();
    // After the note: the "joined" notice, then the reply.
    assert_eq!(reply.seq, note.seq + 2);
    let frames = frames_until(&mut visitor_socket, "I can help").await;
    assert!(
        frames
            .iter()
            .all(|f| !f.contains("legacy plan") && !f.contains("\"note\"")),
        "no frame to the visitor mentions the note: {frames:?}"
    );

    // Replays from the store, the widget's history and older pages leave it out.
    visitor_socket.send(&subscribe(&id, Some(0))).await;
    let replay = visitor_socket
        .expect(|frame| match frame {
            ServerFrame::Replay { messages, .. } => Some(messages),
            _ => None,
        })
        .await;
    assert!(replay.iter().any(|m| m.seq == reply.seq));
    assert!(replay.iter().all(|m| m.sender != SenderKind::Note));
    let history: Option<switchboard::widget::WidgetSession> =
        visitor.call("visitor_session", &[]).await.unwrap();
    let history = history.expect("the visitor's session");
    assert!(history.messages.iter().all(|m| m.body != SECRET));
    assert!(history.messages.iter().any(|m| m.seq == reply.seq));
    let older: Vec<Message> = visitor
        .call("older_visitor_messages", &[("before_seq", "1000")])
        .await
        .unwrap();
    assert!(older.iter().all(|m| m.sender != SenderKind::Note));

    // Agents read it everywhere.
    let stored = store_history(&agent, &id).await;
    assert_eq!(
        stored
            .iter()
            .filter(|m| m.sender == SenderKind::Note)
            .count(),
        1
    );

    // A visitor cannot write one, even into their own conversation.
    let refused = add_note(&mut visitor, &id, "sneaky", &client_id()).await;
    assert_eq!(refused, Err(AppError::SignInRequired));
    let refused = add_note(&mut agent, &id, "   ", &client_id()).await;
    assert_eq!(refused, Err(AppError::EmptyMessage));
}

/// A visitor reconnecting after a note resumes cleanly: the note's number is skipped, later
/// messages arrive, and the visitor's cursor never points at a note it cannot read.
async fn a_visitor_resumes_past_notes(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (visitor, session) = start_chat(&server, "Omar", "hello").await;
    let id = session.conversation.id.clone();
    let mut agent = server.client();
    agent.sign_in().await;
    let first = send_agent(&mut agent, &id, "Hi Omar").await.unwrap();
    add_note(&mut agent, &id, SECRET, &client_id())
        .await
        .unwrap();
    add_note(&mut agent, &id, "second note", &client_id())
        .await
        .unwrap();
    let last = send_agent(&mut agent, &id, "Anything else?").await.unwrap();
    assert_eq!(last.seq, first.seq + 3);
    let mut socket = visitor.socket().await;
    socket.send(&subscribe(&id, Some(first.seq))).await;
    let replay = socket
        .expect(|frame| match frame {
            ServerFrame::Replay { messages, .. } => Some(messages),
            _ => None,
        })
        .await;
    let seqs: Vec<i64> = replay.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        vec![last.seq],
        "only what the visitor may read, after the cursor"
    );
    // Live after the notes: the next reply arrives on its own, no resync.
    add_note(&mut agent, &id, "third note", &client_id())
        .await
        .unwrap();
    let next = send_agent(&mut agent, &id, "Bye!").await.unwrap();
    let got = socket
        .expect(|frame| match frame {
            ServerFrame::Message { message } => Some(message),
            ServerFrame::Replay { messages, .. } => messages.into_iter().last(),
            _ => None,
        })
        .await;
    assert_eq!(got.seq, next.seq);
    assert_eq!(got.sender, SenderKind::Agent);
}

/// `@name` in a note alerts that teammate's sockets, only if they may read the conversation,
/// and never the author or the visitor.
async fn mentions_alert_teammates_who_may_read(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let (bo, bo_agent) =
        invite_and_join(&server, &mut admin, "bo@example.com", "Bo Chen", "agent").await;
    let (cy, cy_agent) =
        invite_and_join(&server, &mut admin, "cy@example.com", "Cy Diaz", "agent").await;
    let shop = crate::inbox_access::shop_inbox(&mut admin).await;
    for (inbox, members) in [
        ("default", vec![bo_agent.id.clone()]),
        (shop.id.as_str(), vec![cy_agent.id.clone()]),
    ] {
        admin
            .call_json::<serde_json::Value>(
                "save_inbox_members",
                serde_json::json!({ "id": inbox, "members": members }),
            )
            .await
            .unwrap();
    }
    let mut bo_socket = bo.socket().await;
    let mut cy_socket = cy.socket().await;
    let (visitor, session) = start_chat(&server, "Vera", "help").await;
    let mut visitor_socket = visitor.socket().await;
    follow(&mut visitor_socket, &session.conversation.id).await;
    let id = session.conversation.id.clone();

    // Cy does not work the default inbox: named, but told nothing.
    add_note(
        &mut admin,
        &id,
        "@bo can you take this? @cy FYI",
        &client_id(),
    )
    .await
    .unwrap();
    let (conversation, by, body) = bo_socket
        .expect(|frame| match frame {
            ServerFrame::Mentioned {
                conversation_id,
                by,
                body,
            } => Some((conversation_id, by, body)),
            _ => None,
        })
        .await;
    assert_eq!((conversation.as_str(), by.as_str()), (id.as_str(), "Ana"));
    assert!(body.contains("can you take this"));

    // A conversation Cy works: now the mention reaches Cy, and it is the first Cy hears.
    let (_, at_shop) =
        crate::inbox_access::start_in(&server, &shop.id, "https://shop.example", "Sam").await;
    let at_shop = at_shop.unwrap().conversation.id;
    add_note(
        &mut admin,
        &at_shop,
        "@Cy Diaz this one is yours",
        &client_id(),
    )
    .await
    .unwrap();
    let first = cy_socket
        .expect(|frame| match frame {
            ServerFrame::Mentioned {
                conversation_id, ..
            } => Some(conversation_id),
            _ => None,
        })
        .await;
    assert_eq!(
        first, at_shop,
        "the note Cy may not read was never announced to Cy"
    );

    // The visitor heard nothing of it: the next thing on their socket is the reply.
    send_agent(&mut admin, &id, "Bo will help you.")
        .await
        .unwrap();
    let frames = frames_until(&mut visitor_socket, "Bo will help you").await;
    assert!(
        frames
            .iter()
            .all(|f| !f.contains("mentioned") && !f.contains("take this")),
        "{frames:?}"
    );
}

on_both_stores!(
    notes_never_reach_the_visitor,
    a_visitor_resumes_past_notes,
    mentions_alert_teammates_who_may_read
);
