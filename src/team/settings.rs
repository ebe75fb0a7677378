//! /agent/settings: what each agent sets for themselves (name, colour, time zone, theme,
//! sounds and notifications), their password, and signing out everywhere.
use super::{my_settings, ChangePassword, SaveSettings, SignOutEverywhere};
use crate::model::{AgentSettings, Theme, AVATAR_COLORS};
use leptos::prelude::*;

/// The signed-in agent's own settings, shared by every dashboard page. They arrive with the
/// page (rendered on the server), so the theme and the time zone are right from the first
/// paint; saving them here updates every page at once.
#[derive(Clone, Copy)]
pub struct OwnSettings(pub RwSignal<AgentSettings>);

impl OwnSettings {
    pub fn provide(settings: AgentSettings) -> OwnSettings {
        let mine = OwnSettings(RwSignal::new(settings));
        provide_context(mine);
        Effect::new(move |_| {
            mine.0
                .with(|s| crate::time_fmt::use_time_zone(&s.time_zone))
        });
        mine
    }

    pub fn get() -> OwnSettings {
        expect_context::<OwnSettings>()
    }
}

/// Puts the agent's theme on `<html data-theme>`, in the server's HTML too (no flash of the
/// other theme); `system` follows `prefers-color-scheme`.
#[component]
pub fn AgentTheme() -> impl IntoView {
    let mine = OwnSettings::get();
    view! { <leptos_meta::Html {..} data-theme=move || mine.0.with(|s| s.theme.as_str()) /> }
}

/// Asks for the browser's notification permission; only ever called from a click.
fn ask_notification_permission() {
    #[cfg(feature = "hydrate")]
    // The answer arrives when the browser's prompt is closed; it is read when notifying.
    let _ = web_sys::Notification::request_permission();
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let saved = ServerAction::<SaveSettings>::new();
    let mine = OwnSettings::get();
    // The form starts from the server's copy: another device may have changed it.
    let loaded = crate::codec::resource(|| (), |_| my_settings());
    view! {
        <section class="page" aria-labelledby="settings-title">
            <header class="page-header">
                <h1 id="settings-title">"Your settings"</h1>
                <p class="page-sub">"Kept on the server, so every device you sign in from agrees."</p>
            </header>
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || loaded.get().map(|result| match result {
                    Ok(settings) => view! { <ProfileForm settings saved mine/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
            <PasswordForm/>
            <SignOutEverywhereCard/>
        </section>
    }
}

#[component]
fn ProfileForm(
    settings: AgentSettings,
    saved: ServerAction<SaveSettings>,
    mine: OwnSettings,
) -> impl IntoView {
    let draft = RwSignal::new(settings);
    Effect::new(move |_| {
        if let Some(Ok(settings)) = saved.value().get() {
            mine.0.set(settings);
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.dispatch(SaveSettings {
            settings: draft.get_untracked(),
        });
    };
    let toggle = |label: &'static str,
                  get: fn(&AgentSettings) -> bool,
                  set: fn(&mut AgentSettings, bool)| {
        view! {
            <label class="toggle">
                <input type="checkbox" prop:checked=move || draft.with(get)
                    on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| set(d, on)); }/>
                {label}
            </label>
        }
    };
    view! {
        <form class="card settings-form" on:submit=save>
            <h2>"Profile"</h2>
            <label>"Display name"
                <input prop:value=move || draft.with(|d| d.name.clone()) required maxlength="80"
                    on:input=move |ev| draft.update(|d| d.name = event_target_value(&ev))/>
            </label>
            <fieldset class="swatches">
                <legend>"Avatar colour"</legend>
                {AVATAR_COLORS.into_iter().map(|color| view! {
                    <label class="swatch" style=format!("background:{color}")>
                        <input type="radio" name="avatar_color" value=color
                            prop:checked=move || draft.with(|d| d.avatar_color == color)
                            on:change=move |_| draft.update(|d| d.avatar_color = color.to_string())/>
                        <span class="sr-only">{color}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <label>"Time zone"
                <input prop:value=move || draft.with(|d| d.time_zone.clone()) placeholder="Europe/Paris"
                    list="time-zones" autocomplete="off" data-testid="time-zone"
                    on:input=move |ev| draft.update(|d| d.time_zone = event_target_value(&ev))/>
            </label>
            <TimeZoneChoices/>
            <label>"Theme"
                <select on:change=move |ev| {
                    if let Some(theme) = Theme::parse(&event_target_value(&ev)) { draft.update(|d| d.theme = theme); mine.0.update(|m| m.theme = theme); }
                } data-testid="theme-select">
                    {Theme::ALL.into_iter().map(|theme| view! {
                        <option value=theme.as_str() selected=move || draft.with(|d| d.theme == theme)>{theme.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <h2>"Notifications"</h2>
            {toggle("Play a sound", |d| d.sound, |d, on| d.sound = on)}
            {toggle("Show browser notifications", |d| d.notifications, |d, on| d.notifications = on)}
            {toggle("For new conversations", |d| d.notify_new, |d, on| d.notify_new = on)}
            {toggle("For visitor messages", |d| d.notify_messages, |d, on| d.notify_messages = on)}
            <p><button type="button" class="secondary" on:click=move |_| ask_notification_permission()>"Allow browser notifications"</button></p>
            {move || match saved.value().get() {
                Some(Ok(_)) => Some(view! { <p class="form-ok" role="status">"Saved."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
            <button type="submit" class="primary" disabled=move || saved.pending().get()>"Save settings"</button>
        </form>
    }
}

/// The zones this browser knows, offered as the agent types (filled after hydration: the
/// list is long and the server's HTML does not need it).
#[component]
fn TimeZoneChoices() -> impl IntoView {
    let zones = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        zones.set(
            js_sys::Intl::supported_values_of(js_sys::Intl::SupportedValuesKey::TimeZone)
                .iter()
                .filter_map(|zone| zone.as_string())
                .collect(),
        );
    });
    view! {
        <datalist id="time-zones">
            {move || zones.get().into_iter().map(|zone| view! { <option value=zone></option> }).collect_view()}
        </datalist>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <ActionForm action=change attr:class="card settings-form">
            <h2>"Password"</h2>
            <label>"Current password"<input type="password" name="current" required autocomplete="current-password"/></label>
            <label>"New password (10+ characters)"<input type="password" name="new_password" required minlength="10" autocomplete="new-password"/></label>
            {move || match change.value().get() {
                Some(Ok(())) => Some(view! { <p class="form-ok" role="status">"Password changed. Your other devices were signed out."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
            <button type="submit" class="primary">"Change password"</button>
        </ActionForm>
    }
}

#[component]
fn SignOutEverywhereCard() -> impl IntoView {
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href("/agent/login");
            }
        }
    });
    view! {
        <div class="card">
            <h2>"Sessions"</h2>
            <p>"Lost a device? Sign out of Switchboard on every browser and device at once."</p>
            <button class="secondary danger" on:click=move |_| { sign_out.dispatch(SignOutEverywhere {}); }>"Sign out everywhere"</button>
        </div>
    }
}
