//! One agent, several devices: a session that ends closes its own sockets and no others; the
//! agent's own settings are checked before they are kept.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::live::ServerFrame;
use switchboard::model::AgentSettings;

on_both_stores!(
    a_session_that_ends_closes_only_its_own_sockets,
    settings_take_only_real_time_zones,
);

async fn a_session_that_ends_closes_only_its_own_sockets(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let (_visitor, session) = start_chat(&server, "Maya", "Hello?").await;
    let id = session.conversation.id.clone();
    // Ana on her laptop and on her phone: two sessions, a socket each.
    let mut laptop = server.client();
    laptop.sign_in().await;
    let mut phone = server.client();
    phone.sign_in().await;
    let mut laptop_socket = laptop.socket().await;
    let mut phone_socket = phone.socket().await;

    // A password change on the phone signs the laptop out, at once; the phone stays.
    phone
        .call::<()>(
            "change_password",
            &[
                ("current", ADMIN_PASSWORD),
                ("new_password", "another long password"),
            ],
        )
        .await
        .unwrap();
    laptop_socket.expect(signed_out).await;
    assert_eq!(laptop_socket.close_code().await, Some(4001));
    follow(&mut phone_socket, &id).await;
    assert!(
        laptop.try_socket(None).await.is_err(),
        "the laptop's session ended"
    );

    // Signing out on the phone closes the phone's sockets, not a new laptop session's.
    laptop
        .call::<switchboard::model::Agent>(
            "sign_in",
            &[
                ("email", ADMIN_EMAIL),
                ("password", "another long password"),
            ],
        )
        .await
        .unwrap();
    let mut laptop_socket = laptop.socket().await;
    phone.call::<()>("sign_out", &[]).await.unwrap();
    phone_socket.expect(signed_out).await;
    assert_eq!(phone_socket.close_code().await, Some(4001));
    follow(&mut laptop_socket, &id).await;
}

fn signed_out(frame: ServerFrame) -> Option<()> {
    matches!(frame, ServerFrame::SignedOut { .. }).then_some(())
}

fn settings_form(zone: &str) -> Vec<(String, String)> {
    let settings = AgentSettings {
        name: "Ana".into(),
        time_zone: zone.into(),
        ..AgentSettings::default()
    };
    vec![
        ("settings[name]".into(), settings.name),
        ("settings[avatar_color]".into(), settings.avatar_color),
        ("settings[time_zone]".into(), settings.time_zone),
        ("settings[theme]".into(), "dark".into()),
        ("settings[sound]".into(), "true".into()),
        ("settings[notifications]".into(), "false".into()),
        ("settings[notify_new]".into(), "true".into()),
        ("settings[notify_messages]".into(), "true".into()),
    ]
}

async fn settings_take_only_real_time_zones(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    ana.sign_in().await;
    for zone in ["Mars/Olympus_Mons", "Europe/Pariss", "../../etc/passwd", ""] {
        let form = settings_form(zone);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = ana.call::<AgentSettings>("save_settings", &pairs).await;
        assert!(
            matches!(refused, Err(AppError::Invalid(_))),
            "{zone}: {refused:?}"
        );
    }
    let unchanged: AgentSettings = ana.call("my_settings", &[]).await.unwrap();
    assert_eq!(unchanged.time_zone, "UTC");
    let form = settings_form("America/Argentina/Buenos_Aires");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved: AgentSettings = ana.call("save_settings", &pairs).await.unwrap();
    assert_eq!(saved.time_zone, "America/Argentina/Buenos_Aires");
    let kept: AgentSettings = ana.call("my_settings", &[]).await.unwrap();
    assert_eq!(kept, saved);
    assert_eq!(kept.theme.as_str(), "dark");
}
