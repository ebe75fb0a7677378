//! E-mail: an agent's replies reach a visitor who has gone (batched, with a link that reopens
//! the conversation in the widget), and transcripts a visitor asks for go out. Outgoing mail
//! is queued in the store and sent by a worker on every node (`ssr`) through SMTP, retried with
//! back-off and shown to admins at /agent/mail, failures included. Without an SMTP server the
//! page says e-mail is off, and asking for a transcript says so too.
use crate::error::AppError;
use crate::model::{MailKind, MailOverview, MailStatus, OutgoingMail};
use crate::time_fmt;
use leptos::prelude::*;

/// Whether e-mail is on, and the newest outgoing e-mails (admins only).
#[server(endpoint = "mail_overview")]
pub async fn load_mail_overview() -> Result<MailOverview, AppError> {
    ssr::overview().await
}

/// Sends a failed e-mail again (admins): it goes back in the queue, due now.
#[server(endpoint = "retry_mail")]
pub async fn retry_mail(id: String) -> Result<(), AppError> {
    ssr::retry(id).await
}

/// /agent/mail: is e-mail set up, and what went out, waits or failed.
#[component]
pub fn MailPage() -> impl IntoView {
    let retry = ServerAction::<RetryMail>::new();
    // Read again after each retry, so the row shows it waiting.
    let overview = crate::codec::resource(move || retry.version().get(), |_| load_mail_overview());
    provide_context(retry);
    view! {
        <section class="page" aria-labelledby="mail-page-title">
            <header class="page-header">
                <h1 id="mail-page-title">"E-mail"</h1>
                <p class="page-sub">"Replies reach visitors who left an e-mail and were not there to read them, gathered into one e-mail, with a link back to the chat. Visitors can also ask for a transcript."</p>
            </header>
            {move || match retry.value().get() {
                Some(Err(error)) => Some(view! { <p class="form-error" role="alert" data-testid="mail-retry-error">{error.to_string()}</p> }),
                _ => None,
            }}
            <Suspense fallback=|| view! { <div class="page-loading">"Loading…"</div> }>
                {move || overview.get().map(|result| match result {
                    Ok(overview) => view! { <Overview overview/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Overview(overview: MailOverview) -> impl IntoView {
    let setup = if overview.configured {
        view! {
            <p class="card mail-on" data-testid="mail-on">
                "E-mail is on. It is sent as "<strong>{overview.from.clone()}</strong>
                "; replies gather for "{batch_text(overview.batch_secs)}" before they go out."
            </p>
        }
        .into_any()
    } else {
        view! {
            <p class="card mail-off" role="status" data-testid="mail-off">
                <strong>"E-mail is off."</strong>" No SMTP server is set, so replies do not reach visitors who have gone and visitors cannot ask for transcripts. Set "
                <code>"SWITCHBOARD_SMTP_URL"</code>" (for example "<code>"smtp://mail.example.com:587?tls=required"</code>") and "
                <code>"SWITCHBOARD_MAIL_FROM"</code>", then restart."
            </p>
        }
        .into_any()
    };
    let now = crate::clock::now_ms();
    if overview.recent.is_empty() {
        return view! { {setup}<p class="card empty-note" data-testid="mail-empty">"No e-mail yet."</p> }.into_any();
    }
    let rows = overview
        .recent
        .into_iter()
        .map(|mail| view! { <MailRow mail now/> })
        .collect_view();
    view! {
        {setup}
        <h2 class="section-title">"Recent e-mail"</h2>
        <table class="card mail-table" data-testid="mail-table">
            <thead><tr><th scope="col">"To"</th><th scope="col">"What"</th><th scope="col">"Status"</th><th scope="col">"When"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// "2 min", or "45 s" under a minute.
fn batch_text(secs: u64) -> String {
    if secs < 60 {
        format!("{secs} s")
    } else {
        format!("{} min", secs.div_ceil(60))
    }
}

#[component]
fn MailRow(mail: OutgoingMail, now: i64) -> impl IntoView {
    let what = match mail.kind {
        MailKind::Replies => "Replies",
        MailKind::Transcript => "Transcript",
    };
    let (status, class) = match mail.status {
        MailStatus::Waiting if mail.attempts > 0 => (
            format!("Retrying ({} tried)", mail.attempts),
            "mail-status retrying",
        ),
        MailStatus::Waiting => ("Waiting".to_string(), "mail-status waiting"),
        MailStatus::Sent => ("Sent".to_string(), "mail-status sent"),
        MailStatus::Skipped => (
            "Not needed: read in the chat".to_string(),
            "mail-status skipped",
        ),
        MailStatus::Failed => (
            format!("Failed after {} attempts", mail.attempts),
            "mail-status failed",
        ),
    };
    let at = mail.sent_at.unwrap_or(mail.created_at);
    let failed = mail.status == MailStatus::Failed;
    let id = mail.id.clone();
    let retry = use_context::<ServerAction<RetryMail>>();
    let label = format!("Send the e-mail to {} again", mail.to);
    view! {
        <tr data-testid="mail-row">
            <td>{mail.to}</td>
            <td>{what}</td>
            <td>
                <span class=class>{status}</span>
                {mail.last_error.map(|error| view! { <span class="mail-error">{error}</span> })}
                {(failed && retry.is_some()).then(|| view! {
                    <button type="button" class="secondary mail-retry" data-testid="mail-retry"
                        aria-label=label
                        on:click=move |_| { if let Some(retry) = retry { retry.dispatch(RetryMail { id: id.clone() }); } }>
                        "Send again"
                    </button>
                })}
            </td>
            <td><time datetime=time_fmt::iso(at)>{time_fmt::short(at, now)}</time></td>
        </tr>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr;
