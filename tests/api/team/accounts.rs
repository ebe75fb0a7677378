//! Accounts of a team: invites, roles and the last admin, deactivation, sign-in lockout.
use crate::common::*;
use switchboard::error::AppError;
use switchboard::inbox::ConversationDetail;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::{CreatedInvite, Invite, SenderKind, TeamMember};
use switchboard::team::TeamOverview;

on_both_stores!(
    invites_are_single_use_and_roles_are_enforced,
    the_last_admin_stays,
    deactivation_closes_sockets_and_returns_chats_to_the_queue,
    repeated_wrong_passwords_lock_that_account_from_that_address,
);

async fn invites_are_single_use_and_roles_are_enforced(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    ana.sign_in().await;

    let created: CreatedInvite = ana
        .call(
            "create_invite",
            &[("email", "Ben@Example.com"), ("role", "agent")],
        )
        .await
        .unwrap();
    assert_eq!(created.invite.email, "ben@example.com");
    let token = invite_token(&created.link);
    let mut stranger = server.client();
    let shown: Invite = stranger
        .call("invite_details", &[("token", &token)])
        .await
        .unwrap();
    assert_eq!(shown.id, created.invite.id);

    // A bad name or password writes nothing: the invite still works afterwards.
    let short = stranger
        .call::<switchboard::model::Agent>(
            "accept_invite",
            &[("token", &token), ("name", "Ben"), ("password", "short")],
        )
        .await;
    assert!(matches!(short, Err(AppError::Invalid(_))), "{short:?}");
    let mut ben = server.client();
    let joined: switchboard::model::Agent = ben
        .call(
            "accept_invite",
            &[
                ("token", &token),
                ("name", "Ben"),
                ("password", "a long enough password"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(joined.name, "Ben");
    // Signed in at once.
    let me: Option<switchboard::model::Agent> = ben.call("current_agent", &[]).await.unwrap();
    assert_eq!(me.unwrap().id, joined.id);

    // Used twice: refused, and no second account.
    let again = server
        .client()
        .call::<switchboard::model::Agent>(
            "accept_invite",
            &[
                ("token", &token),
                ("name", "Eve"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(again, Err(AppError::InviteInvalid));

    // A revoked invite is refused too.
    let second: CreatedInvite = ana
        .call(
            "create_invite",
            &[("email", "cleo@example.com"), ("role", "admin")],
        )
        .await
        .unwrap();
    ana.call::<()>("revoke_invite", &[("id", &second.invite.id)])
        .await
        .unwrap();
    let revoked = server
        .client()
        .call::<Invite>("invite_details", &[("token", &invite_token(&second.link))])
        .await;
    assert_eq!(revoked, Err(AppError::InviteInvalid));

    // Inviting an existing agent is refused with a message.
    let taken = ana
        .call::<CreatedInvite>(
            "create_invite",
            &[("email", "ben@example.com"), ("role", "agent")],
        )
        .await;
    assert!(matches!(taken, Err(AppError::Invalid(_))), "{taken:?}");

    // Roles: an agent sees the active team read-only (no pending invites) and may not manage
    // it, on any call.
    let seen = ben
        .call::<TeamOverview>("team_overview", &[])
        .await
        .expect("agents see the team");
    assert!(seen.invites.is_empty(), "invites are for admins");
    assert!(seen.members.iter().all(|member| member.active));
    assert!(seen
        .members
        .iter()
        .any(|m| m.agent.email == "ben@example.com"));
    let admins_view = ana
        .call::<TeamOverview>("team_overview", &[])
        .await
        .unwrap();
    assert!(admins_view.members.len() >= seen.members.len());
    assert_eq!(
        ben.call::<CreatedInvite>(
            "create_invite",
            &[("email", "x@example.com"), ("role", "admin")]
        )
        .await,
        Err(AppError::AdminOnly)
    );
    assert_eq!(
        ben.call::<TeamMember>(
            "change_role",
            &[("agent_id", &joined.id), ("role", "admin")]
        )
        .await,
        Err(AppError::AdminOnly)
    );
    assert_eq!(
        ben.call::<TeamMember>(
            "set_agent_active",
            &[("agent_id", &joined.id), ("active", "false")]
        )
        .await,
        Err(AppError::AdminOnly)
    );
    // Nobody signed in: sign in first.
    assert_eq!(
        server
            .client()
            .call::<Vec<TeamMember>>("teammates", &[])
            .await,
        Err(AppError::SignInRequired)
    );
    // A visitor's token opens no agent call and no inbox on the socket.
    let (visitor, _) = start_chat(&server, "Maya", "Hello").await;
    let mut visitor_socket = visitor.socket().await;
    visitor_socket.send(&ClientFrame::WatchInbox).await;
    let refused = next_error_code(&mut visitor_socket).await;
    assert_eq!(refused, "forbidden");
    visitor_socket.send(&ClientFrame::Away { away: true }).await;
    let refused = next_error_code(&mut visitor_socket).await;
    assert_eq!(refused, "forbidden");

    // The admin sees both, and the agent can list teammates for assignment.
    let team: TeamOverview = ana.call("team_overview", &[]).await.unwrap();
    assert_eq!(team.members.len(), 2);
    assert!(
        team.invites.is_empty(),
        "used and revoked invites are not pending"
    );
    let mates: Vec<TeamMember> = ben.call("teammates", &[]).await.unwrap();
    assert_eq!(mates.len(), 2);
}

async fn the_last_admin_stays(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    let me = ana.sign_in().await;
    assert_eq!(
        ana.call::<TeamMember>("change_role", &[("agent_id", &me.id), ("role", "agent")])
            .await,
        Err(AppError::LastAdmin)
    );
    assert_eq!(
        ana.call::<TeamMember>(
            "set_agent_active",
            &[("agent_id", &me.id), ("active", "false")]
        )
        .await,
        Err(AppError::LastAdmin)
    );
    // With a second admin, Ana can step down; then Ben is the last one.
    let (_ben, ben) = invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "admin").await;
    let stepped: TeamMember = ana
        .call("change_role", &[("agent_id", &me.id), ("role", "agent")])
        .await
        .unwrap();
    assert_eq!(stepped.agent.role, switchboard::model::Role::Agent);
    assert_eq!(
        ana.call::<TeamMember>("change_role", &[("agent_id", &ben.id), ("role", "agent")])
            .await,
        Err(AppError::AdminOnly),
        "Ana is no longer an admin"
    );
    // Unknown agents are refused with a typed error.
    let mut ben_client = _ben;
    assert_eq!(
        ben_client
            .call::<TeamMember>("change_role", &[("agent_id", "nobody"), ("role", "agent")])
            .await,
        Err(AppError::AgentUnavailable)
    );
}

async fn deactivation_closes_sockets_and_returns_chats_to_the_queue(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    ana.sign_in().await;
    let (mut ben, ben_agent) =
        invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    let (_visitor, session) = start_chat(&server, "Maya", "Hello?").await;
    let id = session.conversation.id.clone();
    send_agent(&mut ben, &id, "Ben here, how can I help?")
        .await
        .unwrap();
    let mut ben_socket = ben.socket().await;
    let mut ana_socket = ana.socket().await;
    follow(&mut ana_socket, &id).await;

    let member: TeamMember = ana
        .call(
            "set_agent_active",
            &[("agent_id", &ben_agent.id), ("active", "false")],
        )
        .await
        .unwrap();
    assert!(!member.active);
    assert_eq!(member.open_chats, 0);
    // Ben's socket is told and closed, without Ben doing anything.
    let frame = ben_socket.next_frame().await;
    assert!(matches!(frame, ServerFrame::SignedOut { .. }), "{frame:?}");
    assert_eq!(ben_socket.close_code().await, Some(4001));
    // Ben can no longer act, with the same cookie or by signing in again.
    assert_eq!(
        send_agent(&mut ben, &id, "still here?").await,
        Err(AppError::SignInRequired)
    );
    assert!(
        ben.try_socket(None).await.is_err(),
        "no socket for a deactivated agent"
    );
    assert_eq!(
        server
            .client()
            .call::<switchboard::model::Agent>(
                "sign_in",
                &[
                    ("email", "ben@example.com"),
                    ("password", "a long enough password")
                ]
            )
            .await,
        Err(AppError::WrongCredentials)
    );
    // The conversation went back to the queue, with a notice Ana sees live.
    let notice = ana_socket
        .expect(|f| frame_message(f).filter(|m| m.sender == SenderKind::System))
        .await;
    assert_eq!(notice.body, "Ana returned this chat to the queue");
    let detail: ConversationDetail = ana.call("open_conversation", &[("id", &id)]).await.unwrap();
    assert_eq!(detail.conversation.assignee_id, None);
    // Assigning to a deactivated agent is refused, and writes nothing.
    let refused = ana
        .call::<switchboard::model::Conversation>(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", &ben_agent.id)],
        )
        .await;
    assert_eq!(refused, Err(AppError::AgentUnavailable));
    let after: ConversationDetail = ana.call("open_conversation", &[("id", &id)]).await.unwrap();
    assert_eq!(after.conversation.last_seq, detail.conversation.last_seq);
    // Reactivated, Ben signs in again.
    ana.call::<TeamMember>(
        "set_agent_active",
        &[("agent_id", &ben_agent.id), ("active", "true")],
    )
    .await
    .unwrap();
    server
        .client()
        .call::<switchboard::model::Agent>(
            "sign_in",
            &[
                ("email", "ben@example.com"),
                ("password", "a long enough password"),
            ],
        )
        .await
        .unwrap();
}

async fn repeated_wrong_passwords_lock_that_account_from_that_address(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let attempt = |password: &'static str, email: &'static str| {
        let mut client = server.client();
        async move {
            client
                .call::<switchboard::model::Agent>(
                    "sign_in",
                    &[("email", email), ("password", password)],
                )
                .await
        }
    };
    for _ in 0..8 {
        assert_eq!(
            attempt("wrong password!", ADMIN_EMAIL).await,
            Err(AppError::WrongCredentials)
        );
    }
    // Locked: even the right password is refused for now, with a clear message.
    let locked = attempt(ADMIN_PASSWORD, ADMIN_EMAIL).await;
    assert!(
        matches!(locked, Err(AppError::TooManyAttempts { retry_after_secs }) if retry_after_secs > 60),
        "{locked:?}"
    );
    // An unknown e-mail locks the same way, so a lock reveals nothing about accounts.
    for _ in 0..8 {
        attempt("wrong password!", "nobody@example.com")
            .await
            .unwrap_err();
    }
    assert!(matches!(
        attempt("wrong password!", "nobody@example.com").await,
        Err(AppError::TooManyAttempts { .. })
    ));
}
