//! The conversation once it exists: the thread, the composer and what surrounds them (the
//! e-mail form when nobody is online, the rating, the transcript, files). In the lean bundle
//! this is the chat's chunk (`chunk.rs`), so none of it weighs on a new visitor's first open.
use super::{
    back_line, identity, inbox, launcher, send_visitor_message, transcript, visitor_context,
    visitor_page, LeaveEmail, OlderVisitorMessages, WidgetHeader, WidgetSession,
};
use crate::attachments::{UploadTray, Uploads};
use crate::chat::{ui_language, Composer, MessageList};
use crate::csat::RatingCard;
use crate::live::client::{use_live, ConversationFeed};
use crate::model::{Availability, Conversation, SenderKind, Status};
use crate::outbox::{resend_when_online, Outbox};
use leptos::prelude::*;
use rust_i18n::t;

/// What the widget says about the conversation; `agents` is `None` until the socket said.
fn status_line(
    conversation: &Conversation,
    agents: Option<&[String]>,
    away: &str,
    lang: &'static str,
) -> String {
    let nobody_online = agents.is_some_and(|names| names.is_empty());
    match (conversation.status, &conversation.assignee_name) {
        (Status::Resolved, _) => t!("widget.resolved", locale = lang).into(),
        _ if nobody_online => away.into(),
        (Status::Active, Some(agent)) if agents.is_none_or(|names| names.contains(agent)) => {
            t!("widget.helping", name = agent, locale = lang).into()
        }
        (Status::Active | Status::Waiting, _) => t!("widget.online_shortly", locale = lang).into(),
    }
}

/// Offline mode: nobody is online and the visitor left no e-mail yet.
#[component]
fn LeaveEmail(feed: ConversationFeed) -> impl IntoView {
    let live = use_live();
    let save = ServerAction::<LeaveEmail>::new();
    let email = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(conversation)) = save.value().get() {
            feed.update_conversation(conversation);
        }
    });
    let closed = matches!(inbox().availability, Availability::Closed { .. });
    let lang = ui_language();
    let wanted = move || {
        (closed
            || live
                .agents_online
                .with(|a| a.as_ref().is_some_and(Vec::is_empty)))
            && feed.conversation.with(|c| c.visitor_email.is_none())
    };
    view! {
        <Show when=wanted>
            <form class="leave-email" data-testid="leave-email"
                on:submit=move |ev| { ev.prevent_default(); save.dispatch(LeaveEmail { email: email.get_untracked(), visitor: identity::current() }); }>
                <label for="leave-email-input">{t!("widget.reply_by_email", locale = lang)}</label>
                <div class="leave-email-row">
                    <input id="leave-email-input" type="email" required maxlength="254" placeholder="you@example.com"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                    <button type="submit" class="primary" disabled=move || save.pending().get()>{t!("widget.save", locale = lang)}</button>
                </div>
                {move || match save.value().get() {
                    Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
                    _ => None,
                }}
            </form>
        </Show>
        {move || feed.conversation.with(|c| c.visitor_email.clone()).map(|email| view! {
            <p class="widget-note" data-testid="email-saved">{t!("widget.email_saved", email = email, locale = lang)}</p>
        })}
    }
}

#[component]
pub(super) fn WidgetChat(started: WidgetSession) -> impl IntoView {
    let live = use_live();
    let feed: ConversationFeed = live.follow(started.conversation, started.messages);
    let outbox = Outbox::new(feed, |_, item| {
        Box::pin(send_visitor_message(
            item.body,
            item.client_id,
            identity::current(),
        ))
    });
    resend_when_online(live, outbox);
    let older = ServerAction::<OlderVisitorMessages>::new();
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(messages)) = older.value().get() {
            feed.merge(messages);
        }
    });
    let lang = ui_language();
    let closed = matches!(inbox().availability, Availability::Closed { .. });
    let back = back_line(lang);
    let away = inbox().away_message;
    let subtitle = Signal::derive(move || {
        if closed {
            return format!("{away} {}", back.get()).trim().to_string();
        }
        let agents = live.agents_online.get();
        feed.conversation
            .with(|c| status_line(c, agents.as_deref(), &away, lang))
    });
    let agents = Signal::derive(move || live.agents_online.get().unwrap_or_default());
    launcher::announce_replies(feed);
    // The agent's panel follows the visitor around the host site, and shows what the site
    // said about them.
    let host_page = launcher::HostPage::expect();
    Effect::new(move |_| {
        let Some(facts) = host_page.1.get() else {
            return;
        };
        // Reported on every page load: a write only when something is new.
        let known = feed.conversation.with_untracked(|c| {
            (facts.name.is_empty() || facts.name == c.visitor_name)
                && (facts.email.is_empty() || Some(&facts.email) == c.visitor_email.as_ref())
                && facts.context == c.visitor_context
        });
        if known {
            return;
        }
        let context = serde_json::to_string(&facts.context).unwrap_or_default();
        leptos::task::spawn_local(async move {
            let sent = visitor_context(facts.name, facts.email, context, identity::current());
            if let Ok(conversation) = sent.await {
                feed.update_conversation(conversation);
            }
        });
    });
    Effect::new(move |_| {
        let Some((url, title, referrer)) = host_page.0.get() else {
            return;
        };
        let known = feed
            .conversation
            .with_untracked(|c| (c.visitor_page.clone(), c.visitor_page_title.clone()));
        if known
            == (
                Some(url.clone()),
                Some(title.clone()).filter(|t| !t.is_empty()),
            )
        {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(conversation) = visitor_page(url, title, referrer, identity::current()).await
            {
                feed.update_conversation(conversation);
            }
        });
    });
    let uploads = Uploads::new(feed, Signal::stored(false));
    // Resolved and not rated yet (this resolution): the widget asks how it went.
    let rated = RwSignal::new(None::<crate::model::Rating>);
    let to_rate = move || {
        feed.conversation.with(|c| {
            let rating = rated.get().or_else(|| c.rating.clone());
            feed.messages
                .with(|m| crate::model::resolution_to_rate(c.status, m, rating.as_ref()))
                .is_some()
        })
    };
    // This resolution is rated (here, or the socket said so first, or before a reload).
    let thanked = move || {
        let resolved_and_rated = feed.conversation.with(|c| {
            c.status == Status::Resolved && (c.rating.is_some() || rated.with(Option::is_some))
        });
        resolved_and_rated && !to_rate()
    };
    view! {
        <WidgetHeader subtitle agents live=true/>
        <LeaveEmail feed/>
        <MessageList feed outbox viewer=SenderKind::Visitor
            on_load_older=Callback::new(move |before_seq| { older.dispatch(OlderVisitorMessages { before_seq, visitor: identity::current() }); })
            loading_older=older.pending()/>
        <Show when=to_rate>
            <RatingCard lang token=Callback::new(|_| identity::current()) on_rated=Callback::new(move |rating| rated.set(Some(rating)))/>
        </Show>
        {move || thanked().then(|| view! {
            <p class="widget-note" data-testid="rating-thanks">{t!("csat.thanks", locale = lang)}</p>
        })}
        {inbox().mail.then(|| view! { <transcript::EmailTranscriptForm feed/> })}
        <UploadTray uploads lang/>
        <Composer draft error={None::<String>} placeholder=t!("widget.reply", locale = lang).to_string()
            on_files=Callback::new(move |picked| uploads.send(picked))
            on_send=Callback::new(move |body| { draft.set(String::new()); outbox.send(body, false); })
            on_typing=Callback::new(move |_| live.typing(feed.conversation.with_untracked(|c| c.id.clone())))/>
    }
}
