//! Presence: online, away, offline, and the widget's offline mode.
use crate::common::*;
use std::time::Duration;
use switchboard::error::AppError;
use switchboard::inbox::ConversationDetail;
use switchboard::live::ClientFrame;

on_both_stores!(
    presence_goes_online_away_offline,
    offline_mode_takes_an_email,
);

async fn presence_goes_online_away_offline(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    let ana_agent = ana.sign_in().await;
    let (ben, ben_agent) =
        invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    let (visitor, _) = start_chat(&server, "Maya", "Hi").await;
    let mut watcher = ana.socket().await;
    let mut visitor_socket = visitor.socket().await;
    let ben_is = |away: Option<bool>| agent_is(&ben_agent.id, away);
    // Two tabs: Ben is online while any tab is in use.
    let mut tab1 = ben.socket().await;
    let mut tab2 = ben.socket().await;
    watcher.team_presence_until(ben_is(Some(false))).await;
    let mut names = visitor_socket.next_presence().await;
    while !names.contains(&"Ben".to_string()) {
        names = visitor_socket.next_presence().await;
    }
    tab1.send(&ClientFrame::Away { away: true }).await;
    // One idle tab is not enough: nothing changes…
    let change = watcher
        .presence_change_within(Duration::from_millis(500))
        .await;
    assert!(change.is_none(), "{change:?}");
    // …both are: Ben is away, and visitors no longer count him.
    tab2.send(&ClientFrame::Away { away: true }).await;
    watcher.team_presence_until(ben_is(Some(true))).await;
    let mut names = visitor_socket.next_presence().await;
    while names.contains(&"Ben".to_string()) {
        names = visitor_socket.next_presence().await;
    }
    // A flood of flips is refused, not announced.
    tab2.send(&ClientFrame::Away { away: false }).await;
    tab2.send(&ClientFrame::Away { away: true }).await;
    let code = next_error_code(&mut tab2).await;
    assert_eq!(code, "rate_limited");
    // Closing the last tab: offline.
    drop(tab1);
    drop(tab2);
    watcher.team_presence_until(ben_is(None)).await;
    let _ = ana_agent;
}

async fn offline_mode_takes_an_email(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    // Nobody is signed in to the dashboard: the chat still starts, marked offline.
    let (mut visitor, session) = start_chat(&server, "Maya", "Are you there?").await;
    assert!(session.conversation.started_offline);
    let bad = visitor
        .call::<switchboard::model::Conversation>("leave_email", &[("email", "not an email")])
        .await;
    assert!(matches!(bad, Err(AppError::Invalid(_))), "{bad:?}");
    let saved: switchboard::model::Conversation = visitor
        .call("leave_email", &[("email", "Maya@Example.com")])
        .await
        .unwrap();
    assert_eq!(saved.visitor_email.as_deref(), Some("maya@example.com"));
    // The agent sees both.
    let mut ana = server.client();
    ana.sign_in().await;
    let detail: ConversationDetail = ana
        .call("open_conversation", &[("id", &session.conversation.id)])
        .await
        .unwrap();
    assert!(detail.conversation.started_offline);
    assert_eq!(
        detail.conversation.visitor_email.as_deref(),
        Some("maya@example.com")
    );
    // Without a conversation there is nothing to attach an e-mail to.
    let stranger = server
        .client()
        .call::<switchboard::model::Conversation>("leave_email", &[("email", "x@example.com")])
        .await;
    assert_eq!(stranger, Err(AppError::ConversationNotFound));
    // With an agent online, a new chat is not offline.
    let _tab = ana.socket().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, online) = start_chat(&server, "Noor", "Hello").await;
    assert!(!online.conversation.started_offline);
}
