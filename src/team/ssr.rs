//! The team's rules on the server: who may do what, and what each change sets off.
use super::TeamOverview;
use crate::auth::ssr::{
    end_session, hash_password, require_admin, require_agent, start_session, state, verify_password,
};
use crate::clock::now_ms;
use crate::error::{internal, AppError, AppResult};
use crate::model::{
    validate_email, validate_name, validate_password, Agent, AgentSettings, CreatedInvite, Invite,
    Role, SessionsEnded, TeamMember, AVATAR_COLORS, INVITE_DAYS,
};
use crate::state::access::{new_token, token_hash};
use crate::state::AppState;
use crate::store::{Acceptance, Assign, NewInvite, StoreError};

fn account_error(error: StoreError) -> AppError {
    match error {
        StoreError::LastAdmin => AppError::LastAdmin,
        StoreError::NotFound | StoreError::Inactive => AppError::AgentUnavailable,
        other => internal(other),
    }
}

async fn member(state: &AppState, agent_id: &str) -> AppResult<TeamMember> {
    state
        .stores
        .accounts
        .member(agent_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::AgentUnavailable)
}

/// The team page: admins see everyone and the pending invites; agents see the active
/// teammates (names, roles, presence, load), read-only.
pub async fn overview() -> AppResult<TeamOverview> {
    // The context is read before the first await: it is not there after one during SSR.
    let state = state();
    let agent = require_agent().await?;
    let accounts = &state.stores.accounts;
    let mut members = accounts.team().await.map_err(internal)?;
    if agent.role != Role::Admin {
        members.retain(|member| member.active);
        return Ok(TeamOverview {
            members,
            invites: Vec::new(),
        });
    }
    Ok(TeamOverview {
        members,
        invites: accounts.pending_invites(now_ms()).await.map_err(internal)?,
    })
}

pub async fn teammates() -> AppResult<Vec<TeamMember>> {
    let state = state();
    require_agent().await?;
    let mut team = state.stores.accounts.team().await.map_err(internal)?;
    team.retain(|member| member.active);
    Ok(team)
}

pub async fn create_invite(email: String, role: Role) -> AppResult<CreatedInvite> {
    let state = state();
    let admin = require_admin().await?;
    let email = validate_email(&email)?;
    let taken = state
        .stores
        .accounts
        .team()
        .await
        .map_err(internal)?
        .iter()
        .any(|member| member.agent.email.eq_ignore_ascii_case(&email));
    if taken {
        return Err(AppError::Invalid(
            "An agent with that e-mail already exists.".into(),
        ));
    }
    let token = new_token();
    let now = now_ms();
    let invite = state
        .stores
        .accounts
        .create_invite(NewInvite {
            token_hash: token_hash(&token),
            email,
            role,
            created_by: admin.id.clone(),
            now,
            expires_at: now + INVITE_DAYS * 86_400_000,
        })
        .await
        .map_err(internal)?;
    let link = format!(
        "{}/agent/invite?token={token}",
        state.settings.public_url.trim_end_matches('/')
    );
    tracing::info!(invite = %invite.id, by = %admin.id, "invite created");
    Ok(CreatedInvite { invite, link })
}

pub async fn revoke_invite(id: String) -> AppResult<()> {
    let state = state();
    require_admin().await?;
    let revoked = state
        .stores
        .accounts
        .revoke_invite(&id, now_ms())
        .await
        .map_err(internal)?;
    if !revoked {
        return Err(AppError::InviteInvalid);
    }
    Ok(())
}

pub async fn invite_details(token: String) -> AppResult<Invite> {
    let state = state();
    state
        .stores
        .accounts
        .invite_for_token(&token_hash(&token), now_ms())
        .await
        .map_err(internal)?
        .ok_or(AppError::InviteInvalid)
}

pub async fn accept_invite(token: String, name: String, password: String) -> AppResult<Agent> {
    let state = state();
    let name = validate_name(&name)?;
    validate_password(&password)?;
    let agent = state
        .stores
        .accounts
        .accept_invite(Acceptance {
            token_hash: token_hash(&token),
            name,
            password_hash: hash_password(password).await?,
            now: now_ms(),
        })
        .await
        .map_err(|error| match error {
            StoreError::NotFound => AppError::InviteInvalid,
            StoreError::Conflict => {
                AppError::Invalid("An agent with that e-mail already exists.".into())
            }
            other => internal(other),
        })?;
    start_session(&state, &agent).await?;
    tracing::info!(agent = %agent.id, "invite accepted");
    Ok(agent)
}

pub async fn change_role(agent_id: String, role: Role) -> AppResult<TeamMember> {
    let state = state();
    let admin = require_admin().await?;
    state
        .stores
        .accounts
        .set_role(&agent_id, role)
        .await
        .map_err(account_error)?;
    tracing::info!(agent = %agent_id, role = role.as_str(), by = %admin.id, "role changed");
    member(&state, &agent_id).await
}

pub async fn set_active(agent_id: String, active: bool) -> AppResult<TeamMember> {
    let state = state();
    let admin = require_admin().await?;
    state
        .stores
        .accounts
        .set_active(&agent_id, active)
        .await
        .map_err(account_error)?;
    if !active {
        crate::live::presence::sessions_ended(&state, &agent_id, SessionsEnded::All).await;
        release_conversations(&state, &admin, &agent_id).await?;
    }
    tracing::info!(agent = %agent_id, active, by = %admin.id, "agent (de)activated");
    member(&state, &agent_id).await
}

/// A deactivated agent's open conversations go back to the queue, each with its notice.
/// Safe to repeat: deactivating again releases whatever is still assigned.
async fn release_conversations(state: &AppState, actor: &Agent, agent_id: &str) -> AppResult<()> {
    let conversations = &state.stores.conversations;
    for conversation_id in conversations
        .assigned_open(agent_id)
        .await
        .map_err(internal)?
    {
        let appended = conversations
            .assign(Assign {
                conversation_id,
                assignee: None,
                actor: actor.clone(),
                only_if_unassigned: false,
                now: now_ms(),
            })
            .await
            .map_err(internal)?;
        state.hub.publish_appended(&appended);
    }
    Ok(())
}

pub async fn my_settings() -> AppResult<AgentSettings> {
    let state = state();
    let agent = require_agent().await?;
    state
        .stores
        .accounts
        .settings(&agent.id)
        .await
        .map_err(internal)?
        .ok_or(AppError::SignInRequired)
}

/// An IANA zone name the built-in time zone database knows, e.g. `Europe/Paris`.
fn valid_time_zone(zone: &str) -> bool {
    zone.len() <= 64 && jiff::tz::TimeZone::get(zone).is_ok()
}

pub async fn save_settings(settings: AgentSettings) -> AppResult<AgentSettings> {
    let state = state();
    let agent = require_agent().await?;
    let settings = AgentSettings {
        name: validate_name(&settings.name)?,
        ..settings
    };
    if !AVATAR_COLORS.contains(&settings.avatar_color.as_str()) {
        return Err(AppError::Invalid("Pick one of the offered colours.".into()));
    }
    if !valid_time_zone(&settings.time_zone) {
        return Err(AppError::Invalid(
            "Give a time zone such as Europe/Paris or UTC.".into(),
        ));
    }
    state
        .stores
        .accounts
        .save_settings(&agent.id, &settings)
        .await
        .map_err(internal)?;
    Ok(settings)
}

pub async fn change_password(current: String, new_password: String) -> AppResult<()> {
    let state = state();
    // This session stays; the others end. Read before any await, like the state.
    let own = crate::state::access::cookie(
        &crate::state::access::request_headers(),
        crate::state::access::SESSION_COOKIE,
    )
    .map(|token| token_hash(&token));
    let agent = require_agent().await?;
    validate_password(&new_password)?;
    let key = format!("password|{}", agent.id);
    crate::auth::ssr::wait_or_refuse(&state, &key).await?;
    let hash = state
        .stores
        .accounts
        .password_hash(&agent.id)
        .await
        .map_err(internal)?
        .ok_or(AppError::SignInRequired)?;
    if !verify_password(current, hash).await {
        state.sign_in_failures.failed(&key);
        return Err(AppError::WrongPassword);
    }
    state.sign_in_failures.succeeded(&key);
    let new_hash = hash_password(new_password).await?;
    let accounts = &state.stores.accounts;
    accounts
        .set_password_hash(&agent.id, &new_hash)
        .await
        .map_err(internal)?;
    // Other devices signed in with the old password are signed out; this one stays.
    accounts
        .delete_sessions(&agent.id, own.as_deref())
        .await
        .map_err(internal)?;
    let ended = match own {
        Some(own) => SessionsEnded::AllBut(own),
        None => SessionsEnded::All,
    };
    crate::live::presence::sessions_ended(&state, &agent.id, ended).await;
    tracing::info!(agent = %agent.id, "password changed");
    Ok(())
}

pub async fn sign_out_everywhere() -> AppResult<()> {
    let state = state();
    let agent = require_agent().await?;
    state
        .stores
        .accounts
        .delete_sessions(&agent.id, None)
        .await
        .map_err(internal)?;
    end_session().await?;
    crate::live::presence::sessions_ended(&state, &agent.id, SessionsEnded::All).await;
    Ok(())
}
