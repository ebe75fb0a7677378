//! Full-text search: stemmed words and phrases over messages and notes, visitor names and
//! e-mails, labels; filters; matches marked; agents find only what they may see; bad queries
//! get typed errors.
use crate::common::*;
use crate::inbox_access::{shop_inbox, start_in};
use switchboard::error::AppError;
use switchboard::model::{Conversation, Label, SearchHit, SenderKind};

async fn search(
    agent: &mut Client,
    text: &str,
    filters: &[(&str, &str)],
) -> Result<Vec<SearchHit>, AppError> {
    let mut form = vec![("text", text)];
    form.extend_from_slice(filters);
    agent.call("search", &form).await
}

/// The conversations found, by visitor name, in order, each once.
fn names(hits: &[SearchHit]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for hit in hits {
        if !found.contains(&hit.conversation.visitor_name) {
            found.push(hit.conversation.visitor_name.clone());
        }
    }
    found
}

async fn words_phrases_notes_names_and_labels_are_found(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut marta, shirts) = start_chat(
        &server,
        "Marta Ruiz",
        "I ordered two shirts but the sizes were wrong",
    )
    .await;
    let (_, parcel) = start_chat(
        &server,
        "Tom Berg",
        "Where is my parcel? Tracking says delivered",
    )
    .await;
    let shirts = shirts.conversation.id;
    let parcel = parcel.conversation.id;
    let _: Conversation = marta
        .call("leave_email", &[("email", "marta.ruiz@example.com")])
        .await
        .unwrap();
    agent
        .call::<switchboard::model::Message>(
            "add_note",
            &[
                ("conversation_id", shirts.as_str()),
                ("body", "Refund approved by finance"),
                ("client_id", &client_id()),
            ],
        )
        .await
        .unwrap();

    // Stemming: "order" finds "ordered"; the match is marked in the snippet.
    let hits = search(&mut agent, "order", &[]).await.unwrap();
    assert_eq!(names(&hits), ["Marta Ruiz"]);
    let hit = &hits[0];
    assert_eq!(hit.seq, Some(1));
    assert!(
        hit.snippet
            .iter()
            .any(|(text, matched)| *matched && text.to_lowercase().starts_with("order")),
        "{:?}",
        hit.snippet
    );
    // Every word must be there; a phrase keeps its order.
    assert_eq!(
        names(&search(&mut agent, "tracking delivered", &[]).await.unwrap()),
        ["Tom Berg"]
    );
    assert!(search(&mut agent, "tracking shirts", &[])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        names(
            &search(&mut agent, "\"sizes were wrong\"", &[])
                .await
                .unwrap()
        ),
        ["Marta Ruiz"]
    );
    assert!(search(&mut agent, "\"wrong were sizes\"", &[])
        .await
        .unwrap()
        .is_empty());
    // Notes are searched (agents only), marked as notes.
    let notes = search(&mut agent, "refund", &[]).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].sender, Some(SenderKind::Note));
    // Names by a prefix, e-mails, and label names.
    assert_eq!(
        names(&search(&mut agent, "mart", &[]).await.unwrap()),
        ["Marta Ruiz"]
    );
    assert_eq!(
        names(
            &search(&mut agent, "marta.ruiz@example.com", &[])
                .await
                .unwrap()
        ),
        ["Marta Ruiz"]
    );
    let label: Label = agent
        .call("save_label", &[("name", "Escalated"), ("color", "#dc2626")])
        .await
        .unwrap();
    assert!(search(&mut agent, "escalated", &[])
        .await
        .unwrap()
        .is_empty());
    let _: Conversation = agent
        .call(
            "label_conversation",
            &[
                ("conversation_id", parcel.as_str()),
                ("label", &label.id),
                ("on", "true"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        names(&search(&mut agent, "escalated", &[]).await.unwrap()),
        ["Tom Berg"]
    );
    // New messages are found at once: the index is kept in step by the database.
    send_agent(
        &mut agent,
        &parcel,
        "Your parcel left the depot this morning",
    )
    .await
    .unwrap();
    let depot = search(&mut agent, "depot", &[]).await.unwrap();
    assert_eq!((depot.len(), depot[0].sender), (1, Some(SenderKind::Agent)));
}

async fn filters_and_access(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    let admin_agent = admin.sign_in().await;
    let shop = shop_inbox(&mut admin).await;
    let (mut ben, _) =
        invite_and_join(&server, &mut admin, "ben@example.com", "Ben", "agent").await;
    let (_, at_default) = start_in(&server, "default", "", "Dee").await;
    let (_, at_shop) = start_in(&server, &shop.id, "", "Sam").await;
    let (at_default, at_shop) = (
        at_default.unwrap().conversation.id,
        at_shop.unwrap().conversation.id,
    );
    // Both conversations start with "Hello".
    assert_eq!(
        names(&search(&mut admin, "hello", &[]).await.unwrap()).len(),
        2
    );
    // Ben works the default inbox only: the shop's conversation is never found, not even by
    // naming its inbox.
    assert_eq!(
        names(&search(&mut ben, "hello", &[]).await.unwrap()),
        ["Dee"]
    );
    assert!(search(&mut ben, "hello", &[("inbox", &shop.id)])
        .await
        .unwrap()
        .is_empty());
    assert!(search(&mut ben, "sam", &[]).await.unwrap().is_empty());
    assert_eq!(
        names(
            &search(&mut admin, "hello", &[("inbox", &shop.id)])
                .await
                .unwrap()
        ),
        ["Sam"]
    );
    // Status and assignee.
    let _: Conversation = admin
        .call(
            "set_status",
            &[
                ("conversation_id", at_shop.as_str()),
                ("status", "resolved"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        names(
            &search(&mut admin, "hello", &[("status", "resolved")])
                .await
                .unwrap()
        ),
        ["Sam"]
    );
    assert_eq!(
        names(
            &search(&mut admin, "hello", &[("status", "waiting")])
                .await
                .unwrap()
        ),
        ["Dee"]
    );
    let _: Conversation = admin
        .call(
            "assign_conversation",
            &[
                ("conversation_id", at_default.as_str()),
                ("assignee", admin_agent.id.as_str()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        names(
            &search(&mut admin, "hello", &[("assignee", &admin_agent.id)])
                .await
                .unwrap()
        ),
        ["Dee"]
    );
    // Dates: messages written in a window.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let (past, future) = ((now - 3_600_000).to_string(), (now + 3_600_000).to_string());
    assert_eq!(
        search(
            &mut admin,
            "hello",
            &[("from_ms", &past), ("to_ms", &future)]
        )
        .await
        .unwrap()
        .len(),
        2
    );
    assert!(search(&mut admin, "hello", &[("from_ms", &future)])
        .await
        .unwrap()
        .is_empty());
    assert!(search(&mut admin, "hello", &[("to_ms", &past)])
        .await
        .unwrap()
        .is_empty());
}

async fn bad_searches_get_typed_errors(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut visitor, _) = start_chat(&server, "Vic", "hello there").await;
    let long = "word ".repeat(2048);
    for bad in [
        "",
        "   ",
        "\"\" * - ( ) : ^ + ~ \" -",
        "!!! ???",
        long.as_str(),
    ] {
        assert!(
            matches!(
                search(&mut agent, bad, &[]).await,
                Err(AppError::Invalid(_))
            ),
            "{:?}",
            &bad[..bad.len().min(30)]
        );
    }
    // Operators typed into the box are words, never syntax (and never an error).
    search(&mut agent, "hello AND NOT -there* OR NEAR(x)", &[])
        .await
        .unwrap();
    assert_eq!(
        search(&mut agent, "hello* (there)", &[])
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        search(&mut agent, "hello", &[("status", "sleeping")]).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(
        search(&mut visitor, "hello", &[]).await,
        Err(AppError::SignInRequired)
    );
}

on_both_stores!(
    words_phrases_notes_names_and_labels_are_found,
    filters_and_access,
    bad_searches_get_typed_errors,
);
