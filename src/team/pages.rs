//! The team page (admins) and the page an invite link opens.
use super::{
    load_team, AcceptInvite, ChangeRole, CreateInvite, RevokeInvite, SetAgentActive, TeamOverview,
};
use crate::avatar::Avatar;
use crate::error::AppError;
use crate::live::client::use_live;
use crate::model::{Agent, Presence, Role, SenderKind, TeamMember};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// An agent's presence as the team's sockets report it, live.
pub fn presence_of(agent_id: &str) -> Signal<Presence> {
    let live = use_live();
    let id = agent_id.to_string();
    Signal::derive(move || {
        live.team
            .with(|team| match team.iter().find(|a| a.id == id) {
                Some(agent) if agent.away => Presence::Away,
                Some(_) => Presence::Online,
                None => Presence::Offline,
            })
    })
}

#[component]
pub fn PresenceDot(presence: Signal<Presence>) -> impl IntoView {
    view! {
        <span class=move || format!("presence presence-{}", presence.get().as_str()) data-testid="presence">
            <span class="presence-dot" aria-hidden="true"></span>
            {move || presence.get().label()}
        </span>
    }
}

fn error_text(value: Option<Result<impl Clone, AppError>>) -> Option<String> {
    match value {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    }
}

/// /agent/team
#[component]
pub fn TeamPage() -> impl IntoView {
    let invite = ServerAction::<CreateInvite>::new();
    let revoke = ServerAction::<RevokeInvite>::new();
    let role = ServerAction::<ChangeRole>::new();
    let active = ServerAction::<SetAgentActive>::new();
    let overview = crate::codec::resource(
        move || {
            (
                invite.version().get(),
                revoke.version().get(),
                role.version().get(),
                active.version().get(),
            )
        },
        |_| load_team(),
    );
    let action_error = Signal::derive(move || {
        error_text(role.value().get())
            .or_else(|| error_text(active.value().get()))
            .or_else(|| error_text(revoke.value().get()))
    });
    // Agents see the team read-only: no control the server would refuse them.
    let is_admin = crate::auth::Me::is_admin();
    view! {
        <section class="page" aria-labelledby="team-title">
            <header class="page-header">
                <h1 id="team-title">"Team"</h1>
                <p class="page-sub">{if is_admin { "Invite teammates, set their roles, and see who is online." } else { "Who is on the team, and who is online." }}</p>
            </header>
            <Show when=move || is_admin>
            <div class="card">
                <h2>"Invite a teammate"</h2>
                <ActionForm action=invite attr:class="invite-form">
                    <label>"E-mail"<input type="email" name="email" required data-testid="invite-email"/></label>
                    <label>"Role"
                        <select name="role" data-testid="invite-role">
                            <option value="agent" selected>"Agent"</option>
                            <option value="admin">"Admin"</option>
                        </select>
                    </label>
                    <button type="submit" class="primary" disabled=move || invite.pending().get()>"Create invite link"</button>
                </ActionForm>
                {move || match invite.value().get() {
                    Some(Ok(created)) => view! {
                        <div class="invite-link" role="status">
                            <p>"Send this link to " <strong>{created.invite.email.clone()}</strong>
                               ". It works once and expires in 7 days."</p>
                            <input readonly value=created.link.clone() data-testid="invite-link" aria-label="Invite link"
                                on:focus=|ev| { let _ = select_all(&ev); }/>
                        </div>
                    }.into_any(),
                    Some(Err(error)) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
            </Show>
            {move || action_error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="team-error">{e}</p> })}
            <Suspense fallback=|| view! { <div class="page-loading">"Loading the team…"</div> }>
                {move || overview.get().map(|result| match result {
                    Ok(TeamOverview { members, invites }) => view! {
                        <div class="card">
                            <h2>"Agents"</h2>
                            <table class="team-table" data-testid="team-table">
                                <thead><tr><th scope="col">"Agent"</th><th scope="col">"Role"</th><th scope="col">"Presence"</th>
                                    <th scope="col">"Open chats"</th>{is_admin.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}</tr></thead>
                                <tbody>
                                    {members.into_iter().map(|member| view! { <MemberRow member role active is_admin/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Show when={let empty = invites.is_empty(); move || !empty}>
                            <div class="card">
                                <h2>"Pending invites"</h2>
                                <ul class="invite-list">
                                    {invites.clone().into_iter().map(|invite| {
                                        let id = invite.id.clone();
                                        view! {
                                            <li data-testid="pending-invite">
                                                <span>{invite.email.clone()}" · "{invite.role.label()}</span>
                                                <button class="secondary" on:click=move |_| { revoke.dispatch(RevokeInvite { id: id.clone() }); }>"Revoke"</button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </div>
                        </Show>
                    }.into_any(),
                    Err(AppError::AdminOnly) => view! { <p class="notice" role="alert">"Only admins can manage the team."</p> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[cfg(feature = "hydrate")]
fn select_all(event: &web_sys::FocusEvent) -> Option<()> {
    use wasm_bindgen::JsCast;
    let input: web_sys::HtmlInputElement = event.target()?.dyn_into().ok()?;
    input.select();
    Some(())
}

#[cfg(not(feature = "hydrate"))]
fn select_all<T>(_event: &T) -> Option<()> {
    None
}

#[component]
fn MemberRow(
    member: TeamMember,
    role: ServerAction<ChangeRole>,
    active: ServerAction<SetAgentActive>,
    /// Admins get the row's actions; agents see it read-only.
    is_admin: bool,
) -> impl IntoView {
    let TeamMember {
        agent,
        active: is_active,
        avatar_color,
        open_chats,
    } = member;
    let presence = presence_of(&agent.id);
    let (id_role, id_active) = (agent.id.clone(), agent.id.clone());
    let other_role = if agent.role == Role::Admin {
        Role::Agent
    } else {
        Role::Admin
    };
    let role_label = if agent.role == Role::Admin {
        "Make agent"
    } else {
        "Make admin"
    };
    view! {
        <tr class:inactive=!is_active data-testid="team-member" data-email=agent.email.clone()>
            <td>
                <div class="member">
                    <Avatar name=agent.name.clone() kind=SenderKind::Agent color=avatar_color/>
                    <div><div class="member-name">{agent.name.clone()}</div><div class="member-email">{agent.email.clone()}</div></div>
                </div>
            </td>
            <td>{agent.role.label()}</td>
            <td>{if is_active { view! { <PresenceDot presence/> }.into_any() } else { view! { <span class="muted">"Deactivated"</span> }.into_any() }}</td>
            <td>{open_chats}</td>
            {is_admin.then(|| view! {
            <td class="row-actions">
                <Show when=move || is_active>
                    <button class="secondary" on:click={let id = id_role.clone(); move |_| { role.dispatch(ChangeRole { agent_id: id.clone(), role: other_role }); }}>{role_label}</button>
                </Show>
                <button class="secondary" data-testid="toggle-active"
                    on:click={let id = id_active.clone(); move |_| { active.dispatch(SetAgentActive { agent_id: id.clone(), active: !is_active }); }}>
                    {if is_active { "Deactivate" } else { "Reactivate" }}
                </button>
            </td>
            })}
        </tr>
    }
}

/// /agent/invite?token=…: the invitee picks a name and password and lands signed in.
#[component]
pub fn InvitePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let details = crate::codec::resource(token, super::invite_details);
    let accept = ServerAction::<AcceptInvite>::new();
    Effect::new(move |_| {
        if let Some(Ok(Agent { .. })) = accept.value().get() {
            // A full load, so the dashboard starts with the new session's socket.
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href("/agent");
            }
        }
    });
    view! {
        <main class="auth-page">
            <Suspense fallback=|| view! { <div class="auth-card">"Checking your invite…"</div> }>
                {move || details.get().map(|result| match result {
                    Ok(invite) => view! {
                        <ActionForm action=accept attr:class="auth-card">
                            <div class="brand"><span class="brand-mark">"S"</span>"Switchboard"</div>
                            <h1>"Join the team"</h1>
                            <p>"You were invited as " {invite.role.label().to_lowercase()} " with " <strong>{invite.email.clone()}</strong> "."</p>
                            <input type="hidden" name="token" value=token/>
                            <label>"Your name"<input name="name" required autocomplete="name" data-testid="invite-name"/></label>
                            <label>"Password (10+ characters)"<input type="password" name="password" required minlength="10" autocomplete="new-password" data-testid="invite-password"/></label>
                            {move || error_text(accept.value().get()).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                            <button type="submit" class="primary" disabled=move || accept.pending().get()>"Join and sign in"</button>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! {
                        <div class="auth-card">
                            <h1>"This invite cannot be used"</h1>
                            <p class="form-error" role="alert">{error.to_string()}</p>
                            <p>"Ask an admin of your team for a new link."</p>
                        </div>
                    }.into_any(),
                })}
            </Suspense>
        </main>
    }
}
