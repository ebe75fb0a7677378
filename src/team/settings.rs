//! /agent/settings: what each agent sets for themselves (name, colour, time zone, theme,
//! sounds and notifications), their password, and signing out everywhere.
use super::{my_settings, ChangePassword, SaveSettings, SignOutEverywhere};
use crate::model::{AgentSettings, Theme, AVATAR_COLORS};
use leptos::prelude::*;

/// Applies a theme to the page: `system` follows `prefers-color-scheme`.
pub fn apply_theme(theme: Theme) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
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
    let loaded = Resource::new(|| (), |_| my_settings());
    view! {
        <section class="page" aria-labelledby="settings-title">
            <header class="page-header">
                <h1 id="settings-title">"Your settings"</h1>
                <p class="page-sub">"Kept on the server, so every device you sign in from agrees."</p>
            </header>
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || loaded.get().map(|result| match result {
                    Ok(settings) => view! { <ProfileForm settings saved/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
            <PasswordForm/>
            <SignOutEverywhereCard/>
        </section>
    }
}

#[component]
fn ProfileForm(settings: AgentSettings, saved: ServerAction<SaveSettings>) -> impl IntoView {
    let draft = RwSignal::new(settings);
    Effect::new(move |_| {
        if let Some(Ok(settings)) = saved.value().get() {
            apply_theme(settings.theme);
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
                    on:input=move |ev| draft.update(|d| d.time_zone = event_target_value(&ev))/>
            </label>
            <label>"Theme"
                <select on:change=move |ev| {
                    if let Some(theme) = Theme::parse(&event_target_value(&ev)) { draft.update(|d| d.theme = theme); apply_theme(theme); }
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
