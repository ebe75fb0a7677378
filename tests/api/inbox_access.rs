//! Several inboxes, one per website: each widget works only on its own sites (the widget
//! page's `frame-ancestors` and `Referer`, its server functions' host, foreign origins on
//! every call and socket), and agents see only the inboxes they work, over HTTP and the socket.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::inbox::ConversationDetail;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::{Conversation, InboxItem, InboxSettings, WidgetInbox};
use switchboard::widget::WidgetSession;

on_both_stores!(
    each_widget_works_only_on_its_own_sites,
    agents_see_only_the_inboxes_they_work,
    identified_visitors_bring_their_earlier_conversations
);

/// The admin adds an inbox for `shop.example` and returns its settings.
pub(crate) async fn shop_inbox(admin: &mut Client) -> InboxSettings {
    let created: InboxSettings = admin
        .call("create_inbox", &[("name", "Acme Shop")])
        .await
        .unwrap();
    let settings = InboxSettings {
        allowed_domains: vec!["shop.example".into(), "*.acme.test".into()],
        ..created
    };
    admin
        .call_json("save_inbox", serde_json::json!({ "settings": settings }))
        .await
        .unwrap()
}

pub(crate) async fn start_in(
    server: &Server,
    inbox: &str,
    host: &str,
    name: &str,
) -> (Client, Result<WidgetSession, AppError>) {
    let mut visitor = server.client();
    let started = visitor
        .call(
            "start_conversation",
            &[
                ("name", name),
                ("email", ""),
                ("body", "Hello"),
                ("client_id", &client_id()),
                ("page_url", "https://shop.example/cart"),
                ("inbox", inbox),
                ("host", host),
            ],
        )
        .await;
    (visitor, started)
}

/// The widget page of an inbox, framed by a page of `referer`: its CSP and whether it shows.
async fn widget_page(server: &Server, inbox: &str, referer: &str) -> (Option<String>, String) {
    let response = reqwest::Client::new()
        .get(format!("{}/widget?inbox={inbox}", server.base))
        .header("Referer", referer)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let csp = frame_ancestors(response.headers());
    (csp, response.text().await.unwrap())
}

const REFUSED_TEXT: &str = "This chat is not available on this website.";

async fn each_widget_works_only_on_its_own_sites(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let shop = shop_inbox(&mut admin).await;
    assert_ne!(shop.id, "default");

    // The widget page: framed only by the inbox's sites; refused when a foreign page frames it.
    let (csp, page) = widget_page(&server, &shop.id, "https://shop.example/cart").await;
    assert_eq!(
        csp.as_deref(),
        Some("frame-ancestors 'self' shop.example *.acme.test")
    );
    assert!(page.contains("Acme Shop"), "the shop's widget shows");
    assert!(!page.contains(REFUSED_TEXT));
    let (_, page) = widget_page(&server, &shop.id, "https://evil.example/").await;
    assert!(page.contains(REFUSED_TEXT), "a foreign page gets no widget");
    // The default inbox still allows any site; an unknown inbox is refused.
    let (csp, page) = widget_page(&server, "default", "https://evil.example/").await;
    assert_eq!(csp, None);
    assert!(!page.contains(REFUSED_TEXT));
    let (csp, _) = widget_page(&server, "nope", "https://shop.example/").await;
    assert_eq!(csp.as_deref(), Some("frame-ancestors 'self'"));

    // The widget's server functions: the framing site is checked against the inbox's list.
    let widget: Result<WidgetInbox, AppError> = server
        .client()
        .call(
            "widget_inbox",
            &[("inbox", &shop.id), ("host", "https://a.acme.test")],
        )
        .await;
    assert_eq!(widget.unwrap().name, "Acme Shop");
    let refused: Result<WidgetInbox, AppError> = server
        .client()
        .call(
            "widget_inbox",
            &[("inbox", &shop.id), ("host", "https://acme.test.evil")],
        )
        .await;
    assert_eq!(refused, Err(AppError::SiteNotAllowed));
    let (_, refused) = start_in(&server, &shop.id, "https://evil.example", "Eve").await;
    assert_eq!(refused.unwrap_err(), AppError::SiteNotAllowed);
    let (mut visitor, started) = start_in(&server, &shop.id, "https://shop.example", "Sam").await;
    let started = started.unwrap();
    assert_eq!(started.conversation.inbox_id, shop.id);
    // The same visitor on the default inbox's widget has no conversation there.
    let elsewhere: Option<WidgetSession> = visitor
        .call("visitor_session", &[("inbox", "default")])
        .await
        .unwrap();
    assert_eq!(elsewhere, None);
    let here: Option<WidgetSession> = visitor
        .call("visitor_session", &[("inbox", &shop.id)])
        .await
        .unwrap();
    assert_eq!(here.unwrap().conversation.id, started.conversation.id);

    // Switched off, the inbox's widget says so and starts nothing; switched on, it works again.
    let off = InboxSettings {
        enabled: false,
        ..shop.clone()
    };
    let saved: InboxSettings = admin
        .call_json("save_inbox", serde_json::json!({ "settings": off }))
        .await
        .unwrap();
    assert!(!saved.enabled);
    let (_, page) = widget_page(&server, &shop.id, "https://shop.example/").await;
    assert!(page.contains("This chat is switched off for now."));
    let (_, refused) = start_in(&server, &shop.id, "https://shop.example", "Sam").await;
    assert_eq!(refused.unwrap_err(), AppError::InboxSwitchedOff);
    let _: InboxSettings = admin
        .call_json("save_inbox", serde_json::json!({ "settings": shop }))
        .await
        .unwrap();
    let (_, page) = widget_page(&server, &shop.id, "https://shop.example/").await;
    assert!(page.contains("Acme Shop") && !page.contains("switched off"));

    // A page on another origin calling directly is refused, calls and sockets alike.
    let foreign = reqwest::Client::new()
        .post(format!("{}/api/start_conversation", server.base))
        .header("Origin", "https://shop.example")
        .form(&[
            ("name", "X"),
            ("body", "Hi"),
            ("client_id", &client_id()),
            ("page_url", ""),
            ("email", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(visitor
        .try_socket(Some("https://evil.example"))
        .await
        .is_err());
    assert!(visitor.try_socket(None).await.is_ok());
}

async fn agents_see_only_the_inboxes_they_work(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let shop = shop_inbox(&mut admin).await;
    // Ben joins: new teammates work the default inbox only.
    let (mut ben, ben_agent) =
        invite_and_join(&server, &mut admin, "ben@example.com", "Ben", "agent").await;
    let mut ben_socket = ben.socket().await;
    ben_socket.send(&ClientFrame::WatchInbox).await;
    ben_socket.send(&ClientFrame::Ping).await;
    ben_socket
        .expect(|f| matches!(f, ServerFrame::Pong).then_some(()))
        .await;

    let (_, at_shop) = start_in(&server, &shop.id, "", "Sam").await;
    let at_shop = at_shop.unwrap().conversation;
    let (_, at_default) = start_in(&server, "default", "", "Dee").await;
    let at_default = at_default.unwrap().conversation;

    // Ben's socket hears of the default inbox's conversation, never of the shop's.
    let heard = ben_socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation } => Some(conversation),
            _ => None,
        })
        .await;
    assert_eq!(
        heard.id, at_default.id,
        "the shop's conversation stays unheard"
    );

    // Over HTTP: his list, the conversation itself, and the inbox filter.
    let list = |client: &mut Client, inbox: &'static str| {
        let mut client = client.clone();
        async move {
            client
                .call::<Vec<InboxItem>>(
                    "list_conversations",
                    &[("filter", "all"), ("inbox", inbox)],
                )
                .await
                .unwrap()
                .into_iter()
                .map(|item| item.conversation.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(&mut ben, "").await, vec![at_default.id.clone()]);
    let opened = ben
        .call::<ConversationDetail>("open_conversation", &[("id", &at_shop.id)])
        .await;
    assert_eq!(opened.unwrap_err(), AppError::ConversationNotFound);
    // Over the socket: subscribing to it is refused like an unknown id.
    ben_socket.send(&subscribe(&at_shop.id, None)).await;
    assert_eq!(next_error_code(&mut ben_socket).await, "not_found");
    // Admins see every inbox, and filter by one.
    let mut all = list(&mut admin, "").await;
    all.sort();
    let mut expected = vec![at_shop.id.clone(), at_default.id.clone()];
    expected.sort();
    assert_eq!(all, expected);
    let shop_id: &'static str = Box::leak(shop.id.clone().into_boxed_str());
    assert_eq!(list(&mut admin, shop_id).await, vec![at_shop.id.clone()]);
    assert_eq!(list(&mut ben, shop_id).await, Vec::<String>::new());

    // The admin adds Ben to the shop: his open socket is told to refetch, and follows it.
    admin
        .call_json::<serde_json::Value>(
            "save_inbox_members",
            serde_json::json!({ "id": shop.id, "members": [ben_agent.id] }),
        )
        .await
        .unwrap();
    ben_socket
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Resync {
                    conversation_id: None
                }
            )
            .then_some(())
        })
        .await;
    assert_eq!(list(&mut ben, shop_id).await, vec![at_shop.id.clone()]);
    ben_socket.send(&subscribe(&at_shop.id, None)).await;
    let followed = ben_socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation } => Some(conversation),
            _ => None,
        })
        .await;
    assert_eq!(followed.id, at_shop.id);
    // Members no longer include Ben: the default inbox is out of his sight.
    admin
        .call_json::<serde_json::Value>(
            "save_inbox_members",
            serde_json::json!({ "id": "default", "members": [] }),
        )
        .await
        .unwrap();
    ben_socket
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Resync {
                    conversation_id: None
                }
            )
            .then_some(())
        })
        .await;
    assert_eq!(list(&mut ben, "").await, vec![at_shop.id.clone()]);
}

/// A visitor who gave their e-mail (here or through the host site's `identify`) brings their
/// earlier conversations into the agent's panel, from the inboxes the agent may read.
async fn identified_visitors_bring_their_earlier_conversations(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let shop = shop_inbox(&mut admin).await;
    let (mut ben, _) =
        invite_and_join(&server, &mut admin, "ben@example.com", "Ben", "agent").await;

    // Earlier on the shop's site, leaving her e-mail; today on the default site, anonymous,
    // until the host page identifies her.
    let (mut at_shop, before) = start_in(&server, &shop.id, "", "Ida").await;
    let before = before.unwrap().conversation;
    at_shop
        .call::<Conversation>("leave_email", &[("email", "Ida@Example.com")])
        .await
        .unwrap();
    let (mut today, now) = start_in(&server, "default", "", "Ida").await;
    let now = now.unwrap().conversation;
    let earlier = |client: &mut Client, id: String| {
        let mut client = client.clone();
        async move {
            client
                .call::<Vec<Conversation>>("earlier_conversations", &[("conversation_id", &id)])
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(
        earlier(&mut admin, now.id.clone()).await.is_empty(),
        "not known yet"
    );
    today
        .call::<Conversation>(
            "visitor_context",
            &[
                ("name", ""),
                ("email", "ida@example.com"),
                ("context", "[]"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        earlier(&mut admin, now.id.clone()).await,
        vec![before.id.clone()]
    );
    assert_eq!(
        earlier(&mut admin, before.id.clone()).await,
        vec![now.id.clone()]
    );
    // Ben works only the default inbox: the shop's conversation stays out of his sight.
    assert!(earlier(&mut ben, now.id.clone()).await.is_empty());
    // Visitors cannot ask.
    let refused = today
        .call::<Vec<Conversation>>("earlier_conversations", &[("conversation_id", &now.id)])
        .await;
    assert_eq!(refused, Err(AppError::SignInRequired));
}

/// Two nodes on one PostgreSQL database: an admin on one changes who works an inbox, and an
/// agent's socket on the other follows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_changes_reach_sockets_on_every_node() {
    let db = Db::new(Backend::Postgres).await;
    let node_a = Server::start(&db).await;
    let node_b = Server::start(&db).await;
    let mut admin = node_a.client();
    admin.sign_in().await;
    let shop = shop_inbox(&mut admin).await;
    let (ben, ben_agent) =
        invite_and_join(&node_a, &mut admin, "ben@example.com", "Ben", "agent").await;
    let ben = ben.at(&node_b.base);
    let mut ben_socket = ben.socket().await;
    ben_socket.send(&ClientFrame::WatchInbox).await;
    ben_socket.send(&ClientFrame::Ping).await;
    ben_socket
        .expect(|f| matches!(f, ServerFrame::Pong).then_some(()))
        .await;
    admin
        .call_json::<serde_json::Value>(
            "save_inbox_members",
            serde_json::json!({ "id": shop.id, "members": [ben_agent.id] }),
        )
        .await
        .unwrap();
    ben_socket
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Resync {
                    conversation_id: None
                }
            )
            .then_some(())
        })
        .await;
    // Now a new conversation in the shop's inbox reaches Ben's socket on node B.
    let (_, started) = start_in(&node_a, &shop.id, "", "Sam").await;
    let started = started.unwrap().conversation;
    let heard = ben_socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation } if conversation.id == started.id => {
                Some(conversation)
            }
            _ => None,
        })
        .await;
    assert_eq!(heard.inbox_id, shop.id);
}
