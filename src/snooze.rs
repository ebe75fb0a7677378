//! Snooze: an agent puts an open conversation aside (an hour, until tomorrow morning, until next
//! week, or until the visitor writes again). It leaves the open views for the Snoozed one and
//! comes back by itself, live: a waker on every node wakes what is due, and a visitor's message
//! wakes its conversation at once (`live::post`).
use crate::error::AppError;
use crate::model::{Conversation, SNOOZED_UNTIL_REPLY};
use crate::time_fmt;
use leptos::prelude::*;

/// Snoozes a conversation until `until` (ms since the epoch; `SNOOZED_UNTIL_REPLY`: until the
/// visitor writes), or wakes it (`0`).
#[server(endpoint = "snooze_conversation")]
pub async fn snooze_conversation(
    conversation_id: String,
    until: i64,
) -> Result<Conversation, AppError> {
    ssr::snooze(conversation_id, until).await
}

/// "Snoozed until Tue 09:00", or "until they reply".
pub fn snoozed_text(until: i64, now: i64) -> String {
    if until == SNOOZED_UNTIL_REPLY {
        "Snoozed until they reply".into()
    } else {
        format!(
            "Snoozed until {} {}",
            time_fmt::day_label(until, now),
            time_fmt::clock(until)
        )
    }
}

/// A moment `days` days from now at `hour`:00 on the agent's own clock (the browser's); an
/// hour from now per day on the server, which never offers these.
fn local_morning(now: i64, days: u32, hour: u32) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now as f64));
        date.set_date(date.get_date() + days);
        date.set_hours(hour);
        date.set_minutes(0);
        date.set_seconds(0);
        date.set_milliseconds(0);
        date.get_time() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = hour;
        now + i64::from(days) * 3_600_000
    }
}

/// Days from today until next Monday (1 to 7).
fn days_to_monday(now: i64) -> u32 {
    #[cfg(feature = "hydrate")]
    {
        let day = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now as f64)).get_day();
        (8 - day) % 7 + if day == 1 { 7 } else { 0 }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = now;
        7
    }
}

/// The choices offered, as (label, until), computed when the menu opens.
fn choices(now: i64) -> Vec<(&'static str, i64)> {
    vec![
        ("1 hour", now + 3_600_000),
        ("4 hours", now + 4 * 3_600_000),
        ("Tomorrow, 9:00", local_morning(now, 1, 9)),
        (
            "Next Monday, 9:00",
            local_morning(now, days_to_monday(now), 9),
        ),
        ("Until they reply", SNOOZED_UNTIL_REPLY),
    ]
}

/// The thread header's snooze control: a menu of choices, or "Unsnooze" with when it wakes.
#[component]
pub fn SnoozeMenu(
    conversation_id: String,
    conversation: Signal<Conversation>,
    on_changed: Callback<Conversation>,
) -> impl IntoView {
    let snooze = ServerAction::<SnoozeConversation>::new();
    let open = RwSignal::new(false);
    let options = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(changed)) = snooze.value().get() {
            on_changed.run(changed);
        }
    });
    let id = StoredValue::new(conversation_id);
    let pick = move |until: i64| {
        open.set(false);
        snooze.dispatch(SnoozeConversation {
            conversation_id: id.get_value(),
            until,
        });
    };
    let snoozed = move || conversation.with(|c| c.snoozed_until);
    let resolved = move || conversation.with(|c| c.status == crate::model::Status::Resolved);
    view! {
        <div class="snooze">
            {move || match snoozed() {
                Some(until) => view! {
                    <span class="snoozed-pill" data-testid="snoozed-until">{snoozed_text(until, crate::clock::now_ms())}</span>
                    <button type="button" class="secondary" data-testid="unsnooze" on:click=move |_| pick(0)>"Unsnooze"</button>
                }.into_any(),
                None => view! {
                    <button type="button" class="secondary" data-testid="snooze" aria-haspopup="menu"
                        aria-expanded=move || open.get().to_string() disabled=resolved
                        title=move || if resolved() { "A resolved conversation cannot be snoozed" } else { "Put it aside until later" }
                        on:click=move |_| { options.set(choices(crate::clock::now_ms())); open.update(|o| *o = !*o); }
                        on:keydown=move |ev| if ev.key() == "Escape" { open.set(false); }>
                        "Snooze"
                    </button>
                }.into_any(),
            }}
            <Show when=move || open.get()>
                <ul class="snooze-menu" role="menu" aria-label="Snooze until" data-testid="snooze-menu"
                    on:keydown=move |ev| if ev.key() == "Escape" { open.set(false); }>
                    {move || options.get().into_iter().map(|(label, until)| {
                        let when = (until != SNOOZED_UNTIL_REPLY).then(|| time_fmt::short(until, crate::clock::now_ms()));
                        view! {
                            <li role="none">
                                <button type="button" role="menuitem" data-testid="snooze-option" on:click=move |_| pick(until)>
                                    <span>{label}</span>
                                    {when.map(|when| view! { <span class="snooze-when">{when}</span> })}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            {move || snooze.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </div>
    }
}

/// The list item's mark for a snoozed conversation.
#[component]
pub fn SnoozedTag(until: Option<i64>) -> impl IntoView {
    until.map(|until| {
        let text = snoozed_text(until, crate::clock::now_ms());
        view! { " · " <span class="snoozed-tag" title=text.clone()>"Snoozed"</span> }
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::auth::ssr::{require_agent, state};
    use crate::error::{AppError, AppResult};
    use crate::live::post::store_error;
    use crate::model::{validate_snooze, Conversation, Status};
    use crate::state::AppState;
    use crate::store::Viewer;
    use std::time::Duration;

    /// How often each node looks for snoozes that are due.
    const WAKE_EVERY: Duration = Duration::from_secs(2);
    /// Most conversations one pass wakes; the next pass takes the rest.
    const WAKE_BATCH: u32 = 200;

    pub async fn snooze(conversation_id: String, until: i64) -> AppResult<Conversation> {
        let state = state();
        let agent = require_agent().await?;
        let until = validate_snooze(until, crate::clock::now_ms())?;
        let access = crate::state::access::inbox_access(&state, &agent).await?;
        let viewer = Viewer::Agent(&agent, &access);
        let current =
            crate::state::access::agent_conversation(&state, &agent, &access, &conversation_id)
                .await?;
        if until.is_some() && current.status == Status::Resolved {
            return Err(AppError::Invalid(
                "A resolved conversation cannot be snoozed.".into(),
            ));
        }
        let conversation = state
            .stores
            .conversations
            .snooze(viewer, &conversation_id, until)
            .await
            .map_err(store_error)?
            .ok_or(AppError::ConversationNotFound)?;
        state.hub.publish_conversation(&conversation);
        Ok(conversation)
    }

    /// Wakes what is due, on every node (each conversation is woken by one of them).
    pub fn spawn(state: AppState) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(WAKE_EVERY);
            let mut stopping = state.stopping.clone();
            loop {
                tokio::select! {
                    _ = tick.tick() => wake_due(&state).await,
                    // The guard `wait_for` returns must not live across an await.
                    _ = async { let _ = stopping.wait_for(|stop| *stop).await; } => return,
                }
            }
        });
    }

    async fn wake_due(state: &AppState) {
        let now = crate::clock::now_ms();
        match state
            .stores
            .conversations
            .wake_snoozed(now, WAKE_BATCH)
            .await
        {
            Ok(woken) => {
                for conversation in &woken {
                    state.hub.publish_conversation(conversation);
                }
                if !woken.is_empty() {
                    tracing::info!(count = woken.len(), "snoozed conversations woke");
                }
            }
            Err(error) => tracing::warn!(%error, "waking snoozed conversations failed"),
        }
    }
}
