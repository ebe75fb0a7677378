//! Saved replies: every agent keeps their own and uses the team's; only admins keep the
//! team's; nobody reads or changes another agent's; placeholders are checked when saved.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::model::CannedResponse;

async fn save(
    agent: &mut Client,
    id: &str,
    shortcut: &str,
    body: &str,
    shared: bool,
) -> Result<CannedResponse, AppError> {
    let shared = shared.to_string();
    agent
        .call(
            "save_canned",
            &[
                ("id", id),
                ("shortcut", shortcut),
                ("body", body),
                ("shared", &shared),
            ],
        )
        .await
}

async fn list(agent: &mut Client) -> Vec<String> {
    let replies: Vec<CannedResponse> = agent.call("canned_responses", &[]).await.unwrap();
    replies.into_iter().map(|r| r.shortcut).collect()
}

async fn team_and_personal_replies(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let (mut agent, _) =
        invite_and_join(&server, &mut admin, "bo@example.com", "Bo", "agent").await;
    let (mut other, _) =
        invite_and_join(&server, &mut admin, "cy@example.com", "Cy", "agent").await;

    let team = save(
        &mut admin,
        "",
        "/Refund",
        "Hi {{visitor.first_name}}, refunds take 5 days. {{agent.name}}",
        true,
    )
    .await
    .expect("admins keep the team's replies");
    assert!(team.shared());
    assert_eq!(team.shortcut, "refund");
    let mine = save(
        &mut agent,
        "",
        "thanks",
        "Thanks {{ visitor.name }}!",
        false,
    )
    .await
    .unwrap();
    assert!(!mine.shared(), "a personal reply");

    // Each sees the team's and their own only.
    assert_eq!(list(&mut agent).await, vec!["refund", "thanks"]);
    assert_eq!(list(&mut other).await, vec!["refund"]);
    assert_eq!(list(&mut admin).await, vec!["refund"]);

    // Only admins share, change or delete the team's.
    assert_eq!(
        save(&mut agent, "", "mine-too", "x", true).await,
        Err(AppError::AdminOnly)
    );
    assert_eq!(
        save(&mut agent, &team.id, "refund", "changed", false).await,
        Err(AppError::AdminOnly)
    );
    let removed: Result<(), AppError> = agent.call("delete_canned", &[("id", &team.id)]).await;
    assert_eq!(removed, Err(AppError::AdminOnly));
    // Another agent's reply is not there for anyone else, not even to change.
    assert_eq!(
        save(&mut other, &mine.id, "thanks", "hijacked", false).await,
        Err(AppError::SavedReplyNotFound)
    );
    let removed: Result<(), AppError> = admin.call("delete_canned", &[("id", &mine.id)]).await;
    assert_eq!(removed, Err(AppError::SavedReplyNotFound));

    // Bad input: an unknown placeholder, a bad shortcut, a taken one, an empty body.
    let unknown = save(&mut agent, "", "age", "You are {{visitor.age}}", false).await;
    assert!(
        matches!(unknown, Err(AppError::Invalid(ref text)) if text.contains("visitor.age")),
        "{unknown:?}"
    );
    assert!(matches!(
        save(&mut agent, "", "two words", "x", false).await,
        Err(AppError::Invalid(_))
    ));
    let taken = save(&mut agent, "", "thanks", "again", false).await;
    assert!(
        matches!(taken, Err(AppError::Invalid(ref text)) if text.contains("already")),
        "{taken:?}"
    );
    assert_eq!(
        save(&mut agent, "", "blank", "  ", false).await,
        Err(AppError::EmptyMessage)
    );
    // The same shortcut as the team's is fine for one's own (the list shows both).
    save(&mut other, "", "refund", "My own refund text", false)
        .await
        .unwrap();
    assert_eq!(list(&mut other).await, vec!["refund", "refund"]);

    // Changing keeps the owner; deleting removes it.
    let changed = save(&mut agent, &mine.id, "thank-you", "Thank you!", false)
        .await
        .unwrap();
    assert_eq!(changed.owner_id, mine.owner_id);
    assert_eq!(list(&mut agent).await, vec!["refund", "thank-you"]);
    let removed: Result<(), AppError> = agent.call("delete_canned", &[("id", &mine.id)]).await;
    assert_eq!(removed, Ok(()));
    assert_eq!(list(&mut agent).await, vec!["refund"]);

    // Visitors have none.
    let (mut visitor, _) = start_chat(&server, "Val", "hello").await;
    let refused: Result<Vec<CannedResponse>, AppError> =
        visitor.call("canned_responses", &[]).await;
    assert_eq!(refused, Err(AppError::SignInRequired));
}

on_both_stores!(team_and_personal_replies);
