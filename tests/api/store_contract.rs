//! The store contract, told once as one story and run on both backends (a temporary SQLite
//! file and a fresh PostgreSQL database): accounts, conversations, numbering, idempotency,
//! status rules, receipts, and who may read what.
use crate::common::{Backend, Db};
use switchboard::model::{
    Agent, InboxAccess, InboxFilter, Role, SenderKind, Status, DEFAULT_INBOX,
};
use switchboard::store::{
    self, Author, ChangeStatus, NewAgent, NewConversation, PostMessage, Receipt, StoreError,
    Stores, Viewer,
};

fn new_conversation(token_hash: &str, name: &str) -> NewConversation {
    NewConversation {
        out_of_hours: false,
        inbox_id: DEFAULT_INBOX.into(),
        visitor_token_hash: token_hash.into(),
        visitor_name: name.into(),
        visitor_email: None,
        page_url: Some("https://shop.example/pricing".into()),
        user_agent: None,
        offline: false,
        now: 1_000,
    }
}

fn post(conversation_id: &str, author: &Author, client_id: &str, body: &str) -> PostMessage {
    PostMessage {
        attachment: None,
        conversation_id: conversation_id.into(),
        client_id: client_id.into(),
        author: author.clone(),
        body: body.into(),
        now: 2_000,
    }
}

async fn accounts(stores: &Stores) -> Agent {
    let accounts = &stores.accounts;
    assert_eq!(accounts.agent_count().await.unwrap(), 0);
    let new = NewAgent {
        email: "ana@example.com".into(),
        name: "Ana".into(),
        role: Role::Admin,
        password_hash: "hash".into(),
        now: 1,
    };
    let ana = accounts.create_agent(new.clone()).await.unwrap();
    assert!(matches!(
        accounts.create_agent(new).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(accounts.agent_count().await.unwrap(), 1);
    let (found, hash) = accounts
        .agent_credentials("ana@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id.as_str(), hash.as_str()),
        (ana.id.as_str(), "hash")
    );
    assert!(accounts
        .agent_credentials("nobody@example.com")
        .await
        .unwrap()
        .is_none());

    accounts
        .create_session("session-hash", &ana.id, 10, 100)
        .await
        .unwrap();
    let live = accounts
        .agent_for_session("session-hash", 50)
        .await
        .unwrap();
    assert_eq!(live.as_ref().map(|a| a.id.as_str()), Some(ana.id.as_str()));
    assert!(accounts
        .agent_for_session("session-hash", 100)
        .await
        .unwrap()
        .is_none());
    accounts.delete_session("session-hash").await.unwrap();
    assert!(accounts
        .agent_for_session("session-hash", 50)
        .await
        .unwrap()
        .is_none());
    ana
}

async fn story(backend: Backend) {
    let db = Db::new(backend).await;
    let stores = store::open(&db.url).await.unwrap();
    stores.feed.ping().await.unwrap();
    let ana = accounts(&stores).await;
    let all_inboxes = InboxAccess::All;
    let agent = Viewer::Agent(&ana, &all_inboxes);
    let conversations = &stores.conversations;

    // Two visitors, each known by their token.
    let tia = conversations
        .create(new_conversation("tia-token", "Tia"))
        .await
        .unwrap();
    let leo = conversations
        .create(new_conversation("leo-token", "Leo"))
        .await
        .unwrap();
    assert_eq!((tia.status, tia.last_seq), (Status::Waiting, 0));
    let found = conversations.for_visitor("tia-token").await.unwrap();
    assert_eq!(found.map(|c| c.id), Some(tia.id.clone()));
    assert!(conversations.for_visitor("nobody").await.unwrap().is_none());

    // A visitor reads only their own conversation; agents read all of the inbox.
    let as_tia = Viewer::Visitor {
        conversation_id: &tia.id,
    };
    assert!(conversations.get(as_tia, &tia.id).await.unwrap().is_some());
    assert!(conversations.get(as_tia, &leo.id).await.unwrap().is_none());
    assert!(conversations.get(agent, &leo.id).await.unwrap().is_some());
    assert!(conversations
        .inbox(as_tia, None, None, InboxFilter::All, 10)
        .await
        .unwrap()
        .is_empty());
    // An agent who works only another inbox reads none of this one.
    let elsewhere = InboxAccess::Only(vec!["elsewhere".into()]);
    let outsider = Viewer::Agent(&ana, &elsewhere);
    assert!(conversations
        .get(outsider, &leo.id)
        .await
        .unwrap()
        .is_none());
    assert!(conversations
        .messages_before(outsider, &leo.id, None, 10)
        .await
        .is_err());
    assert!(conversations
        .inbox(outsider, None, None, InboxFilter::All, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(conversations
        .inbox(outsider, Some(DEFAULT_INBOX), None, InboxFilter::All, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        conversations
            .messages_before(as_tia, &leo.id, None, 10)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        conversations.messages_after(as_tia, &leo.id, 0, 10).await,
        Err(StoreError::NotFound)
    ));

    // Posting numbers events gap-free; the same client id is stored once.
    let visitor = Author {
        kind: SenderKind::Visitor,
        id: None,
        name: "Tia".into(),
    };
    let first = conversations
        .post(post(&tia.id, &visitor, "c-1", "hello"))
        .await
        .unwrap();
    assert!(!first.duplicate);
    assert_eq!(first.events.last().map(|m| m.seq), Some(1));
    let again = conversations
        .post(post(&tia.id, &visitor, "c-1", "hello"))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.events, first.events);

    // The first agent reply makes the conversation active and assigns it, with a notice.
    let replier = Author {
        kind: SenderKind::Agent,
        id: Some(ana.id.clone()),
        name: ana.name.clone(),
    };
    let reply = conversations
        .post(post(&tia.id, &replier, "c-2", "hi, how can I help?"))
        .await
        .unwrap();
    let seqs: Vec<i64> = reply.events.iter().map(|m| m.seq).collect();
    assert_eq!(seqs.first(), Some(&2));
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert_eq!(reply.conversation.status, Status::Active);
    assert_eq!(
        reply.conversation.assignee_id.as_deref(),
        Some(ana.id.as_str())
    );
    let last = *seqs.last().unwrap();
    assert_eq!(reply.conversation.last_seq, last);

    // Reads page both ways, oldest first.
    let all = conversations
        .messages_before(as_tia, &tia.id, None, 50)
        .await
        .unwrap();
    assert_eq!(all.len() as i64, last);
    assert!(all.iter().zip(1..).all(|(m, seq)| m.seq == seq));
    let older = conversations
        .messages_before(agent, &tia.id, Some(2), 50)
        .await
        .unwrap();
    assert_eq!(older.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1]);
    let newer = conversations
        .messages_after(as_tia, &tia.id, 1, 50)
        .await
        .unwrap();
    assert_eq!(newer.first().map(|m| m.seq), Some(2));

    // Status changes append their notice; asking for the same status again appends nothing.
    let change = ChangeStatus {
        conversation_id: tia.id.clone(),
        status: Status::Resolved,
        agent: ana.clone(),
        now: 3_000,
    };
    let resolved = conversations.change_status(change.clone()).await.unwrap();
    assert_eq!(resolved.conversation.status, Status::Resolved);
    assert_eq!(resolved.events.len(), 1);
    assert_eq!(resolved.events[0].status_change, Some(Status::Resolved));
    let noop = conversations.change_status(change).await.unwrap();
    assert!(noop.events.is_empty());

    // The inbox lists by status, newest activity first.
    let open = conversations
        .inbox(agent, Some(DEFAULT_INBOX), None, InboxFilter::Open, 10)
        .await
        .unwrap();
    assert_eq!(
        open.iter()
            .map(|item| item.conversation.id.as_str())
            .collect::<Vec<_>>(),
        vec![leo.id.as_str()]
    );

    // Receipts only move forward, and never past the newest event.
    let receipt = |delivered, read| Receipt {
        conversation_id: tia.id.clone(),
        side: SenderKind::Visitor,
        delivered_seq: delivered,
        read_seq: read,
    };
    let moved = conversations
        .record_receipt(receipt(999, 2))
        .await
        .unwrap()
        .expect("positions moved");
    let newest = moved.last_seq;
    assert_eq!(moved.receipts.visitor_delivered, newest);
    assert_eq!(moved.receipts.visitor_read, 2);
    assert!(conversations
        .record_receipt(receipt(1, 1))
        .await
        .unwrap()
        .is_none());

    // Writing into a conversation that does not exist writes nothing.
    assert!(matches!(
        conversations
            .post(post("no-such-conversation", &visitor, "c-3", "lost?"))
            .await,
        Err(StoreError::NotFound)
    ));

    notes(&stores, &ana, &leo.id).await;
    saved_replies(&stores).await;
    ratings(&stores, &tia.id).await;
}

/// Ratings: one per resolution; the newest is read with its conversation.
async fn ratings(stores: &Stores, conversation_id: &str) {
    use switchboard::store::ratings::NewRating;
    let rating = |resolution_seq: i64, score: u8| NewRating {
        conversation_id: conversation_id.into(),
        resolution_seq,
        score,
        comment: format!("score {score}"),
        now: 9_000,
    };
    let read = || async {
        stores
            .conversations
            .get(Viewer::Node, conversation_id)
            .await
            .unwrap()
            .unwrap()
            .rating
    };
    assert_eq!(read().await, None);
    stores.ratings.add(&rating(3, 4)).await.unwrap();
    assert!(matches!(
        stores.ratings.add(&rating(3, 1)).await,
        Err(StoreError::Conflict)
    ));
    stores.ratings.add(&rating(7, 2)).await.unwrap();
    let newest = read()
        .await
        .expect("the newest rating comes with the conversation");
    assert_eq!(
        (newest.score, newest.resolution_seq, newest.comment.as_str()),
        (2, 7, "score 2")
    );
}

/// An agent's note is numbered like any event, leaves the conversation's state alone, and is
/// left out of what the visitor reads.
async fn notes(stores: &Stores, ana: &Agent, conversation_id: &str) {
    let conversations = &stores.conversations;
    let all = InboxAccess::All;
    let before = conversations
        .get(Viewer::Agent(ana, &all), conversation_id)
        .await
        .unwrap()
        .unwrap();
    let note = Author {
        kind: SenderKind::Note,
        id: Some(ana.id.clone()),
        name: ana.name.clone(),
    };
    let appended = conversations
        .post(post(conversation_id, &note, "n-1", "VIP: be quick"))
        .await
        .unwrap();
    assert_eq!(appended.events.len(), 1, "no status notice for a note");
    let after = appended.conversation;
    assert_eq!(after.last_seq, before.last_seq + 1);
    assert_eq!(
        (
            after.status,
            &after.assignee_id,
            &after.last_preview,
            after.last_activity_at
        ),
        (
            before.status,
            &before.assignee_id,
            &before.last_preview,
            before.last_activity_at
        )
    );
    let stored = conversations
        .get(Viewer::Node, conversation_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_preview, before.last_preview, "as stored, too");
    let as_visitor = Viewer::Visitor { conversation_id };
    let seen = conversations
        .messages_after(as_visitor, conversation_id, 0, 100)
        .await
        .unwrap();
    assert!(seen.iter().all(|m| m.sender != SenderKind::Note));
    let newest = conversations
        .messages_before(as_visitor, conversation_id, None, 100)
        .await
        .unwrap();
    assert_eq!(newest, seen);
    let agents_see = conversations
        .messages_after(Viewer::Agent(ana, &all), conversation_id, 0, 100)
        .await
        .unwrap();
    assert_eq!(agents_see.len(), seen.len() + 1);
}

/// Saved replies: the team's and one's own, one shortcut per owner, the owner kept on change.
async fn saved_replies(stores: &Stores) {
    use switchboard::model::CannedResponse;
    let reply = |id: &str, owner: Option<&str>, shortcut: &str| CannedResponse {
        id: id.into(),
        shortcut: shortcut.into(),
        body: format!("body of {shortcut}"),
        owner_id: owner.map(str::to_string),
        updated_at: 5_000,
    };
    let canned = &stores.canned;
    canned.save(&reply("r-team", None, "refund")).await.unwrap();
    canned
        .save(&reply("r-bo", Some("bo"), "thanks"))
        .await
        .unwrap();
    canned
        .save(&reply("r-cy", Some("cy"), "refund"))
        .await
        .unwrap();
    assert!(matches!(
        canned.save(&reply("r-dup", None, "refund")).await,
        Err(StoreError::Conflict)
    ));
    let shortcuts = |list: Vec<CannedResponse>| list.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        shortcuts(canned.list_for("bo").await.unwrap()),
        vec!["r-team", "r-bo"]
    );
    assert_eq!(
        shortcuts(canned.list_for("cy").await.unwrap()),
        vec!["r-team", "r-cy"]
    );
    assert!(canned.get_for("cy", "r-bo").await.unwrap().is_none());
    assert!(canned.get_for("cy", "r-team").await.unwrap().is_some());
    // Saving again with another owner changes the text, not the owner.
    canned
        .save(&reply("r-bo", Some("cy"), "thank-you"))
        .await
        .unwrap();
    let kept = canned.get_for("bo", "r-bo").await.unwrap().unwrap();
    assert_eq!(
        (kept.owner_id.as_deref(), kept.shortcut.as_str()),
        (Some("bo"), "thank-you")
    );
    assert!(canned.delete("r-bo").await.unwrap());
    assert!(!canned.delete("r-bo").await.unwrap());
}

mod sqlite {
    #[tokio::test]
    async fn store_story() {
        super::story(super::Backend::Sqlite).await
    }
}

mod postgres {
    #[tokio::test]
    async fn store_story() {
        super::story(super::Backend::Postgres).await
    }
}
