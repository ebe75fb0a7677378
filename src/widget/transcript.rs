//! "E-mail me this conversation": the visitor asks for the transcript (offered only when the
//! server can send e-mail; `transcripts::email_transcript` queues it, `mail` sends it).
use super::identity;
use crate::chat::ui_language;
use crate::live::client::ConversationFeed;
use crate::transcripts::EmailTranscript;
use leptos::prelude::*;
use rust_i18n::t;

#[component]
pub(super) fn EmailTranscriptForm(feed: ConversationFeed) -> impl IntoView {
    let lang = ui_language();
    let send = ServerAction::<EmailTranscript>::new();
    let email = RwSignal::new(
        feed.conversation
            .with_untracked(|c| c.visitor_email.clone())
            .unwrap_or_default(),
    );
    view! {
        <details class="widget-transcript" data-testid="email-transcript">
            <summary>{t!("widget.transcript", locale = lang)}</summary>
            <form on:submit=move |ev| {
                ev.prevent_default();
                send.dispatch(EmailTranscript { email: email.get_untracked(), visitor: identity::current() });
            }>
                <label class="sr-only" for="transcript-email">{t!("widget.transcript", locale = lang)}</label>
                <div class="leave-email-row">
                    <input id="transcript-email" type="email" required maxlength="254" placeholder="you@example.com"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                    <button type="submit" class="primary" disabled=move || send.pending().get()>{t!("widget.transcript_send", locale = lang)}</button>
                </div>
                {move || send.value().get().map(|result| match result {
                    Ok(to) => view! { <p class="widget-note" role="status" data-testid="transcript-sent">{t!("widget.transcript_sent", email = to, locale = lang)}</p> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </form>
        </details>
    }
}
