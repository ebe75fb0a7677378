//! The team: agents as admins see them, invites, each agent's own settings, presence and the
//! inbox views that split the work (mine, unassigned, all).
use super::{Agent, Conversation, Role};
use serde::{Deserialize, Serialize};

/// How long an invite link stays valid.
pub const INVITE_DAYS: i64 = 7;
/// Avatar colours an agent may pick; all pass WCAG AA with white initials.
pub const AVATAR_COLORS: [&str; 8] = [
    "#4f46e5", "#0f766e", "#b91c1c", "#a21caf", "#1d4ed8", "#b45309", "#047857", "#374151",
];

/// Where an agent stands right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// A dashboard tab is connected and in use.
    Online,
    /// Connected, but idle or chose to be away.
    Away,
    Offline,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Online => "online",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Presence::Online => "Online",
            Presence::Away => "Away",
            Presence::Offline => "Offline",
        }
    }
}

/// Which of an agent's sessions just ended, so the sockets opened with them close. A session
/// is named by its token's hash, never the token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionsEnded {
    /// Deactivation, "sign out everywhere".
    All,
    /// A password change: every session but the one that changed it.
    AllBut(String),
    /// One sign-out: that session's tabs.
    One(String),
}

impl SessionsEnded {
    /// Whether a socket opened with this session must close.
    pub fn includes(&self, session: Option<&str>) -> bool {
        match self {
            SessionsEnded::All => true,
            SessionsEnded::AllBut(kept) => session != Some(kept.as_str()),
            SessionsEnded::One(ended) => session == Some(ended.as_str()),
        }
    }
}

/// One agent's presence as every node's announcements merge it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    pub id: String,
    pub name: String,
    pub away: bool,
}

/// An agent on the team page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub agent: Agent,
    pub active: bool,
    pub avatar_color: String,
    /// Open (not resolved) conversations assigned to this agent.
    pub open_chats: i64,
}

/// A pending invite. The link itself is shown once, when it is made (only its hash is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A new invite and its one-time link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvite {
    pub invite: Invite,
    pub link: String,
}

/// The dashboard's colour scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the system (`prefers-color-scheme`).
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(text: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Follow the system",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }
}

/// What an agent sets for themselves; kept on the server so every device agrees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSettings {
    pub name: String,
    pub avatar_color: String,
    /// An IANA zone name, e.g. `Europe/Paris`.
    pub time_zone: String,
    pub theme: Theme,
    pub sound: bool,
    pub notifications: bool,
    /// Notify for new conversations.
    pub notify_new: bool,
    /// Notify for visitor messages.
    pub notify_messages: bool,
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            name: String::new(),
            avatar_color: AVATAR_COLORS[0].into(),
            time_zone: "UTC".into(),
            theme: Theme::System,
            sound: true,
            notifications: true,
            notify_new: true,
            notify_messages: true,
        }
    }
}

/// Which conversations the inbox shows, by assignee (the status filter applies on top).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum InboxView {
    #[default]
    Mine,
    Unassigned,
    All,
}

impl InboxView {
    pub const ALL: [InboxView; 3] = [InboxView::Mine, InboxView::Unassigned, InboxView::All];

    pub fn label(self) -> &'static str {
        match self {
            InboxView::Mine => "Mine",
            InboxView::Unassigned => "Unassigned",
            InboxView::All => "All",
        }
    }

    pub fn matches(self, conversation: &Conversation, me: &str) -> bool {
        match self {
            InboxView::Mine => conversation.assignee_id.as_deref() == Some(me),
            InboxView::Unassigned => conversation.assignee_id.is_none(),
            InboxView::All => true,
        }
    }
}

/// A conversation in an agent's list, with what that agent has not read yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub conversation: Conversation,
    /// Visitor messages after the last one this agent saw.
    pub unread: i64,
}

/// The notice an assignment change writes into the conversation (the visitor sees it too).
pub fn assignment_notice(actor: &str, from: Option<&str>, to: Option<&str>) -> String {
    match (from, to) {
        (_, None) => format!("{actor} returned this chat to the queue"),
        (None, Some(to)) if to == actor => format!("{actor} took this chat"),
        (None, Some(to)) => format!("{actor} assigned this chat to {to}"),
        (Some(_), Some(to)) => format!("{actor} handed this chat to {to}"),
    }
}

/// A display name after validation.
pub fn validate_name(name: &str) -> Result<String, crate::error::AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(crate::error::AppError::Invalid(
            "Give a name of 1 to 80 characters.".into(),
        ));
    }
    Ok(name.to_string())
}

/// An e-mail address after a light check (the real check is that mail arrives).
pub fn validate_email(email: &str) -> Result<String, crate::error::AppError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| plain_local_part(local) && domain_name(domain));
    if !valid {
        return Err(crate::error::AppError::Invalid(
            "That does not look like an e-mail address.".into(),
        ));
    }
    Ok(email)
}

/// The unquoted local part mail servers (and `lettre`, which sends our mail) take: atoms of
/// letters, digits and `!#$%&'*+/=?^_`{|}~-`, joined by single dots.
fn plain_local_part(local: &str) -> bool {
    local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
        })
}

/// A domain of at least two labels (`example.com`), each 1 to 63 letters, digits or inner
/// hyphens.
fn domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.chars().count())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

pub fn validate_password(password: &str) -> Result<(), crate::error::AppError> {
    let count = password.chars().count();
    if !(10..=200).contains(&count) {
        return Err(crate::error::AppError::Invalid(
            "Use a password of 10 to 200 characters.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_both_agents() {
        assert_eq!(
            assignment_notice("Ana", Some("Ana"), Some("Ben")),
            "Ana handed this chat to Ben"
        );
        assert_eq!(
            assignment_notice("Ben", None, Some("Ben")),
            "Ben took this chat"
        );
        assert_eq!(
            assignment_notice("Ana", Some("Ben"), None),
            "Ana returned this chat to the queue"
        );
    }

    #[test]
    fn emails_and_names() {
        assert_eq!(
            validate_email(" Ben@Example.COM ").unwrap(),
            "ben@example.com"
        );
        assert!(validate_email("ben@localhost").is_err());
        assert!(validate_email("@example.com").is_err());
        for bad in [
            "x@@example.com",
            "a@b",
            "a..b@example.com",
            "a@example..com",
            "a b@example.com",
            "<a@example.com>",
            "a@-x.com",
            "a@example.com.",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        for good in [
            "o'brien+tag@mail.example.co.uk",
            "user_1@example.io",
            "jürgen@müller.de",
        ] {
            assert!(validate_email(good).is_ok(), "{good}");
        }
    }

    /// What the widget and the forms take, `lettre` can send to (the mail sender's check).
    #[cfg(feature = "ssr")]
    #[test]
    fn what_passes_is_what_lettre_sends_to() {
        let cases = [
            "ben@example.com",
            "x@@example.com",
            "a..b@example.com",
            "o'brien+tag@mail.example.co.uk",
            "a@b",
            "a@example..com",
            "<a@example.com>",
            "a\"b@example.com",
            "a@[127.0.0.1]",
            "jürgen@müller.de",
        ];
        for case in cases {
            if let Ok(email) = validate_email(case) {
                assert!(
                    email.parse::<lettre::Address>().is_ok(),
                    "{case} passes but lettre refuses it"
                );
            }
        }
        assert!(validate_name("  ").is_err());
        assert!(validate_name("Ben\u{7}").is_err());
        assert!(validate_password("short").is_err());
    }
}

/// The teammates a note names with `@`: by full name, or by first name when no other active
/// teammate has it. Case does not matter; inactive teammates are never named.
pub fn mentioned<'a>(body: &str, team: &'a [TeamMember]) -> Vec<&'a TeamMember> {
    let text = body.to_lowercase();
    let named = |name: &str| {
        let wanted = format!("@{}", name.to_lowercase());
        text.match_indices(&wanted).any(|(at, _)| {
            // The name ends there: "@ana" does not name "Anabel".
            text[at + wanted.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        })
    };
    let first = |member: &TeamMember| {
        member
            .agent
            .name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_lowercase()
    };
    let active: Vec<&TeamMember> = team.iter().filter(|m| m.active).collect();
    active
        .iter()
        .copied()
        .filter(|member| {
            let first_name = first(member);
            let unique = active
                .iter()
                .filter(|other| first(other) == first_name)
                .count()
                == 1;
            named(&member.agent.name) || (unique && !first_name.is_empty() && named(&first_name))
        })
        .collect()
}

#[cfg(test)]
mod mention_tests {
    use super::*;

    fn member(id: &str, name: &str, active: bool) -> TeamMember {
        TeamMember {
            agent: Agent {
                id: id.into(),
                email: format!("{id}@example.com"),
                name: name.into(),
                role: Role::Agent,
            },
            active,
            avatar_color: String::new(),
            open_chats: 0,
        }
    }

    #[test]
    fn mentions_name_teammates() {
        let team = [
            member("a", "Ana Lima", true),
            member("b", "Bo Chen", true),
            member("c", "Bo Diaz", true),
            member("d", "Dee Old", false),
            member("e", "Anabel Ruiz", true),
        ];
        let ids = |body: &str| {
            mentioned(body, &team)
                .iter()
                .map(|m| m.agent.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("@ana can you look?"), vec!["a"]);
        assert_eq!(ids("cc @Ana Lima."), vec!["a"]);
        assert_eq!(
            ids("@bo please"),
            Vec::<String>::new(),
            "two Bos: the first name is not enough"
        );
        assert_eq!(ids("@Bo Diaz please"), vec!["c"]);
        assert_eq!(ids("@dee"), Vec::<String>::new(), "deactivated");
        assert_eq!(ids("@anabel and @ana"), vec!["a", "e"]);
        assert_eq!(ids("email ana@example.com"), Vec::<String>::new());
    }
}
