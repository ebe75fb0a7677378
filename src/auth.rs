//! Agent accounts: sign in and out, the first admin, and the session check every agent call makes.
use crate::error::AppError;
use crate::model::Agent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Who is signed in, for every page of the dashboard (provided by the dashboard's workspace):
/// pages show only the controls the server lets this agent use.
#[derive(Clone)]
pub struct Me(pub Agent);

impl Me {
    pub fn id() -> String {
        expect_context::<Me>().0.id
    }

    /// Whether the signed-in agent is an admin; false outside the dashboard.
    pub fn is_admin() -> bool {
        use_context::<Me>().is_some_and(|me| me.0.role == crate::model::Role::Admin)
    }
}

#[server(endpoint = "current_agent")]
pub async fn current_agent() -> Result<Option<Agent>, AppError> {
    ssr::signed_in_agent().await
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Agent, AppError> {
    let state = ssr::state();
    let email = email.trim().to_lowercase();
    // Counted per account (known or not, so a lock says nothing about the e-mail) and per
    // address (so one address cannot try many accounts).
    let keys = ssr::attempt_keys(&email);
    for key in &keys {
        ssr::wait_or_refuse(&state, key).await?;
    }
    let found = state
        .stores
        .accounts
        .agent_credentials(&email)
        .await
        .map_err(crate::error::internal)?;
    // Verify against a dummy hash when the e-mail is unknown so timing does not reveal accounts.
    let (agent, hash) = match found {
        Some((agent, hash)) => (Some(agent), hash),
        None => (None, ssr::dummy_hash().to_string()),
    };
    let valid = ssr::verify_password(password, hash).await;
    match agent {
        Some(agent) if valid => {
            // The address keeps its count: one good account must not wash out its failures.
            state.sign_in_failures.succeeded(&keys[0]);
            ssr::start_session(&state, &agent).await?;
            tracing::info!(agent = %agent.id, "agent signed in");
            Ok(agent)
        }
        _ => {
            for key in &keys {
                state.sign_in_failures.failed(key);
            }
            tracing::info!("failed sign-in");
            Err(AppError::WrongCredentials)
        }
    }
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    ssr::end_session().await
}

#[server(endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    name: String,
    email: String,
    password: String,
) -> Result<Agent, AppError> {
    let state = ssr::state();
    {
        let expected = state.setup_token.lock().expect("setup lock");
        // Compared as hashes, so the time taken says nothing about the token's characters.
        let matches = expected
            .as_deref()
            .is_some_and(|expected| ssr::token_hash(expected) == ssr::token_hash(&token));
        if !matches {
            return Err(AppError::SetupLinkInvalid);
        }
    }
    let agent = ssr::create_admin(&state, &name, &email, &password).await?;
    state.setup_token.lock().expect("setup lock").take();
    ssr::start_session(&state, &agent).await?;
    Ok(agent)
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            navigate("/agent", Default::default());
        }
    });
    let error = move || match sign_in.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <main class="auth-page">
            <ActionForm action=sign_in attr:class="auth-card">
                <div class="brand"><span class="brand-mark">"S"</span>"Switchboard"</div>
                <h1>"Sign in to your inbox"</h1>
                <label>"E-mail"<input type="email" name="email" required autocomplete="username"/></label>
                <label>"Password"<input type="password" name="password" required autocomplete="current-password"/></label>
                {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="submit" class="primary" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </main>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<CompleteSetup>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = setup.value().get() {
            navigate("/agent", Default::default());
        }
    });
    view! {
        <main class="auth-page">
            <ActionForm action=setup attr:class="auth-card">
                <div class="brand"><span class="brand-mark">"S"</span>"Switchboard"</div>
                <h1>"Create the first admin"</h1>
                <input type="hidden" name="token" value=token/>
                <label>"Your name"<input name="name" required/></label>
                <label>"E-mail"<input type="email" name="email" required/></label>
                <label>"Password (10+ characters)"<input type="password" name="password" required minlength="10"/></label>
                {move || match setup.value().get() {
                    Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
                    _ => None,
                }}
                <button type="submit" class="primary">"Create account"</button>
            </ActionForm>
        </main>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::clock::now_ms;
    use crate::error::{internal, AppError, AppResult};
    use crate::model::{Agent, Role};
    use crate::state::access::{
        agent_from_headers, cookie, request_headers, set_cookie, SESSION_COOKIE,
    };
    pub use crate::state::access::{new_token, token_hash};
    use crate::state::attempts::Verdict;
    use crate::state::AppState;
    use crate::store::{NewAgent, StoreError};
    use argon2::password_hash::{
        rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
    };
    use argon2::Argon2;

    /// A real argon2 hash of a random secret, verified when the e-mail is unknown.
    pub fn dummy_hash() -> &'static str {
        static HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(new_token().as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .unwrap_or_default()
        });
        &HASH
    }

    pub fn state() -> AppState {
        AppState::from_context()
    }

    /// The keys failed sign-ins are counted under: the account, then the address.
    pub fn attempt_keys(email: &str) -> [String; 2] {
        let address = crate::state::access::client_address()
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        [format!("account|{email}"), format!("address|{address}")]
    }

    /// Waits out the slow-down after repeated failures, or refuses while the key is locked.
    pub async fn wait_or_refuse(state: &AppState, key: &str) -> AppResult<()> {
        match state.sign_in_failures.check(key) {
            Verdict::Allowed(delay) => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Ok(())
            }
            Verdict::Locked(left) => Err(AppError::TooManyAttempts {
                retry_after_secs: left.as_secs().max(1),
            }),
        }
    }

    /// Every admin-only server function starts here.
    pub async fn require_admin() -> AppResult<Agent> {
        let agent = require_agent().await?;
        if agent.role != Role::Admin {
            return Err(AppError::AdminOnly);
        }
        Ok(agent)
    }

    pub async fn signed_in_agent() -> AppResult<Option<Agent>> {
        agent_from_headers(&state(), &request_headers()).await
    }

    /// Every agent server function starts here.
    pub async fn require_agent() -> AppResult<Agent> {
        signed_in_agent().await?.ok_or(AppError::SignInRequired)
    }

    pub async fn start_session(state: &AppState, agent: &Agent) -> AppResult<()> {
        let token = new_token();
        let now = now_ms();
        let max_age = state.settings.session_days * 86_400;
        state
            .stores
            .accounts
            .create_session(&token_hash(&token), &agent.id, now, now + max_age * 1000)
            .await
            .map_err(internal)?;
        set_cookie(state, SESSION_COOKIE, &token, max_age);
        Ok(())
    }

    /// Ends this request's session; the tabs opened with it close (its other sessions stay).
    pub async fn end_session() -> AppResult<()> {
        let state = state();
        if let Some(token) = cookie(&request_headers(), SESSION_COOKIE) {
            let hash = token_hash(&token);
            let accounts = &state.stores.accounts;
            let agent = accounts
                .agent_for_session(&hash, now_ms())
                .await
                .map_err(internal)?;
            accounts.delete_session(&hash).await.map_err(internal)?;
            if let Some(agent) = agent {
                let ended = crate::model::SessionsEnded::One(hash);
                crate::live::presence::sessions_ended(&state, &agent.id, ended).await;
            }
        }
        set_cookie(&state, SESSION_COOKIE, "", 0);
        Ok(())
    }

    pub async fn hash_password(password: String) -> AppResult<String> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
        })
        .await
        .map_err(internal)?
        .map_err(internal)
    }

    /// Argon2 is slow by design; it runs off the async workers.
    pub async fn verify_password(password: String, hash: String) -> bool {
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
    }

    pub async fn create_admin(
        state: &AppState,
        name: &str,
        email: &str,
        password: &str,
    ) -> AppResult<Agent> {
        let name = crate::model::validate_name(name)?;
        let email = crate::model::validate_email(email)?;
        crate::model::validate_password(password)?;
        let password_hash = hash_password(password.to_string()).await?;
        state
            .stores
            .accounts
            .create_agent(NewAgent {
                email,
                name,
                role: Role::Admin,
                password_hash,
                now: now_ms(),
            })
            .await
            .map_err(|error| match error {
                StoreError::Conflict => {
                    AppError::Invalid("An agent with that e-mail already exists.".into())
                }
                other => internal(other),
            })
    }

    /// First start: create the admin from the environment, or print a one-time setup link.
    pub async fn bootstrap_admin(
        state: &AppState,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if state.stores.accounts.agent_count().await? > 0 {
            return Ok(());
        }
        match (&state.settings.admin_email, &state.settings.admin_password) {
            (Some(email), Some(password)) => {
                let local = email.split('@').next().unwrap_or("admin");
                let mut letters = local.chars();
                let name: String = letters
                    .next()
                    .map(|c| c.to_uppercase().chain(letters).collect())
                    .unwrap_or_default();
                let password = secrecy::ExposeSecret::expose_secret(password);
                match create_admin(state, &name, email, password).await {
                    Ok(agent) => {
                        tracing::info!(email = %agent.email, "created the first admin from SWITCHBOARD_ADMIN_EMAIL")
                    }
                    // Several nodes starting together: another one created it first.
                    Err(AppError::Invalid(_)) if state.stores.accounts.agent_count().await? > 0 => {
                        tracing::info!("the first admin was created by another node")
                    }
                    Err(e) => return Err(format!("SWITCHBOARD_ADMIN_*: {e}").into()),
                }
            }
            _ => {
                let token = new_token();
                let link = format!(
                    "{}/agent/setup?token={token}",
                    state.settings.public_url.trim_end_matches('/')
                );
                *state.setup_token.lock().expect("setup lock") = Some(token);
                // Printed, not logged at debug: the operator needs it once to get in.
                println!("No agent yet. Create the first admin here (one-time link): {link}");
                tracing::info!("waiting for the first admin to use the setup link");
            }
        }
        Ok(())
    }
}
