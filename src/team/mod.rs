//! The team: admins invite agents, change roles, deactivate and reactivate them; every agent
//! keeps their own settings. Server functions here; the pages in `pages` and `settings`;
//! server-only rules in `ssr`.
mod pages;
mod settings;

pub use pages::{presence_of, InvitePage, PresenceDot, TeamPage};
pub use settings::{AgentTheme, OwnSettings, SettingsPage};

use crate::error::AppError;
use crate::model::{Agent, AgentSettings, CreatedInvite, Invite, Role, TeamMember};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the team page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamOverview {
    pub members: Vec<TeamMember>,
    pub invites: Vec<Invite>,
}

/// Admins: everyone, and the invites still pending.
#[server(endpoint = "team_overview")]
pub async fn load_team() -> Result<TeamOverview, AppError> {
    ssr::overview().await
}

/// Any agent: the active teammates a conversation can be assigned to.
#[server(endpoint = "teammates")]
pub async fn teammates() -> Result<Vec<TeamMember>, AppError> {
    ssr::teammates().await
}

#[server(endpoint = "create_invite")]
pub async fn create_invite(email: String, role: Role) -> Result<CreatedInvite, AppError> {
    ssr::create_invite(email, role).await
}

#[server(endpoint = "revoke_invite")]
pub async fn revoke_invite(id: String) -> Result<(), AppError> {
    ssr::revoke_invite(id).await
}

/// Anyone holding the link: which invite it is, so the page can greet the invitee.
#[server(endpoint = "invite_details")]
pub async fn invite_details(token: String) -> Result<Invite, AppError> {
    ssr::invite_details(token).await
}

/// Uses the invite: creates the agent and signs them in.
#[server(endpoint = "accept_invite")]
pub async fn accept_invite(
    token: String,
    name: String,
    password: String,
) -> Result<Agent, AppError> {
    ssr::accept_invite(token, name, password).await
}

#[server(endpoint = "change_role")]
pub async fn change_role(agent_id: String, role: Role) -> Result<TeamMember, AppError> {
    ssr::change_role(agent_id, role).await
}

/// Deactivating ends the agent's sessions, closes their sockets and returns their open
/// conversations to the queue.
#[server(endpoint = "set_agent_active")]
pub async fn set_agent_active(agent_id: String, active: bool) -> Result<TeamMember, AppError> {
    ssr::set_active(agent_id, active).await
}

#[server(endpoint = "my_settings")]
pub async fn my_settings() -> Result<AgentSettings, AppError> {
    ssr::my_settings().await
}

#[server(endpoint = "save_settings")]
pub async fn save_settings(settings: AgentSettings) -> Result<AgentSettings, AppError> {
    ssr::save_settings(settings).await
}

/// Needs the current password; ends every other session of the agent.
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new_password: String) -> Result<(), AppError> {
    ssr::change_password(current, new_password).await
}

/// Ends every session of the agent, this one included, and closes every socket.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    ssr::sign_out_everywhere().await
}

#[cfg(feature = "ssr")]
pub mod ssr;
