//! Two nodes sharing one PostgreSQL database: live fan-out between them, node loss, and a
//! dropped LISTEN connection.
use crate::common::*;
use std::time::Duration;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::Message;

/// What a client shows after reading until `last_seq`: live messages and replays merged.
async fn read_until(socket: &mut Socket, last_seq: i64) -> Vec<Message> {
    let mut view = std::collections::BTreeMap::new();
    while view.keys().next_back() != Some(&last_seq) {
        let incoming = match socket.next_frame().await {
            ServerFrame::Message { message } => vec![message],
            ServerFrame::Replay { messages, .. } => messages,
            _ => continue,
        };
        for message in incoming {
            assert!(view.insert(message.seq, message).is_none(), "no duplicate");
        }
    }
    view.into_values().collect()
}

#[tokio::test]
async fn two_nodes_share_live_events_and_survive_losing_one() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;

    // The agent works on node B and watches the inbox there.
    let mut agent = node_b.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    agent_socket.send(&ClientFrame::WatchInbox).await;
    agent_socket.send(&ClientFrame::Ping).await;
    agent_socket
        .expect(|f| matches!(f, ServerFrame::Pong).then_some(()))
        .await;

    // A visitor starts on node A; the conversation shows up live on node B.
    let mut visitor = node_a.client();
    let session: switchboard::widget::WidgetSession = visitor
        .call(
            "start_conversation",
            &[
                ("name", "Nia"),
                ("email", ""),
                ("body", "hello from A"),
                ("client_id", &client_id()),
                ("page_url", ""),
            ],
        )
        .await
        .unwrap();
    let conversation = session.conversation.id.clone();
    agent_socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation: c }
                if c.id == conversation && c.last_seq == 1 =>
            {
                Some(())
            }
            _ => None,
        })
        .await;
    agent_socket.send(&subscribe(&conversation, Some(1))).await;
    let mut visitor_socket = visitor.socket().await;
    visitor_socket
        .send(&subscribe(&conversation, Some(1)))
        .await;

    // Both ways, live, across nodes. (On a busy machine a subscribe may be answered after the
    // message is stored; it then comes in the replay rather than live: both count.)
    send_visitor(&mut visitor, "A to B").await.unwrap();
    let got = read_until(&mut agent_socket, 2).await.pop().unwrap();
    assert_eq!((got.seq, got.body.as_str()), (2, "A to B"));
    send_agent(&mut agent, &conversation, "B to A")
        .await
        .unwrap();
    let view = read_until(&mut visitor_socket, 4).await;
    let bodies: Vec<&str> = view.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["A to B", "Ana joined the chat", "B to A"]);
    let reply = view.last().unwrap().clone();

    // Presence crosses nodes: the agent is on B, the visitor on A.
    let mut watcher = visitor.socket().await;
    let mut online = watcher.next_presence().await;
    while online.is_empty() {
        online = watcher.next_presence().await;
    }
    assert_eq!(online, ["Ana"]);
    drop(watcher);

    // Typing crosses nodes too, without being stored.
    visitor_socket
        .send(&ClientFrame::Typing {
            conversation_id: conversation.clone(),
        })
        .await;
    let typer = agent_socket
        .expect(|f| match f {
            ServerFrame::Typing { name, .. } => Some(name),
            _ => None,
        })
        .await;
    assert_eq!(typer, "Nia");

    // Node A dies mid-conversation; the agent keeps writing meanwhile.
    let cursor = reply.seq;
    node_a.kill9().await;
    drop(visitor_socket);
    send_agent(&mut agent, &conversation, "are you still there?")
        .await
        .unwrap();

    // The visitor's browser reconnects to node B and resumes from its cursor.
    visitor.base = node_b.base.clone();
    let mut visitor_socket = visitor.socket().await;
    visitor_socket
        .send(&subscribe(&conversation, Some(cursor)))
        .await;
    let missed = visitor_socket
        .expect(|f| match f {
            ServerFrame::Replay {
                messages,
                reset: false,
                ..
            } => Some(messages),
            _ => None,
        })
        .await;
    assert_eq!(
        missed.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["are you still there?"]
    );
    send_visitor(&mut visitor, "yes, on B now").await.unwrap();
    let got = agent_socket
        .expect(|f| frame_message(f).filter(|m| m.body == "yes, on B now"))
        .await;
    assert_eq!(got.seq, 6);

    let history = store_history(&agent, &conversation).await;
    assert_eq!(
        history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=6).collect::<Vec<_>>()
    );
    node_b.stop().await;
}

#[tokio::test]
async fn a_dropped_listen_connection_is_survived() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;
    let (mut visitor, session) = start_chat(&node_a, "Oli", "hi").await;
    let conversation = session.conversation.id.clone();
    let mut agent = node_b.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    agent_socket.send(&subscribe(&conversation, Some(1))).await;
    agent_socket.send(&ClientFrame::Ping).await;
    agent_socket
        .expect(|f| matches!(f, ServerFrame::Pong).then_some(()))
        .await;

    // Cut every LISTEN connection to this database, then write at once on node A.
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let (cut,): (i64,) = sqlx::query_as(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(cut >= 2, "both nodes were listening ({cut})");
    send_visitor(&mut visitor, "sent while B was deaf")
        .await
        .unwrap();

    // Node B reconnects its feed, re-reads what it follows, and the event arrives once.
    let got = agent_socket
        .expect(|f| frame_message(f).filter(|m| m.body == "sent while B was deaf"))
        .await;
    assert_eq!(got.seq, 2);
    let mut healthy = false;
    for _ in 0..50 {
        if reqwest::get(format!("{}/healthz", node_b.base))
            .await
            .unwrap()
            .status()
            == 200
        {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "node B reports its feed connected again");
    // And hints flow again afterwards.
    send_visitor(&mut visitor, "after the cut").await.unwrap();
    let next = agent_socket.expect(frame_message).await;
    assert_eq!((next.seq, next.body.as_str()), (3, "after the cut"));
    node_a.stop().await;
    node_b.stop().await;
}

#[tokio::test]
async fn concurrent_writers_on_two_nodes_keep_sequences_gap_free() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;
    let (visitor_on_a, session) = start_chat(&node_a, "Rae", "start").await;
    let conversation = session.conversation.id.clone();
    let mut visitor_on_b = visitor_on_a.clone();
    visitor_on_b.base = node_b.base.clone();
    let mut agent = node_b.client();
    agent.sign_in().await;

    // Four tabs on each node and an agent on B write into one conversation at once.
    let mut writers = Vec::new();
    for (lane, tab) in (0..8).map(|lane| {
        (
            lane,
            if lane % 2 == 0 {
                visitor_on_a.clone()
            } else {
                visitor_on_b.clone()
            },
        )
    }) {
        let mut tab = tab;
        writers.push(tokio::spawn(async move {
            for i in 0..40 {
                send_visitor(&mut tab, &format!("lane {lane} #{i}"))
                    .await
                    .unwrap();
            }
        }));
    }
    {
        let (mut agent, conversation) = (agent.clone(), conversation.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..20 {
                send_agent(&mut agent, &conversation, &format!("agent #{i}"))
                    .await
                    .unwrap();
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }

    // 1 start + 320 visitor + 20 agent messages + 1 join notice, numbered 1..=342 exactly once.
    let history = store_history(&agent, &conversation).await;
    assert_eq!(
        history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=342).collect::<Vec<_>>()
    );
    let ids: std::collections::HashSet<&str> =
        history.iter().map(|m| m.client_id.as_str()).collect();
    assert_eq!(ids.len(), 342, "every client id once");
    node_a.stop().await;
    node_b.stop().await;
}

/// An agent's presence seen from another node: online, away when their tab says so, offline
/// when the last tab closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_crosses_nodes_online_away_offline() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;
    let mut ana = node_a.client();
    ana.sign_in().await;
    let (ben, ben_agent) =
        invite_and_join(&node_b, &mut ana, "ben@example.com", "Ben", "agent").await;
    let mut watcher = ana.socket().await;
    let ben_is = |away: Option<bool>| agent_is(&ben_agent.id, away);
    // Ben's browser talks to node B; the cookie works there because both share the store.
    let mut ben_tab = ben.socket().await;
    watcher.team_presence_until(ben_is(Some(false))).await;
    ben_tab.send(&ClientFrame::Away { away: true }).await;
    watcher.team_presence_until(ben_is(Some(true))).await;
    drop(ben_tab);
    watcher.team_presence_until(ben_is(None)).await;

    // Deactivated on node A, Ben's tab on node B is told and closed.
    let mut ben_tab = ben.socket().await;
    watcher.team_presence_until(ben_is(Some(false))).await;
    let _: switchboard::model::TeamMember = ana
        .call(
            "set_agent_active",
            &[("agent_id", &ben_agent.id), ("active", "false")],
        )
        .await
        .unwrap();
    let frame = ben_tab.next_frame().await;
    assert!(matches!(frame, ServerFrame::SignedOut { .. }), "{frame:?}");
    watcher.team_presence_until(ben_is(None)).await;
    node_a.stop().await;
    node_b.stop().await;
}

/// Notes and mentions across nodes: a note written on node A reaches the agent following the
/// conversation on node B and never the visitor on B; a teammate named in it is alerted on B.
#[tokio::test]
async fn notes_and_mentions_cross_nodes() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;
    let mut ana = node_a.client();
    ana.sign_in().await;
    let (bo, _) = invite_and_join(&node_a, &mut ana, "bo@example.com", "Bo Chen", "agent").await;
    let bo = bo.at(&node_b.base);
    let (visitor, session) = start_chat(&node_b, "Ines", "hello").await;
    let id = session.conversation.id.clone();
    let mut bo_socket = bo.socket().await;
    follow(&mut bo_socket, &id).await;
    let mut visitor_socket = visitor.socket().await;
    follow(&mut visitor_socket, &id).await;

    let _: Message = ana
        .call(
            "add_note",
            &[
                ("conversation_id", id.as_str()),
                ("body", "@bo secret plan"),
                ("client_id", &client_id()),
            ],
        )
        .await
        .unwrap();
    let (mut saw_note, mut saw_mention) = (false, false);
    while !(saw_note && saw_mention) {
        match bo_socket.next_frame().await {
            ServerFrame::Message { message } if message.body == "@bo secret plan" => {
                saw_note = true
            }
            ServerFrame::Mentioned {
                by,
                conversation_id,
                ..
            } => {
                assert_eq!(
                    (by.as_str(), conversation_id.as_str()),
                    ("Ana", id.as_str())
                );
                saw_mention = true;
            }
            _ => {}
        }
    }
    send_agent(&mut ana, &id, "public reply").await.unwrap();
    loop {
        match visitor_socket.next_frame().await {
            ServerFrame::Message { message } => {
                assert_ne!(
                    message.body, "@bo secret plan",
                    "the visitor on node B never gets the note"
                );
                if message.body == "public reply" {
                    break;
                }
            }
            ServerFrame::Mentioned { .. } => panic!("a visitor was told of a mention"),
            _ => {}
        }
    }
}
