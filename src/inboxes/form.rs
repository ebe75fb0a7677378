//! One inbox's settings form: look and words, business hours, language, allowed sites, the
//! agents who work it, and the snippet to paste.
use super::{InboxMembers, SaveInbox, SaveInboxMembers};
use crate::model::{DayHours, InboxSettings, LANGUAGES, WEEKDAYS};
use leptos::prelude::*;

#[component]
pub fn InboxForm(settings: InboxSettings, members: InboxMembers) -> impl IntoView {
    let save = ServerAction::<SaveInbox>::new();
    let inbox_id = settings.id.clone();
    let draft = RwSignal::new(settings);
    // The text area holds one domain per line; the list is rebuilt from it on save.
    let domains = RwSignal::new(draft.with_untracked(|d| d.allowed_domains.join("\n")));
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            domains.set(saved.allowed_domains.join("\n"));
            draft.set(saved);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut settings = draft.get_untracked();
        settings.allowed_domains = domains.with_untracked(|text| {
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect()
        });
        save.dispatch(SaveInbox { settings });
    };
    let text = |label: &'static str,
                testid: &'static str,
                get: fn(&InboxSettings) -> String,
                set: fn(&mut InboxSettings, String)| {
        view! {
            <label>{label}
                <input prop:value=move || draft.with(get) required data-testid=testid
                    on:input=move |ev| { let value = event_target_value(&ev); draft.update(|d| set(d, value)); }/>
            </label>
        }
    };
    view! {
        <form class="card settings-form" on:submit=submit data-testid="inbox-form">
            <label class="toggle">
                <input type="checkbox" prop:checked=move || draft.with(|d| d.enabled) data-testid="inbox-enabled"
                    on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| d.enabled = on); }/>
                "Chat switched on (off: the widget says the chat is not available; conversations stay)"
            </label>
            <h2>"Look and words"</h2>
            {text("Name in the widget's header", "inbox-name", |d| d.name.clone(), |d, v| d.name = v)}
            <label>"Brand colour"
                <span class="color-row">
                    <input type="color" prop:value=move || draft.with(|d| d.color.clone()) data-testid="inbox-color"
                        on:input=move |ev| { let value = event_target_value(&ev); draft.update(|d| d.color = value); }/>
                    <span class="color-sample" style=move || draft.with(|d| format!("background:{}", d.color))>"Aa"</span>
                </span>
            </label>
            {text("Greeting", "inbox-greeting", |d| d.greeting.clone(), |d, v| d.greeting = v)}
            {text("Away message (nobody online, or out of hours)", "inbox-away", |d| d.away_message.clone(), |d, v| d.away_message = v)}
            <label>"Widget language"
                <select data-testid="inbox-language" on:change=move |ev| { let value = event_target_value(&ev); draft.update(|d| d.language = value); }>
                    {LANGUAGES.iter().map(|(code, name)| view! {
                        <option value=*code selected=move || draft.with(|d| d.language == *code)>{*name}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="toggle">
                <input type="checkbox" prop:checked=move || draft.with(|d| d.ask_email) data-testid="inbox-ask-email"
                    on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| d.ask_email = on); }/>
                "Ask for an e-mail before the first message"
            </label>
            <BusinessHours draft/>
            <h2>"Where it may appear"</h2>
            <label>"Allowed sites, one per line (e.g. shop.example, *.example.com, localhost:3000)"
                <textarea rows="4" prop:value=move || domains.get() data-testid="inbox-domains"
                    on:input=move |ev| domains.set(event_target_value(&ev))></textarea>
            </label>
            <Show when=move || domains.with(|d| d.trim().is_empty())>
                <p class="form-warning" role="note" data-testid="any-site-warning">
                    "No sites listed: any website can show this chat and send you messages through it."
                </p>
            </Show>
            {move || match save.value().get() {
                Some(Ok(_)) => Some(view! { <p class="form-ok" role="status">"Saved."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
            <button type="submit" class="primary" disabled=move || save.pending().get()>"Save widget"</button>
        </form>
        <Members inbox_id=inbox_id.clone() members/>
        <Snippet inbox_id color=Signal::derive(move || draft.with(|d| d.color.clone()))/>
    }
}

/// Always open, or a week of opening hours in the inbox's time zone.
#[component]
fn BusinessHours(draft: RwSignal<InboxSettings>) -> impl IntoView {
    let limited = move || draft.with(|d| !d.hours.is_empty());
    let toggle = move |ev| {
        let on = event_target_checked(&ev);
        draft.update(|d| {
            d.hours = if on {
                (0..7).map(|day| DayHours::nine_to_five(day < 5)).collect()
            } else {
                Vec::new()
            }
        });
    };
    let day_row = move |day: usize| {
        let name = WEEKDAYS[day];
        let get = move |f: fn(&DayHours) -> String| {
            move || draft.with(|d| d.hours.get(day).map(f).unwrap_or_default())
        };
        let set = move |f: fn(&mut DayHours, String)| {
            move |ev| {
                let value = event_target_value(&ev);
                draft.update(|d| {
                    if let Some(hours) = d.hours.get_mut(day) {
                        f(hours, value)
                    }
                });
            }
        };
        view! {
            <div class="hours-row" role="group" aria-label=name>
                <label class="toggle hours-day">
                    <input type="checkbox" data-testid="hours-open"
                        prop:checked=move || draft.with(|d| d.hours.get(day).is_some_and(|h| h.open))
                        on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| if let Some(h) = d.hours.get_mut(day) { h.open = on }); }/>
                    {name}
                </label>
                <input type="time" aria-label=format!("{name} opens") prop:value=get(|h| h.from.clone())
                    on:input=set(|h, v| h.from = v)/>
                <span aria-hidden="true">"–"</span>
                <input type="time" aria-label=format!("{name} closes") prop:value=get(|h| h.to.clone())
                    on:input=set(|h, v| h.to = v)/>
            </div>
        }
    };
    view! {
        <h2>"Business hours"</h2>
        <label class="toggle">
            <input type="checkbox" prop:checked=limited on:change=toggle data-testid="hours-limited"/>
            "Only at set hours (outside them the widget shows the away message and when you are back, and asks for an e-mail)"
        </label>
        <Show when=limited>
            <label>"Time zone of these hours"
                <input prop:value=move || draft.with(|d| d.time_zone.clone()) list="inbox-zones" required data-testid="inbox-zone"
                    on:input=move |ev| { let value = event_target_value(&ev); draft.update(|d| d.time_zone = value); }/>
            </label>
            <div class="hours">{(0..7).map(day_row).collect_view()}</div>
        </Show>
    }
}

/// The agents who work this inbox: they see its conversations (admins see all).
#[component]
fn Members(inbox_id: String, members: InboxMembers) -> impl IntoView {
    let save = ServerAction::<SaveInboxMembers>::new();
    let chosen = RwSignal::new(members.members);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            chosen.set(saved.members);
        }
    });
    view! {
        <form class="card settings-form" data-testid="inbox-members" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveInboxMembers { id: inbox_id.clone(), members: chosen.get_untracked() });
        }>
            <h2>"Who answers here"</h2>
            <p class="page-sub">"Members see this inbox's conversations. Admins see every inbox."</p>
            {members.agents.into_iter().map(|(id, name)| {
                        let checked_id = id.clone();
                        view! {
                            <label class="toggle">
                                <input type="checkbox" data-testid="member-toggle"
                                    prop:checked=move || chosen.with(|c| c.contains(&checked_id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id.clone()); } });
                                    }/>
                                {name}
                            </label>
                        }
                    }).collect_view()}
            {move || match save.value().get() {
                Some(Ok(_)) => Some(view! { <p class="form-ok" role="status">"Members saved."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
            <button type="submit" class="secondary" disabled=move || save.pending().get()>"Save members"</button>
        </form>
    }
}

/// The one line to paste into the site, with a copy button.
#[component]
fn Snippet(inbox_id: String, color: Signal<String>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let inbox_id = StoredValue::new(inbox_id);
    let snippet = move || {
        format!(
            "<script src=\"{}/embed.js\" data-inbox=\"{}\" data-color=\"{}\" async></script>",
            origin(),
            inbox_id.get_value(),
            color.get()
        )
    };
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&snippet());
            copied.set(true);
        }
    };
    view! {
        <div class="card">
            <h2>"Add it to your site"</h2>
            <p>"Paste this line before " <code>"</body>"</code> " on every page that should show the chat:"</p>
            <pre class="snippet-code" data-testid="inbox-snippet">{snippet}</pre>
            <button type="button" class="secondary" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy snippet" }}
            </button>
        </div>
    }
}

/// This server's address as the browser sees it (the snippet must name it).
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        #[cfg(feature = "ssr")]
        {
            crate::state::AppState::from_context()
                .settings
                .public_url
                .trim_end_matches('/')
                .to_string()
        }
        #[cfg(not(feature = "ssr"))]
        String::new()
    }
}
