//! Transcripts: a signed-in agent who may read the conversation downloads it as text or
//! HTML; notes only when asked for; markup stays text; nobody else gets it.
use crate::common::*;

async fn download(client: &Client, path: &str) -> (u16, String, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", client.base))
        .header("Cookie", client.cookie_header())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

async fn transcripts_for_agents_only(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (mut visitor, session) = start_chat(
        &server,
        "Zoe <b>Bold</b>",
        "My order <script>alert(1)</script>",
    )
    .await;
    let id = session.conversation.id.clone();
    send_visitor(&mut visitor, "line one\nline two")
        .await
        .unwrap();
    let mut admin = server.client();
    admin.sign_in().await;
    send_agent(&mut admin, &id, "On it!").await.unwrap();
    let _: switchboard::model::Message = admin
        .call(
            "add_note",
            &[
                ("conversation_id", &id),
                ("body", "internal: check stock"),
                ("client_id", &client_id()),
            ],
        )
        .await
        .unwrap();

    let (status, kind, text) = download(&admin, &format!("/agent/transcript/{id}")).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/plain"), "{kind}");
    assert!(
        text.starts_with("Conversation with Zoe <b>Bold</b>"),
        "{text}"
    );
    assert!(
        text.contains("Zoe <b>Bold</b>: My order <script>alert(1)</script>"),
        "{text}"
    );
    assert!(
        text.contains("line one\n    line two"),
        "later lines indented: {text}"
    );
    assert!(text.contains(": On it!"));
    assert!(text.contains("joined the chat"), "system notices are kept");
    assert!(
        !text.contains("check stock"),
        "notes are left out unless asked for"
    );
    let (_, _, with_notes) = download(&admin, &format!("/agent/transcript/{id}?notes=true")).await;
    assert!(
        with_notes.contains("Note by Ana: internal: check stock"),
        "{with_notes}"
    );

    let (status, kind, html) =
        download(&admin, &format!("/agent/transcript/{id}?format=html")).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script>alert(1)"),
        "markup is escaped: {html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("check stock"));

    // Nobody else: a visitor (even of this conversation), no one at all, another inbox's agent.
    let (status, _, _) = download(&visitor, &format!("/agent/transcript/{id}")).await;
    assert_eq!(status, 401);
    let (status, _, _) = download(&server.client(), &format!("/agent/transcript/{id}")).await;
    assert_eq!(status, 401);
    let (status, _, _) = download(&admin, "/agent/transcript/no-such-conversation").await;
    assert_eq!(status, 404);
    let (status, _, _) = download(&admin, &format!("/agent/transcript/{id}?format=pdf")).await;
    assert_eq!(status, 400);
    // An agent who works only another inbox.
    let (outsider, out_agent) =
        invite_and_join(&server, &mut admin, "out@example.com", "Out", "agent").await;
    let other = crate::inbox_access::shop_inbox(&mut admin).await;
    admin
        .call_json::<serde_json::Value>(
            "save_inbox_members",
            serde_json::json!({ "id": other.id, "members": [out_agent.id] }),
        )
        .await
        .unwrap();
    admin
        .call_json::<serde_json::Value>(
            "save_inbox_members",
            serde_json::json!({ "id": "default", "members": [] }),
        )
        .await
        .unwrap();
    let (status, _, _) = download(&outsider, &format!("/agent/transcript/{id}")).await;
    assert_eq!(status, 404, "an agent who does not work this inbox");
}

on_both_stores!(transcripts_for_agents_only);
