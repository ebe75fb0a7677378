//! CSAT: the visitor rates each resolution once, from 1 to 5; the rating is a notice in the
//! conversation (live to agents) and the conversation's newest score; reopened and resolved
//! again, it can be rated again.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::live::ServerFrame;
use switchboard::model::{Conversation, Rating, SenderKind, Status};

async fn rate(visitor: &mut Client, score: &str, comment: &str) -> Result<Rating, AppError> {
    visitor
        .call(
            "rate_conversation",
            &[("score", score), ("comment", comment)],
        )
        .await
}

async fn resolve(agent: &mut Client, id: &str) -> Conversation {
    agent
        .call(
            "set_status",
            &[("conversation_id", id), ("status", "resolved")],
        )
        .await
        .unwrap()
}

async fn each_resolution_is_rated_once(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (mut visitor, session) = start_chat(&server, "Rosa", "Where is my parcel?").await;
    let id = session.conversation.id.clone();
    let mut agent = server.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    follow(&mut agent_socket, &id).await;

    let early = rate(&mut visitor, "5", "").await;
    assert!(
        matches!(early, Err(AppError::Invalid(_))),
        "not resolved yet: {early:?}"
    );
    send_agent(&mut agent, &id, "It arrives tomorrow.")
        .await
        .unwrap();
    resolve(&mut agent, &id).await;

    for bad in ["0", "6", "-1", "99999999999"] {
        let refused = rate(&mut visitor, bad, "").await;
        assert!(
            matches!(
                refused,
                Err(AppError::Invalid(_)) | Err(AppError::BadRequest(_))
            ),
            "{bad}: {refused:?}"
        );
    }
    let too_long = "x".repeat(1001);
    assert!(matches!(
        rate(&mut visitor, "4", &too_long).await,
        Err(AppError::Invalid(_))
    ));

    let rating = rate(&mut visitor, "4", "  Quick and kind  ")
        .await
        .expect("a resolved conversation is rated");
    assert_eq!(
        (rating.score, rating.comment.as_str()),
        (4, "Quick and kind")
    );
    assert_eq!(
        rate(&mut visitor, "1", "changed my mind").await,
        Err(AppError::AlreadyRated)
    );

    // Agents see it live: the notice, then the conversation with its score.
    let notice = agent_socket
        .expect(|frame| {
            frame_message(frame)
                .filter(|m| m.sender == SenderKind::System && m.body.contains("rated"))
        })
        .await;
    assert!(
        notice.body.contains("4/5") && notice.body.contains("Quick and kind"),
        "{}",
        notice.body
    );
    let rated = agent_socket
        .expect(|frame| match frame {
            ServerFrame::Conversation { conversation } if conversation.rating.is_some() => {
                Some(conversation)
            }
            _ => None,
        })
        .await;
    assert_eq!(rated.rating.as_ref().map(|r| r.score), Some(4));
    assert_eq!(rated.status, Status::Resolved, "rating does not reopen");
    let listed: Vec<switchboard::model::InboxItem> = agent
        .call("list_conversations", &[("filter", "all")])
        .await
        .unwrap();
    let item = listed.iter().find(|i| i.conversation.id == id).unwrap();
    assert_eq!(item.conversation.rating.as_ref().map(|r| r.score), Some(4));

    // Written to again, resolved again: a new rating is asked for and kept.
    send_visitor(&mut visitor, "One more thing…").await.unwrap();
    // Reopened: nothing to rate until it is resolved again (not "already rated").
    let reopened = rate(&mut visitor, "5", "").await;
    assert!(
        matches!(reopened, Err(AppError::Invalid(_))),
        "{reopened:?}"
    );
    send_agent(&mut agent, &id, "Sure!").await.unwrap();
    resolve(&mut agent, &id).await;
    let second = rate(&mut visitor, "5", "")
        .await
        .expect("the new resolution is rated");
    assert!(second.resolution_seq > rating.resolution_seq);
    assert_eq!(
        rate(&mut visitor, "5", "").await,
        Err(AppError::AlreadyRated)
    );

    // Nobody else rates it: no token, no conversation.
    let stranger: Result<Rating, AppError> = rate(&mut server.client(), "1", "").await;
    assert_eq!(stranger, Err(AppError::ConversationNotFound));
}

on_both_stores!(each_resolution_is_rated_once);
