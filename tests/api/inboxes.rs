//! The website widget's settings (the default inbox): admins change them, every field is
//! checked, the widget page carries the allowed sites as `frame-ancestors`, and an inbox that
//! asks for an e-mail first gets one.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::model::InboxSettings;
use switchboard::widget::WidgetSession;

on_both_stores!(admins_set_the_widget_and_the_sites_that_may_frame_it);

async fn save(
    client: &mut Client,
    settings: &InboxSettings,
    domains: &[&str],
) -> Result<InboxSettings, AppError> {
    let settings = InboxSettings {
        allowed_domains: domains.iter().map(|d| d.to_string()).collect(),
        ..settings.clone()
    };
    client
        .call_json("save_inbox", serde_json::json!({ "settings": settings }))
        .await
}

async fn read(client: &mut Client) -> InboxSettings {
    client
        .call("inbox_settings", &[("id", "default")])
        .await
        .unwrap()
}

async fn frame_policy(server: &Server) -> Option<String> {
    let response = reqwest::get(format!("{}/widget", server.base))
        .await
        .unwrap();
    assert!(response.status().is_success());
    frame_ancestors(response.headers())
}

async fn admins_set_the_widget_and_the_sites_that_may_frame_it(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    // Admins read the settings; out of the box any site may frame the widget.
    let mut admin = server.client();
    admin.sign_in().await;
    let defaults = read(&mut admin).await;
    assert_eq!(defaults.id, "default");
    assert!(defaults.allowed_domains.is_empty());
    assert_eq!(frame_policy(&server).await, None);
    let stranger = server
        .client()
        .call::<InboxSettings>("inbox_settings", &[("id", "default")])
        .await;
    assert_eq!(stranger, Err(AppError::SignInRequired));
    let wanted = InboxSettings {
        name: "Acme Help".into(),
        color: "#0F766E".into(),
        greeting: "Questions about an order? Ask away.".into(),
        ask_email: true,
        ..defaults.clone()
    };
    let saved = save(
        &mut admin,
        &wanted,
        &["https://shop.example/", "*.acme.test"],
    )
    .await
    .unwrap();
    assert_eq!(saved.color, "#0f766e");
    assert_eq!(saved.allowed_domains, ["shop.example", "*.acme.test"]);
    assert_eq!(
        frame_policy(&server).await.as_deref(),
        Some("frame-ancestors 'self' shop.example *.acme.test")
    );
    assert_eq!(read(&mut admin).await, saved);

    // Bad input is refused with a reason, and nothing changes.
    for (settings, domains) in [
        (
            InboxSettings {
                color: "#ffff00".into(),
                ..saved.clone()
            },
            vec![],
        ),
        (
            InboxSettings {
                color: "red".into(),
                ..saved.clone()
            },
            vec![],
        ),
        (
            InboxSettings {
                name: " ".into(),
                ..saved.clone()
            },
            vec![],
        ),
        (saved.clone(), vec!["shop.example; script-src *"]),
        (saved.clone(), vec!["*"]),
    ] {
        let refused = save(&mut admin, &settings, &domains).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    }
    assert_eq!(read(&mut admin).await, saved);

    // Agents and strangers may not change it.
    let (mut agent, _) =
        invite_and_join(&server, &mut admin, "ben@example.com", "Ben", "agent").await;
    assert_eq!(
        save(&mut agent, &saved, &[]).await,
        Err(AppError::AdminOnly)
    );
    assert_eq!(
        save(&mut server.client(), &saved, &[]).await,
        Err(AppError::SignInRequired)
    );

    // Asking for an e-mail first: a visitor without one is told so, and no chat is started.
    let mut visitor = server.client();
    let without = visitor
        .call::<WidgetSession>(
            "start_conversation",
            &[
                ("name", "Ida"),
                ("email", ""),
                ("body", "Hello"),
                ("client_id", &client_id()),
                ("page_url", ""),
            ],
        )
        .await;
    assert!(matches!(without, Err(AppError::Invalid(_))), "{without:?}");
    let with: WidgetSession = visitor
        .call(
            "start_conversation",
            &[
                ("name", "Ida"),
                ("email", "ida@example.com"),
                ("body", "Hello"),
                ("client_id", &client_id()),
                ("page_url", ""),
            ],
        )
        .await
        .unwrap();
    assert_eq!(with.conversation.inbox_id, "default");

    // Emptying the list lets any site frame the widget again.
    save(&mut admin, &saved, &[]).await.unwrap();
    assert_eq!(frame_policy(&server).await, None);
}
