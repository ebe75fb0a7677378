//! Who holds a conversation: assignment and transfer notices, auto-assignment, and each
//! agent's unread counts.
use crate::common::*;
use std::time::{Duration, Instant};
use switchboard::error::AppError;
use switchboard::inbox::ConversationDetail;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::{InboxItem, SenderKind};

on_both_stores!(
    a_transfer_writes_a_notice_every_side_sees,
    unread_counts_are_per_agent_and_cleared_by_reading,
    auto_assignment_is_fair_and_respects_the_limit,
);

async fn a_transfer_writes_a_notice_every_side_sees(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    let ana_agent = ana.sign_in().await;
    let (mut ben, ben_agent) =
        invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    let (visitor, session) = start_chat(&server, "Maya", "Where is my order?").await;
    let id = session.conversation.id.clone();
    // The first reply assigns, as before.
    send_agent(&mut ana, &id, "Let me look.").await.unwrap();
    let mut watchers = Vec::new();
    for client in [&visitor, &ana, &ben] {
        let mut socket = client.socket().await;
        follow(&mut socket, &id).await;
        watchers.push(socket);
    }
    let moved: switchboard::model::Conversation = ana
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", &ben_agent.id)],
        )
        .await
        .unwrap();
    assert_eq!(moved.assignee_id.as_deref(), Some(ben_agent.id.as_str()));
    for socket in &mut watchers {
        let notice = socket
            .expect(|f| frame_message(f).filter(|m| m.sender == SenderKind::System))
            .await;
        assert_eq!(notice.body, "Ana handed this chat to Ben");
    }
    // Assigning to the current assignee writes nothing; unknown agents are refused.
    let same: switchboard::model::Conversation = ben
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", &ben_agent.id)],
        )
        .await
        .unwrap();
    assert_eq!(same.last_seq, moved.last_seq);
    assert_eq!(
        ben.call::<switchboard::model::Conversation>(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", "no-such-agent")],
        )
        .await,
        Err(AppError::AgentUnavailable)
    );
    // A visitor cannot assign.
    let mut visitor = visitor;
    assert_eq!(
        visitor
            .call::<switchboard::model::Conversation>(
                "assign_conversation",
                &[("conversation_id", &id), ("assignee", &ana_agent.id)],
            )
            .await,
        Err(AppError::SignInRequired)
    );
    // Ben takes it back to the queue, then Ana takes it.
    let queued: switchboard::model::Conversation = ben
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", "")],
        )
        .await
        .unwrap();
    assert_eq!(queued.assignee_id, None);
    let taken: switchboard::model::Conversation = ana
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", &ana_agent.id)],
        )
        .await
        .unwrap();
    assert_eq!(taken.assignee_id.as_deref(), Some(ana_agent.id.as_str()));
    let history = store_history(&ana, &id).await;
    let notices: Vec<&str> = history
        .iter()
        .filter(|m| m.sender == SenderKind::System && m.status_change.is_none())
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(
        notices,
        [
            "Ana handed this chat to Ben",
            "Ben returned this chat to the queue",
            "Ana took this chat"
        ]
    );
}

async fn unread(client: &mut Client, id: &str) -> i64 {
    let items: Vec<InboxItem> = client
        .call("list_conversations", &[("filter", "all")])
        .await
        .unwrap();
    items
        .into_iter()
        .find(|item| item.conversation.id == id)
        .expect("listed")
        .unread
}

async fn unread_counts_are_per_agent_and_cleared_by_reading(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    ana.sign_in().await;
    let (mut ben, _) = invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    let (mut visitor, session) = start_chat(&server, "Maya", "Hi").await;
    let id = session.conversation.id.clone();
    send_visitor(&mut visitor, "Anyone there?").await.unwrap();
    assert_eq!(unread(&mut ana, &id).await, 2);
    assert_eq!(unread(&mut ben, &id).await, 2);
    // Ana reads it (her tab reports what it has shown); only her count clears.
    let mut socket = ana.socket().await;
    socket.send(&subscribe(&id, None)).await;
    let last = socket
        .expect(|f| match f {
            ServerFrame::Replay { messages, .. } => messages.last().map(|m| m.seq),
            _ => None,
        })
        .await;
    socket
        .send(&ClientFrame::Receipt {
            conversation_id: id.clone(),
            delivered_seq: last,
            read_seq: last,
        })
        .await;
    socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation }
                if conversation.receipts.agent_read >= last =>
            {
                Some(())
            }
            _ => None,
        })
        .await;
    assert_eq!(unread(&mut ana, &id).await, 0);
    assert_eq!(unread(&mut ben, &id).await, 2);
    // Agent replies and system lines never count; a new visitor message does.
    send_agent(&mut ana, &id, "Here!").await.unwrap();
    send_visitor(&mut visitor, "Great").await.unwrap();
    assert_eq!(unread(&mut ana, &id).await, 1);
    assert_eq!(unread(&mut ben, &id).await, 3);
}

async fn assignee_of(agent: &mut Client, id: &str) -> Option<String> {
    let detail: ConversationDetail = agent
        .call("open_conversation", &[("id", id)])
        .await
        .unwrap();
    detail.conversation.assignee_id
}

async fn auto_assignment_is_fair_and_respects_the_limit(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start_with(
        &db,
        &[
            ("SWITCHBOARD_AUTO_ASSIGN", "true"),
            ("SWITCHBOARD_MAX_OPEN_CHATS", "2"),
        ],
    )
    .await;
    let mut ana = server.client();
    let ana_agent = ana.sign_in().await;
    let (ben, ben_agent) =
        invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    // Nobody online: the chat waits in the queue.
    let (_, early) = start_chat(&server, "Early", "first!").await;
    assert_eq!(assignee_of(&mut ana, &early.conversation.id).await, None);
    // Both come online; the sweep hands the waiting chat to one of them.
    let mut ana_tab = ana.socket().await;
    let _ben_tab = ben.socket().await;
    ana_tab
        .team_presence_until(|agents| agents.len() == 2 && agents.iter().all(|a| !a.away))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while assignee_of(&mut ana, &early.conversation.id)
        .await
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the waiting chat was never assigned"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Three more: turns alternate (fewest open chats first), so each ends with two.
    let mut ids = vec![early.conversation.id.clone()];
    for name in ["Bo", "Cy", "Di"] {
        let (_, session) = start_chat(&server, name, "hello").await;
        ids.push(session.conversation.id.clone());
    }
    let mut counts = std::collections::HashMap::new();
    for id in &ids {
        let assignee = assignee_of(&mut ana, id).await.expect("assigned at start");
        *counts.entry(assignee).or_insert(0) += 1;
    }
    assert_eq!(counts.get(&ana_agent.id), Some(&2), "{counts:?}");
    assert_eq!(counts.get(&ben_agent.id), Some(&2), "{counts:?}");
    // Everyone is at the limit: the next one waits…
    let (_, fifth) = start_chat(&server, "Ed", "anyone?").await;
    assert_eq!(assignee_of(&mut ana, &fifth.conversation.id).await, None);
    // …until Ana frees a slot.
    let mut freed = None;
    for id in &ids {
        if assignee_of(&mut ana, id).await.as_deref() == Some(ana_agent.id.as_str()) {
            freed = Some(id.clone());
            break;
        }
    }
    let freed = freed.expect("Ana holds two");
    ana.call::<switchboard::model::Conversation>(
        "set_status",
        &[("conversation_id", &freed), ("status", "resolved")],
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let assignee = assignee_of(&mut ana, &fifth.conversation.id).await;
        if assignee.is_some() {
            assert_eq!(assignee.as_deref(), Some(ana_agent.id.as_str()));
            break;
        }
        assert!(Instant::now() < deadline, "the freed slot was never used");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
