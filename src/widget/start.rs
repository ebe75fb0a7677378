//! Before the first message: the widget's header (shared with the chat) and the start form,
//! which asks every few seconds who is online (it has no socket yet).
use super::{agents_online, inbox, launcher, online_line, StartConversation, WidgetSession};
use crate::chat::{ui_language, Avatar, Composer, ConnectionBadge};
use crate::model::{Availability, SenderKind, WidgetInbox};
use crate::outbox::new_client_id;
use leptos::prelude::*;
use rust_i18n::t;

/// How often the start form asks again who is online (it has no socket yet).
#[cfg(feature = "hydrate")]
const PRESENCE_POLL_MS: u32 = 10_000;

#[component]
pub(super) fn WidgetHeader(
    #[prop(into)] subtitle: Signal<String>,
    /// Agents online, shown as initials.
    #[prop(into)]
    agents: Signal<Vec<String>>,
    #[prop(optional)] live: bool,
) -> impl IntoView {
    view! {
        <header class="widget-header">
            <div class="widget-team">
                {move || {
                    let names = agents.get();
                    if names.is_empty() {
                        view! { <span class="brand-mark">"S"</span> }.into_any()
                    } else {
                        view! {
                            <span class="team-faces" data-testid="agents-online">
                                {names.into_iter().take(3).map(|n| view! { <Avatar name=n kind=SenderKind::Agent/> }).collect_view()}
                            </span>
                        }.into_any()
                    }
                }}
                <div>
                    <div class="widget-title">{inbox().name}</div>
                    <div class="widget-subtitle" data-testid="widget-status">{move || subtitle.get()}</div>
                </div>
            </div>
            // The visitor needs to hear about the connection only when it is not working.
            <div class="widget-header-actions">
                {live.then(|| view! { <ConnectionBadge quiet_when_online=true/> <launcher::MuteToggle/> })}
                <launcher::CloseButton/>
            </div>
        </header>
    }
}

#[component]
pub(super) fn StartForm(on_started: Callback<WidgetSession>) -> impl IntoView {
    let WidgetInbox {
        greeting,
        ask_email,
        availability,
        ..
    } = inbox();
    // Out of hours the reply may come later: an e-mail is asked for, as when the inbox says.
    let closed = matches!(availability, Availability::Closed { .. });
    let ask_email = ask_email || closed;
    let lang = ui_language();
    let back = super::back_line(lang);
    let start = ServerAction::<StartConversation>::new();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let draft = RwSignal::new(String::new());
    // Typed before the page hydrated: kept (src/before_hydration.rs).
    let (name_field, email_field) = (NodeRef::new(), NodeRef::new());
    crate::before_hydration::keep(name_field, name);
    crate::before_hydration::keep(email_field, email);
    // A visitor the host site identified need not type who they are.
    Effect::new(move |_| {
        if let Some(facts) = launcher::HostPage::expect().1.get() {
            if name.with_untracked(String::is_empty) {
                name.set(facts.name);
            }
            if email.with_untracked(String::is_empty) {
                email.set(facts.email);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(started)) = start.value().get() {
            on_started.run(started);
        }
    });
    let error = Signal::derive(move || match start.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    // Asked again every few seconds, so an agent signing in turns "away" into "online".
    let poll = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(PRESENCE_POLL_MS).await;
                if poll.try_update(|n| *n += 1).is_none() {
                    return;
                }
            }
        });
    });
    let online = crate::codec::resource(move || poll.get(), |_| agents_online());
    let agents = Signal::derive(move || online.get().and_then(Result::ok).unwrap_or_default());
    let subtitle = Signal::derive(move || match online.get() {
        _ if closed => format!("{} {}", inbox().away_message, back.get())
            .trim()
            .to_string(),
        None => t!("widget.reply_soon", locale = lang).into(),
        Some(_) => online_line(&agents.get(), lang)
            .map(|_| t!("widget.online_minutes", locale = lang).into())
            .unwrap_or_else(|| inbox().away_message),
    });
    let send = Callback::new(move |body: String| {
        // One conversation per visitor: ignore a second press while the first is on its way.
        if start.pending().get_untracked() {
            return;
        }
        let (language, time_zone) = super::identity::browser_locale();
        let page_url = launcher::HostPage::expect()
            .0
            .with_untracked(|page| page.as_ref().map(|(url, _, _)| url.clone()))
            .unwrap_or_else(page_url);
        start.dispatch(StartConversation {
            name: name.get_untracked(),
            email: email.get_untracked(),
            body,
            client_id: new_client_id(),
            page_url,
            visitor: super::identity::current(),
            inbox: inbox().id,
            host: super::identity::host_origin(),
            language,
            time_zone,
        });
    });
    view! {
        <WidgetHeader subtitle agents/>
        <div class="widget-welcome">
            <h2>{t!("widget.hi", locale = lang)}</h2>
            <p data-testid="greeting">{greeting}</p>
            <div class="start-fields">
                <input node_ref=name_field data-keep="" placeholder=t!("widget.name_placeholder", locale = lang) maxlength="80" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) data-testid="start-name"/>
                <input node_ref=email_field data-keep="" type="email" maxlength="254" required=ask_email
                    placeholder=if ask_email { t!("widget.email_required", locale = lang) } else { t!("widget.email_optional", locale = lang) }
                    prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) data-testid="start-email"/>
            </div>
        </div>
        <Composer draft on_send=send error placeholder=t!("widget.first_message", locale = lang).to_string()
            on_typing=Callback::new(|_| super::chunk::prefetch_chat())/>
    }
}

fn page_url() -> String {
    #[cfg(feature = "hydrate")]
    {
        // Inside the embed's iframe the host page is the referrer.
        let document = web_sys::window().and_then(|w| w.document());
        let referrer = document.as_ref().map(|d| d.referrer()).unwrap_or_default();
        if !referrer.is_empty() {
            return referrer;
        }
        document.and_then(|d| d.url().ok()).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}
