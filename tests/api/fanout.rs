//! Cross-node fan-out under a burst: the hints of many writes on node A, merged and read side
//! by side on node B (`live::fanout`), still reach B's sockets complete, once each and in
//! order for every conversation.
use crate::common::*;
use std::collections::HashMap;
use switchboard::live::{ClientFrame, ServerFrame};

const CONVERSATIONS: usize = 4;
const MESSAGES_EACH: usize = 50;

#[tokio::test]
async fn a_burst_on_one_node_reaches_the_other_complete_and_in_order() {
    let db = Db::new(Backend::Postgres).await;
    let (node_a, node_b) = two_nodes(&db).await;
    let mut agent = node_b.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;

    // Visitors on A; the agent on B follows every conversation from its first message.
    let mut visitors = Vec::new();
    for n in 0..CONVERSATIONS {
        let (visitor, session) = start_chat(&node_a, &format!("Visitor {n}"), "start").await;
        agent_socket
            .send(&subscribe(&session.conversation.id, Some(1)))
            .await;
        visitors.push((visitor, session.conversation.id));
    }
    agent_socket.send(&ClientFrame::Ping).await;
    let mut seen: HashMap<String, Vec<i64>> = HashMap::new();
    loop {
        match agent_socket.next_frame().await {
            ServerFrame::Pong => break,
            frame => record(&mut seen, frame),
        }
    }

    // Every visitor writes at once, as fast as A takes it.
    let mut writers = Vec::new();
    for (mut visitor, _) in visitors.clone() {
        writers.push(tokio::spawn(async move {
            for i in 0..MESSAGES_EACH {
                send_visitor(&mut visitor, &format!("burst #{i}"))
                    .await
                    .unwrap();
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }

    let last = 1 + MESSAGES_EACH as i64;
    let done = |seen: &HashMap<String, Vec<i64>>| {
        visitors
            .iter()
            .all(|(_, id)| seen.get(id).and_then(|s| s.last()) == Some(&last))
    };
    while !done(&seen) {
        let frame = agent_socket.next_frame().await;
        record(&mut seen, frame);
    }
    for (_, id) in &visitors {
        assert_eq!(
            seen[id],
            (2..=last).collect::<Vec<_>>(),
            "conversation {id}: every message once, in order"
        );
    }
    node_a.stop().await;
    node_b.stop().await;
}

/// Appends the sequence numbers a frame delivers, live or replayed, per conversation.
fn record(seen: &mut HashMap<String, Vec<i64>>, frame: ServerFrame) {
    let messages = match frame {
        ServerFrame::Message { message } => vec![message],
        ServerFrame::Replay { messages, .. } => messages,
        _ => return,
    };
    for message in messages {
        seen.entry(message.conversation_id.clone())
            .or_default()
            .push(message.seq);
    }
}
