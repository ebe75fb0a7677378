//! First start and shutdown, as an operator sees them.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::live::ClientFrame;
use switchboard::model::{Agent, Role};
use tokio_tungstenite::tungstenite::Message as WsMessage;

async fn first_start_without_an_admin_prints_a_one_time_setup_link(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process_with(
        &db,
        &[
            ("SWITCHBOARD_ADMIN_EMAIL", ""),
            ("SWITCHBOARD_ADMIN_PASSWORD", ""),
        ],
    )
    .await;
    let line = server
        .startup
        .iter()
        .find(|l| l.contains("/agent/setup?token="))
        .expect("a setup link is printed");
    let token = line.rsplit("token=").next().unwrap().trim().to_string();

    let mut browser = server.client();
    let short: Result<Agent, AppError> = browser
        .call(
            "complete_setup",
            &[
                ("token", &token),
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert!(
        matches!(short, Err(AppError::Invalid(_))),
        "a short password is refused: {short:?}"
    );
    let wrong: Result<Agent, AppError> = browser
        .call(
            "complete_setup",
            &[
                ("token", "guess"),
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(wrong, Err(AppError::SetupLinkInvalid));

    let admin: Agent = browser
        .call(
            "complete_setup",
            &[
                ("token", &token),
                ("name", "Ana"),
                ("email", "Ana@Example.com"),
                ("password", "long enough pw"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        (admin.role, admin.email.as_str()),
        (Role::Admin, "ana@example.com")
    );
    // The setup signed the admin in, and the link is spent.
    let me: Option<Agent> = browser.call("current_agent", &[]).await.unwrap();
    assert_eq!(me.map(|a| a.id), Some(admin.id));
    let again: Result<Agent, AppError> = server
        .client()
        .call(
            "complete_setup",
            &[
                ("token", &token),
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(again, Err(AppError::SetupLinkInvalid));
    server.stop().await;
}

async fn sigterm_tells_sockets_to_reconnect_and_exits(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let (visitor, session) = start_chat(&server, "Pat", "hi").await;
    let mut socket = visitor.socket().await;
    socket
        .send(&subscribe(&session.conversation.id, Some(1)))
        .await;
    socket.send(&ClientFrame::Ping).await;

    server.terminate();
    let code = loop {
        match socket.next_raw().await {
            Some(WsMessage::Close(frame)) => break frame.map(|f| u16::from(f.code)),
            Some(_) => continue,
            None => break None,
        }
    };
    assert_eq!(code, Some(1012), "service restart: reconnect elsewhere");
    assert!(
        server.exited().await.success(),
        "a clean exit after draining"
    );
}

on_both_stores!(
    first_start_without_an_admin_prints_a_one_time_setup_link,
    sigterm_tells_sockets_to_reconnect_and_exits,
);

#[test]
fn help_lists_every_setting_with_its_environment_variable() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for name in [
        "DATABASE_URL",
        "SWITCHBOARD_ADDRESS",
        "SWITCHBOARD_PUBLIC_URL",
        "SWITCHBOARD_ALLOWED_ORIGINS",
        "SWITCHBOARD_HEARTBEAT_SECS",
        "SWITCHBOARD_ADMIN_EMAIL",
    ] {
        assert!(help.contains(name), "{name} missing from --help:\n{help}");
    }
    // Secrets are never echoed, even when set.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--help")
        .env("DATABASE_URL", "postgres://user:s3cret@db/switchboard")
        .env("SWITCHBOARD_ADMIN_PASSWORD", "hunter2hunter2")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        !help.contains("s3cret") && !help.contains("hunter2"),
        "{help}"
    );
}

/// `switchboard --healthcheck` (the container image's HEALTHCHECK): 0 against a serving
/// node, 1 where nothing listens.
#[tokio::test]
async fn healthcheck_flag_exits_zero_only_when_the_server_answers() {
    let db = Db::new(Backend::Sqlite).await;
    let server = Server::start(&db).await;
    let address = server.base.trim_start_matches("http://").to_string();
    let probe = |address: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("--healthcheck")
            .env("SWITCHBOARD_ADDRESS", address)
            .status()
            .unwrap()
    };
    let healthy = tokio::task::spawn_blocking({
        let address = address.clone();
        move || probe(address)
    })
    .await
    .unwrap();
    assert!(healthy.success(), "a serving node is healthy");
    server.stop().await;
    let stopped = tokio::task::spawn_blocking(move || probe(address))
        .await
        .unwrap();
    assert_eq!(stopped.code(), Some(1), "nothing listening: unhealthy");
}
