//! SQLite's search index is filled off the send path (store/search/sqlite_index.rs): a commit
//! queues the message and the indexer moves the queue into FTS5. Without any search asking,
//! the queue empties in the background; a message that a crash left queued is indexed when the
//! file is opened again; and a search finds it either way, as on PostgreSQL.
use crate::common::{Backend, Db};
use std::time::Duration;
use switchboard::model::{search_terms, SenderKind, DEFAULT_INBOX};
use switchboard::store::search::SearchScope;
use switchboard::store::{self, Author, NewConversation, PostMessage};

async fn count(file: &sqlx::SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(file).await.unwrap()
}

/// Polls until the queue is empty: the background indexer runs a few times a second.
async fn queue_emptied(file: &sqlx::SqlitePool) -> bool {
    for _ in 0..100 {
        if count(file, "SELECT count(*) FROM messages_fts_queue").await == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn start(stores: &store::Stores, name: &str) -> switchboard::model::Conversation {
    let conversation = NewConversation {
        out_of_hours: false,
        inbox_id: DEFAULT_INBOX.into(),
        visitor_token_hash: format!("{name}-token"),
        visitor_name: name.into(),
        visitor_email: None,
        page_url: None,
        user_agent: None,
        offline: false,
        now: 1_000,
    };
    stores.conversations.create(conversation).await.unwrap()
}

fn visitor(name: &str) -> Author {
    Author {
        kind: SenderKind::Visitor,
        id: None,
        name: name.into(),
    }
}

async fn found(stores: &store::Stores, word: &str) -> usize {
    let terms = search_terms(word).unwrap();
    stores
        .search
        .messages(&terms, SearchScope::default(), 10)
        .await
        .unwrap()
        .len()
}

/// SQLite only: PostgreSQL's search column is generated with the row.
#[tokio::test]
async fn the_queue_is_indexed_in_the_background_and_after_a_crash() {
    let db = Db::new(Backend::Sqlite).await;
    let stores = store::open(&db.url).await.unwrap();
    let conversation = start(&stores, "Pia").await;
    let author = visitor("Pia");
    for (n, body) in ["pineapple on pizza?", "and mango", "pineapple again"]
        .iter()
        .enumerate()
    {
        stores
            .conversations
            .post(PostMessage {
                attachment: None,
                conversation_id: conversation.id.clone(),
                client_id: format!("c{n}"),
                author: author.clone(),
                body: (*body).into(),
                now: 2_000 + n as i64,
            })
            .await
            .unwrap();
    }
    let file = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    assert!(
        queue_emptied(&file).await,
        "the background indexer never emptied the queue"
    );
    assert_eq!(
        count(
            &file,
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'pineapple'"
        )
        .await,
        2
    );

    // A message committed, and the process gone before it was indexed: the commit's trigger
    // queued it, and nothing has indexed it yet.
    drop(stores);
    sqlx::query(
        "INSERT INTO messages (conversation_id, seq, client_id, sender_kind, sender_name, body, created_at) \
         VALUES (?, 99, 'after-crash', 'visitor', 'Pia', 'a papaya after the crash', 3000)",
    )
    .bind(&conversation.id)
    .execute(&file)
    .await
    .unwrap();
    assert_eq!(
        count(&file, "SELECT count(*) FROM messages_fts_queue").await,
        1
    );
    let reopened = store::open(&db.url).await.unwrap();
    assert!(
        queue_emptied(&file).await,
        "the queue a crash left was not indexed on opening"
    );
    assert_eq!(found(&reopened, "papaya").await, 1);
    assert_eq!(found(&reopened, "pineapple").await, 2);
}

/// On both stores: a search right after a burst finds all of it, newest first. On SQLite the
/// search indexes what is queued before it reads.
async fn a_search_right_after_a_burst_finds_all_of_it(backend: Backend) {
    let db = Db::new(backend).await;
    let stores = store::open(&db.url).await.unwrap();
    let conversation = start(&stores, "Ray").await;
    // Many messages at once, then a search straight away: it finds every one, however far the
    // background indexer has got (it takes a hundred per transaction).
    for n in 0..250 {
        stores
            .conversations
            .post(PostMessage {
                attachment: None,
                conversation_id: conversation.id.clone(),
                client_id: format!("k{n}"),
                author: visitor("Ray"),
                body: format!("kiwi number {n}"),
                now: 2_000 + n,
            })
            .await
            .unwrap();
    }
    let terms = search_terms("kiwi").unwrap();
    let hits = stores
        .search
        .messages(&terms, SearchScope::default(), 500)
        .await
        .unwrap();
    assert_eq!(hits.len(), 250);
    // Newest first, as before: the index keeps the order the messages were committed in.
    assert_eq!(hits[0].seq, 250);
    assert_eq!(hits[249].seq, 1);
}

on_both_stores!(a_search_right_after_a_burst_finds_all_of_it);
