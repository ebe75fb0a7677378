//! Snooze: an agent puts an open conversation aside; it leaves the open views for the snoozed
//! one and wakes by itself, when its time comes or when its visitor writes, live to every
//! agent tab; visitors never see that it was snoozed.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::live::ServerFrame;
use switchboard::model::{Conversation, InboxItem, SNOOZED_UNTIL_REPLY};

async fn snooze(agent: &mut Client, id: &str, until: i64) -> Result<Conversation, AppError> {
    let until = until.to_string();
    agent
        .call(
            "snooze_conversation",
            &[("conversation_id", id), ("until", &until)],
        )
        .await
}

async fn listed(agent: &mut Client, filter: &str) -> Vec<String> {
    let items: Vec<InboxItem> = agent
        .call("list_conversations", &[("filter", filter)])
        .await
        .unwrap();
    items.into_iter().map(|item| item.conversation.id).collect()
}

/// Reads conversation frames until one satisfies `wanted`.
async fn until_conversation(
    socket: &mut Socket,
    wanted: impl Fn(&Conversation) -> bool,
) -> Conversation {
    socket
        .expect(|frame| match frame {
            ServerFrame::Conversation { conversation } if wanted(&conversation) => {
                Some(conversation)
            }
            _ => None,
        })
        .await
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn snoozed_until_the_visitor_writes(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut visitor, session) = start_chat(&server, "Noor", "Can you call me next week?").await;
    let id = session.conversation.id.clone();
    let mut watching = agent.socket().await;
    follow(&mut watching, &id).await;
    let mut visitor_socket = visitor.socket().await;
    follow(&mut visitor_socket, &id).await;

    let snoozed = snooze(&mut agent, &id, SNOOZED_UNTIL_REPLY).await.unwrap();
    assert_eq!(snoozed.snoozed_until, Some(SNOOZED_UNTIL_REPLY));
    until_conversation(&mut watching, |c| c.snoozed_until.is_some()).await;
    assert!(
        !listed(&mut agent, "open").await.contains(&id),
        "out of the open view"
    );
    assert!(!listed(&mut agent, "waiting").await.contains(&id));
    assert_eq!(listed(&mut agent, "snoozed").await, vec![id.clone()]);
    assert!(listed(&mut agent, "all").await.contains(&id));
    let session: Option<switchboard::widget::WidgetSession> =
        visitor.call("visitor_session", &[]).await.unwrap();
    assert_eq!(
        session.unwrap().conversation.snoozed_until,
        None,
        "the visitor is not told"
    );

    // The visitor writes: it wakes at once, live, and the visitor's frames never said.
    send_visitor(&mut visitor, "Actually, today works too")
        .await
        .unwrap();
    let woken = until_conversation(&mut watching, |c| c.snoozed_until.is_none()).await;
    assert_eq!(woken.id, id);
    assert!(listed(&mut agent, "open").await.contains(&id));
    assert!(listed(&mut agent, "snoozed").await.is_empty());
    loop {
        let frame = visitor_socket.next_frame().await;
        if let ServerFrame::Conversation { conversation } = &frame {
            assert_eq!(conversation.snoozed_until, None, "a visitor saw the snooze");
        }
        if frame_message(frame).is_some_and(|m| m.body.starts_with("Actually")) {
            break;
        }
    }
}

async fn a_snooze_wakes_by_itself_when_due(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (_visitor, session) = start_chat(&server, "Ola", "Ping me in a moment").await;
    let id = session.conversation.id.clone();
    let mut watching = agent.socket().await;
    follow(&mut watching, &id).await;
    let due = now_ms() + 1_500;
    snooze(&mut agent, &id, due).await.unwrap();
    until_conversation(&mut watching, |c| c.snoozed_until == Some(due)).await;
    // The node's waker (every 2 s) brings it back, live, with nobody touching it.
    until_conversation(&mut watching, |c| c.snoozed_until.is_none()).await;
    assert!(now_ms() >= due, "not before its time");
    assert!(listed(&mut agent, "open").await.contains(&id));
    // Unsnoozing by hand is `0`.
    snooze(&mut agent, &id, SNOOZED_UNTIL_REPLY).await.unwrap();
    let awake = snooze(&mut agent, &id, 0).await.unwrap();
    assert_eq!(awake.snoozed_until, None);
}

async fn bad_snoozes_are_refused(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut visitor, session) = start_chat(&server, "Pia", "hello").await;
    let id = session.conversation.id.clone();
    let now = now_ms();
    for until in [now - 1_000, -5, now + 400 * 24 * 3_600_000] {
        assert!(
            matches!(
                snooze(&mut agent, &id, until).await,
                Err(AppError::Invalid(_))
            ),
            "{until}"
        );
    }
    assert_eq!(
        snooze(&mut agent, "no-such-conversation", SNOOZED_UNTIL_REPLY).await,
        Err(AppError::ConversationNotFound)
    );
    assert_eq!(
        snooze(&mut visitor, &id, SNOOZED_UNTIL_REPLY).await,
        Err(AppError::SignInRequired)
    );
    let _: Conversation = agent
        .call(
            "set_status",
            &[("conversation_id", &id), ("status", "resolved")],
        )
        .await
        .unwrap();
    assert!(matches!(
        snooze(&mut agent, &id, SNOOZED_UNTIL_REPLY).await,
        Err(AppError::Invalid(message)) if message.contains("resolved")
    ));
    // Nothing was written by any of them.
    assert!(listed(&mut agent, "snoozed").await.is_empty());
}

on_both_stores!(
    snoozed_until_the_visitor_writes,
    a_snooze_wakes_by_itself_when_due,
    bad_snoozes_are_refused,
);

/// Two nodes each run a waker: a snooze set through one wakes for an agent on the other.
#[tokio::test]
async fn a_snooze_wakes_across_nodes() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;
    let mut agent = node_a.client();
    agent.sign_in().await;
    let (_visitor, session) = start_chat(&node_a, "Ivo", "hello").await;
    let id = session.conversation.id.clone();
    let mut on_b = agent.at(&node_b.base).socket().await;
    follow(&mut on_b, &id).await;
    snooze(&mut agent, &id, now_ms() + 1_000).await.unwrap();
    until_conversation(&mut on_b, |c| c.snoozed_until.is_some()).await;
    until_conversation(&mut on_b, |c| c.snoozed_until.is_none()).await;
    node_a.stop().await;
    node_b.stop().await;
}
