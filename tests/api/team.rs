//! A team works in it: invites, roles on every call and on the socket, deactivation,
//! assignment and transfer, unread counts per agent, presence, and sign-in lockout.
//! Each runs on SQLite and on PostgreSQL.
use crate::common::*;
use std::time::{Duration, Instant};
use switchboard::error::AppError;
use switchboard::inbox::ConversationDetail;
use switchboard::live::{ClientFrame, ServerFrame};
use switchboard::model::{CreatedInvite, InboxItem, Invite, SenderKind, TeamMember};
use switchboard::team::TeamOverview;

on_both_stores!(
    invites_are_single_use_and_roles_are_enforced,
    the_last_admin_stays,
    deactivation_closes_sockets_and_returns_chats_to_the_queue,
    a_transfer_writes_a_notice_every_side_sees,
    unread_counts_are_per_agent_and_cleared_by_reading,
    presence_goes_online_away_offline,
    repeated_wrong_passwords_lock_that_account_from_that_address,
    offline_mode_takes_an_email,
    auto_assignment_is_fair_and_respects_the_limit,
);

/// Subscribes and waits for the answer, so what follows arrives live, not in the replay.
async fn follow(socket: &mut Socket, conversation_id: &str) {
    socket.send(&subscribe(conversation_id, None)).await;
    socket
        .expect(|f| matches!(f, ServerFrame::Replay { .. }).then_some(()))
        .await;
}

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

    // Roles: an agent may not manage the team, on any call.
    assert_eq!(
        ben.call::<TeamOverview>("team_overview", &[]).await,
        Err(AppError::AdminOnly)
    );
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
    let refused = visitor_socket
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(refused, "forbidden");
    visitor_socket.send(&ClientFrame::Away { away: true }).await;
    let refused = visitor_socket
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
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

    let started = Instant::now();
    let member: TeamMember = ana
        .call(
            "set_agent_active",
            &[("agent_id", &ben_agent.id), ("active", "false")],
        )
        .await
        .unwrap();
    assert!(!member.active);
    assert_eq!(member.open_chats, 0);
    // Ben's socket is told and closed within a second.
    let frame = ben_socket.next_frame().await;
    assert!(matches!(frame, ServerFrame::SignedOut { .. }), "{frame:?}");
    loop {
        match ben_socket.next_raw().await {
            Some(tokio_tungstenite::tungstenite::Message::Close(Some(close))) => {
                assert_eq!(u16::from(close.code), 4001);
                break;
            }
            Some(tokio_tungstenite::tungstenite::Message::Close(None)) | None => break,
            _ => continue,
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
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

async fn a_transfer_writes_a_notice_every_side_sees(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    let ana_agent = ana.sign_in().await;
    let (mut ben, ben_agent) =
        invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    let (visitor, session) = start_chat(&server, "Maya", "Where is my order?").await;
    let id = session.conversation.id.clone();
    // The first reply assigns, as before.
    send_agent(&mut ana, &id, "Let me look.").await.unwrap();
    let mut watchers = Vec::new();
    for client in [&visitor, &ana, &ben] {
        let mut socket = client.socket().await;
        follow(&mut socket, &id).await;
        watchers.push(socket);
    }
    let moved: switchboard::model::Conversation = ana
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", &ben_agent.id)],
        )
        .await
        .unwrap();
    assert_eq!(moved.assignee_id.as_deref(), Some(ben_agent.id.as_str()));
    for socket in &mut watchers {
        let notice = socket
            .expect(|f| frame_message(f).filter(|m| m.sender == SenderKind::System))
            .await;
        assert_eq!(notice.body, "Ana handed this chat to Ben");
    }
    // Assigning to the current assignee writes nothing; unknown agents are refused.
    let same: switchboard::model::Conversation = ben
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", &ben_agent.id)],
        )
        .await
        .unwrap();
    assert_eq!(same.last_seq, moved.last_seq);
    assert_eq!(
        ben.call::<switchboard::model::Conversation>(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", "no-such-agent")],
        )
        .await,
        Err(AppError::AgentUnavailable)
    );
    // A visitor cannot assign.
    let mut visitor = visitor;
    assert_eq!(
        visitor
            .call::<switchboard::model::Conversation>(
                "assign_conversation",
                &[("conversation_id", &id), ("assignee", &ana_agent.id)],
            )
            .await,
        Err(AppError::SignInRequired)
    );
    // Ben takes it back to the queue, then Ana takes it.
    let queued: switchboard::model::Conversation = ben
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", "")],
        )
        .await
        .unwrap();
    assert_eq!(queued.assignee_id, None);
    let taken: switchboard::model::Conversation = ana
        .call(
            "assign_conversation",
            &[("conversation_id", &id), ("assignee", &ana_agent.id)],
        )
        .await
        .unwrap();
    assert_eq!(taken.assignee_id.as_deref(), Some(ana_agent.id.as_str()));
    let history = store_history(&ana, &id).await;
    let notices: Vec<&str> = history
        .iter()
        .filter(|m| m.sender == SenderKind::System && m.status_change.is_none())
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(
        notices,
        [
            "Ana handed this chat to Ben",
            "Ben returned this chat to the queue",
            "Ana took this chat"
        ]
    );
}

async fn unread(client: &mut Client, id: &str) -> i64 {
    let items: Vec<InboxItem> = client
        .call("list_conversations", &[("filter", "all")])
        .await
        .unwrap();
    items
        .into_iter()
        .find(|item| item.conversation.id == id)
        .expect("listed")
        .unread
}

async fn unread_counts_are_per_agent_and_cleared_by_reading(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut ana = server.client();
    ana.sign_in().await;
    let (mut ben, _) = invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    let (mut visitor, session) = start_chat(&server, "Maya", "Hi").await;
    let id = session.conversation.id.clone();
    send_visitor(&mut visitor, "Anyone there?").await.unwrap();
    assert_eq!(unread(&mut ana, &id).await, 2);
    assert_eq!(unread(&mut ben, &id).await, 2);
    // Ana reads it (her tab reports what it has shown); only her count clears.
    let mut socket = ana.socket().await;
    socket.send(&subscribe(&id, None)).await;
    let last = socket
        .expect(|f| match f {
            ServerFrame::Replay { messages, .. } => messages.last().map(|m| m.seq),
            _ => None,
        })
        .await;
    socket
        .send(&ClientFrame::Receipt {
            conversation_id: id.clone(),
            delivered_seq: last,
            read_seq: last,
        })
        .await;
    socket
        .expect(|f| match f {
            ServerFrame::Conversation { conversation }
                if conversation.receipts.agent_read >= last =>
            {
                Some(())
            }
            _ => None,
        })
        .await;
    assert_eq!(unread(&mut ana, &id).await, 0);
    assert_eq!(unread(&mut ben, &id).await, 2);
    // Agent replies and system lines never count; a new visitor message does.
    send_agent(&mut ana, &id, "Here!").await.unwrap();
    send_visitor(&mut visitor, "Great").await.unwrap();
    assert_eq!(unread(&mut ana, &id).await, 1);
    assert_eq!(unread(&mut ben, &id).await, 3);
}

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
    let code = tab2
        .expect(|f| match f {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "rate_limited");
    // Closing the last tab: offline.
    drop(tab1);
    drop(tab2);
    watcher.team_presence_until(ben_is(None)).await;
    let _ = ana_agent;
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

async fn assignee_of(agent: &mut Client, id: &str) -> Option<String> {
    let detail: ConversationDetail = agent
        .call("open_conversation", &[("id", id)])
        .await
        .unwrap();
    detail.conversation.assignee_id
}

async fn auto_assignment_is_fair_and_respects_the_limit(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start_with(
        &db,
        &[
            ("SWITCHBOARD_AUTO_ASSIGN", "true"),
            ("SWITCHBOARD_MAX_OPEN_CHATS", "2"),
        ],
    )
    .await;
    let mut ana = server.client();
    let ana_agent = ana.sign_in().await;
    let (ben, ben_agent) =
        invite_and_join(&server, &mut ana, "ben@example.com", "Ben", "agent").await;
    // Nobody online: the chat waits in the queue.
    let (_, early) = start_chat(&server, "Early", "first!").await;
    assert_eq!(assignee_of(&mut ana, &early.conversation.id).await, None);
    // Both come online; the sweep hands the waiting chat to one of them.
    let mut ana_tab = ana.socket().await;
    let _ben_tab = ben.socket().await;
    ana_tab
        .team_presence_until(|agents| agents.len() == 2 && agents.iter().all(|a| !a.away))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while assignee_of(&mut ana, &early.conversation.id)
        .await
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the waiting chat was never assigned"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Three more: turns alternate (fewest open chats first), so each ends with two.
    let mut ids = vec![early.conversation.id.clone()];
    for name in ["Bo", "Cy", "Di"] {
        let (_, session) = start_chat(&server, name, "hello").await;
        ids.push(session.conversation.id.clone());
    }
    let mut counts = std::collections::HashMap::new();
    for id in &ids {
        let assignee = assignee_of(&mut ana, id).await.expect("assigned at start");
        *counts.entry(assignee).or_insert(0) += 1;
    }
    assert_eq!(counts.get(&ana_agent.id), Some(&2), "{counts:?}");
    assert_eq!(counts.get(&ben_agent.id), Some(&2), "{counts:?}");
    // Everyone is at the limit: the next one waits…
    let (_, fifth) = start_chat(&server, "Ed", "anyone?").await;
    assert_eq!(assignee_of(&mut ana, &fifth.conversation.id).await, None);
    // …until Ana frees a slot.
    let mut freed = None;
    for id in &ids {
        if assignee_of(&mut ana, id).await.as_deref() == Some(ana_agent.id.as_str()) {
            freed = Some(id.clone());
            break;
        }
    }
    let freed = freed.expect("Ana holds two");
    ana.call::<switchboard::model::Conversation>(
        "set_status",
        &[("conversation_id", &freed), ("status", "resolved")],
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let assignee = assignee_of(&mut ana, &fifth.conversation.id).await;
        if assignee.is_some() {
            assert_eq!(assignee.as_deref(), Some(ana_agent.id.as_str()));
            break;
        }
        assert!(Instant::now() < deadline, "the freed slot was never used");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
