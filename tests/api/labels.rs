//! Labels: admins define them; agents put them on conversations they may see, live to every
//! agent tab (and node), and filter the inbox by one; visitors never see them.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::live::ServerFrame;
use switchboard::model::{Conversation, InboxItem, Label};

async fn save_label(
    agent: &mut Client,
    id: &str,
    name: &str,
    color: &str,
) -> Result<Label, AppError> {
    agent
        .call(
            "save_label",
            &[("id", id), ("name", name), ("color", color)],
        )
        .await
}

async fn label(
    agent: &mut Client,
    id: &str,
    label: &str,
    on: bool,
) -> Result<Conversation, AppError> {
    let on = on.to_string();
    agent
        .call(
            "label_conversation",
            &[("conversation_id", id), ("label", label), ("on", &on)],
        )
        .await
}

async fn listed_with(agent: &mut Client, label: &str) -> Result<Vec<String>, AppError> {
    let items: Vec<InboxItem> = agent
        .call("list_conversations", &[("filter", "all"), ("label", label)])
        .await?;
    Ok(items.into_iter().map(|item| item.conversation.id).collect())
}

/// The next conversation frame on a socket.
async fn next_conversation(socket: &mut Socket) -> Conversation {
    socket
        .expect(|frame| match frame {
            ServerFrame::Conversation { conversation } => Some(conversation),
            _ => None,
        })
        .await
}

async fn admins_define_labels(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let (mut agent, _) =
        invite_and_join(&server, &mut admin, "bo@example.com", "Bo", "agent").await;

    let billing = save_label(&mut admin, "", "  Billing ", "#2563EB")
        .await
        .unwrap();
    assert_eq!(
        (billing.name.as_str(), billing.color.as_str()),
        ("Billing", "#2563eb")
    );
    assert_eq!(
        save_label(&mut agent, "", "Bug", "#dc2626").await,
        Err(AppError::AdminOnly),
        "agents use labels, admins define them"
    );
    assert!(matches!(
        save_label(&mut admin, "", "billing", "#16a34a").await,
        Err(AppError::Invalid(message)) if message.contains("already")
    ));
    for (name, color) in [
        ("", "#16a34a"),
        ("Bug", "red"),
        ("Bug", "#12345"),
        (&"x".repeat(41) as &str, "#16a34a"),
    ] {
        assert!(
            matches!(
                save_label(&mut admin, "", name, color).await,
                Err(AppError::Invalid(_))
            ),
            "{name:?} {color:?}"
        );
    }
    let renamed = save_label(&mut admin, &billing.id, "Payments", "#16a34a")
        .await
        .unwrap();
    assert_eq!(renamed.id, billing.id);
    assert_eq!(
        save_label(
            &mut admin,
            "0b8f3a52-5d1e-4c1a-9e1b-2f3c4d5e6f70",
            "Ghost",
            "#16a34a"
        )
        .await,
        Err(AppError::LabelNotFound)
    );
    let seen: Vec<Label> = agent.call("labels", &[]).await.unwrap();
    assert_eq!(
        seen,
        vec![renamed.clone()],
        "every agent reads the team's labels"
    );
    let anonymous: Result<Vec<Label>, AppError> = server.client().call("labels", &[]).await;
    assert_eq!(anonymous, Err(AppError::SignInRequired));

    assert_eq!(
        agent
            .call::<()>("delete_label", &[("id", &renamed.id)])
            .await,
        Err(AppError::AdminOnly)
    );
    admin
        .call::<()>("delete_label", &[("id", &renamed.id)])
        .await
        .unwrap();
    assert_eq!(
        admin
            .call::<()>("delete_label", &[("id", &renamed.id)])
            .await,
        Err(AppError::LabelNotFound)
    );
}

async fn agents_label_conversations_live_and_visitors_never_see(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let (mut agent, _) =
        invite_and_join(&server, &mut admin, "bo@example.com", "Bo", "agent").await;
    let billing = save_label(&mut admin, "", "Billing", "#2563eb")
        .await
        .unwrap();
    let bug = save_label(&mut admin, "", "Bug", "#dc2626").await.unwrap();
    let (mut visitor, session) = start_chat(&server, "Rosa", "I was charged twice").await;
    let (_other_visitor, other) = start_chat(&server, "Sam", "Hello").await;
    let id = session.conversation.id.clone();

    let mut watching = admin.socket().await;
    follow(&mut watching, &id).await;
    let mut visitor_socket = visitor.socket().await;
    follow(&mut visitor_socket, &id).await;

    let labelled = label(&mut agent, &id, &billing.id, true).await.unwrap();
    assert_eq!(labelled.labels, vec![billing.id.clone()]);
    // Twice is once; a second label joins it.
    label(&mut agent, &id, &billing.id, true).await.unwrap();
    let both = label(&mut agent, &id, &bug.id, true).await.unwrap();
    assert_eq!(both.labels, vec![billing.id.clone(), bug.id.clone()]);
    // Another agent's tab sees it live.
    loop {
        let seen = next_conversation(&mut watching).await;
        if seen.labels.len() == 2 {
            break;
        }
    }

    // Filter: only the labelled conversation, on the server's side.
    assert_eq!(
        listed_with(&mut agent, &bug.id).await.unwrap(),
        vec![id.clone()]
    );
    let all: Vec<InboxItem> = agent
        .call("list_conversations", &[("filter", "all")])
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all
        .iter()
        .any(|item| item.conversation.id == other.conversation.id
            && item.conversation.labels.is_empty()));
    assert_eq!(
        listed_with(&mut agent, "%").await,
        Err(AppError::LabelNotFound)
    );

    // Bad input: an unknown label, a conversation that is not there; nothing is written.
    let ghost = "0b8f3a52-5d1e-4c1a-9e1b-2f3c4d5e6f70";
    assert_eq!(
        label(&mut agent, &id, ghost, true).await,
        Err(AppError::LabelNotFound)
    );
    assert_eq!(
        label(&mut agent, &id, "not-a-label", true).await,
        Err(AppError::LabelNotFound)
    );
    assert_eq!(
        label(&mut agent, "no-such-conversation", &bug.id, true).await,
        Err(AppError::ConversationNotFound)
    );
    // A visitor cannot label, even their own conversation.
    assert_eq!(
        label(&mut visitor, &id, &bug.id, true).await,
        Err(AppError::SignInRequired)
    );

    // The visitor's copies never carry labels: the widget's session and every socket frame.
    let session: Option<switchboard::widget::WidgetSession> =
        visitor.call("visitor_session", &[]).await.unwrap();
    assert!(session.unwrap().conversation.labels.is_empty());
    send_agent(&mut agent, &id, "Refunded.").await.unwrap();
    loop {
        let frame = visitor_socket.next_frame().await;
        if let ServerFrame::Conversation { conversation } = &frame {
            assert!(
                conversation.labels.is_empty(),
                "a visitor saw labels: {conversation:?}"
            );
        }
        if frame_message(frame).is_some_and(|m| m.body == "Refunded.") {
            break;
        }
    }
    let mut fresh = visitor.socket().await;
    fresh.send(&subscribe(&id, None)).await;
    assert!(next_conversation(&mut fresh).await.labels.is_empty());

    // Taken off, and a deleted label leaves every conversation.
    let fewer = label(&mut agent, &id, &billing.id, false).await.unwrap();
    assert_eq!(fewer.labels, vec![bug.id.clone()]);
    admin
        .call::<()>("delete_label", &[("id", &bug.id)])
        .await
        .unwrap();
    assert_eq!(
        listed_with(&mut agent, &bug.id).await.unwrap(),
        Vec::<String>::new()
    );
    let detail: switchboard::inbox::ConversationDetail = agent
        .call("open_conversation", &[("id", &id)])
        .await
        .unwrap();
    assert!(detail.conversation.labels.is_empty());
}

on_both_stores!(
    admins_define_labels,
    agents_label_conversations_live_and_visitors_never_see,
);

/// A label put on through one node reaches an agent's tab on the other.
#[tokio::test]
async fn labels_reach_the_other_node() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;
    let mut admin = node_a.client();
    admin.sign_in().await;
    let vip = save_label(&mut admin, "", "VIP", "#7c3aed").await.unwrap();
    let (_visitor, session) = start_chat(&node_a, "Ines", "hello").await;
    let id = session.conversation.id.clone();
    let watcher = admin.at(&node_b.base);
    let mut on_b = watcher.socket().await;
    follow(&mut on_b, &id).await;
    label(&mut admin, &id, &vip.id, true).await.unwrap();
    loop {
        if next_conversation(&mut on_b).await.labels == vec![vip.id.clone()] {
            break;
        }
    }
    node_a.stop().await;
    node_b.stop().await;
}
