//! Both stores' group commits write a batch of concurrent posts in a few statements
//! (`sqlite_bulk`, `pg_bulk`): many senders at once are stored exactly once each, in order
//! per conversation, without a batch falling back to one post at a time; a lone message never
//! waits for company.
use crate::common::*;
use std::collections::BTreeMap;

async fn concurrent_posts_share_bulk_batches_and_are_stored_once(backend: Backend) {
    let db = Db::new(backend).await;
    // A process of its own: its metrics count only this test's posts.
    let server = Server::process_with(&db, &[("SWITCHBOARD_LIMITS", LOAD_LIMITS)]).await;
    let mut visitors = Vec::new();
    for n in 0..16 {
        visitors.push(start_chat(&server, &format!("Visitor {n}"), "hi").await);
    }
    // Every visitor sends 20 messages, all visitors at once, one with a retried id.
    let senders: Vec<_> = visitors
        .iter()
        .map(|(visitor, _)| {
            let mut visitor = visitor.clone();
            tokio::spawn(async move {
                let repeated = client_id();
                for i in 0..20 {
                    let id = if i == 10 {
                        repeated.clone()
                    } else {
                        client_id()
                    };
                    let body = format!("message {i}");
                    send_visitor_with_id(&mut visitor, &body, &id)
                        .await
                        .unwrap();
                    if i == 10 {
                        send_visitor_with_id(&mut visitor, &body, &repeated)
                            .await
                            .unwrap();
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    let batches = metric(&server.base, "switchboard_group_commit_batch_size_count").await;
    let posts = metric(&server.base, "switchboard_group_commit_batch_size_sum").await;
    assert!(
        posts > batches,
        "no batch held more than one post ({posts} posts in {batches})"
    );
    assert_eq!(
        metric(&server.base, "switchboard_group_commit_fallbacks_total").await,
        0.0
    );

    let mut agent = server.client();
    agent.sign_in().await;
    for (_, session) in &visitors {
        let history = store_history(&agent, &session.conversation.id).await;
        let bodies: Vec<&str> = history.iter().map(|m| m.body.as_str()).collect();
        let expected: Vec<String> = std::iter::once("hi".to_string())
            .chain((0..20).map(|i| format!("message {i}")))
            .collect();
        assert_eq!(bodies, expected, "stored once each, in order");
        let seqs: BTreeMap<i64, ()> = history.iter().map(|m| (m.seq, ())).collect();
        assert_eq!(seqs.len(), history.len(), "no seq twice");
    }
}

/// With no other load, a message is committed in a batch of its own as soon as it arrives and
/// reaches the agent: the group commit never waits for company. Checked by counting batches
/// and events, not by a clock (a batch that waited to fill would never come back here).
async fn a_lone_message_is_committed_alone_and_delivered(backend: Backend) {
    let db = Db::new(backend).await;
    // A process of its own: its metrics count only this test's posts.
    let server = Server::process_with(&db, &[("SWITCHBOARD_LIMITS", LOAD_LIMITS)]).await;
    let (mut visitor, session) = start_chat(&server, "Lone Visitor", "hi").await;
    send_visitor(&mut visitor, "first").await.unwrap();
    let mut agent = server.client();
    agent.sign_in().await;
    let mut socket = agent.socket().await;
    follow(&mut socket, &session.conversation.id).await;

    let batches = metric(&server.base, "switchboard_group_commit_batch_size_count").await;
    let posts = metric(&server.base, "switchboard_group_commit_batch_size_sum").await;
    let sent = send_visitor(&mut visitor, "alone").await.unwrap();
    let received = socket.expect(frame_message).await;
    assert_eq!((received.seq, received.body.as_str()), (sent.seq, "alone"));
    assert_eq!(
        metric(&server.base, "switchboard_group_commit_batch_size_count").await - batches,
        1.0,
        "one commit for the one message"
    );
    assert_eq!(
        metric(&server.base, "switchboard_group_commit_batch_size_sum").await - posts,
        1.0,
        "a batch of one"
    );
}

on_both_stores!(
    concurrent_posts_share_bulk_batches_and_are_stored_once,
    a_lone_message_is_committed_alone_and_delivered
);
