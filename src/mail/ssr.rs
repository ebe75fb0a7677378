//! The sender: every node looks for due e-mail each second, claims one row at a time (a lease
//! in the store, so two nodes never send one e-mail twice), composes replies when they go out
//! (so a batch holds every reply written meanwhile) and hands them to the SMTP server.
use crate::auth::ssr::require_admin;
use crate::error::{internal, AppError, AppResult};
use crate::model::{
    retry_delay_ms, MailKind, MailOverview, MailStatus, Message, OutgoingMail, SenderKind,
};
use crate::state::access::{new_token, token_hash};
use crate::state::AppState;
use crate::store::mail::Outcome;
use crate::store::Viewer;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use std::time::Duration;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// How often each node looks for due e-mail.
const SEND_EVERY: Duration = Duration::from_secs(1);
/// Most e-mails one pass sends; the next pass takes the rest.
const SEND_BATCH: u32 = 20;
/// How long a claimed e-mail is this node's: after that (the node died mid-send), another may
/// try it again.
const LEASE_MS: i64 = 120_000;
/// The SMTP conversation may not take longer than this.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a link in an e-mail reopens its conversation.
const LINK_DAYS: i64 = 30;
/// Newest e-mails the admins' page shows.
const RECENT: u32 = 50;

pub async fn overview() -> AppResult<MailOverview> {
    // Read before the first await: while the page renders, the context is gone after it.
    let state = AppState::from_context();
    require_admin().await?;
    let recent = state.stores.mail.recent(RECENT).await.map_err(internal)?;
    let settings = &state.settings.mail;
    Ok(MailOverview {
        configured: settings.smtp_url.is_some(),
        from: settings.from.clone(),
        batch_secs: settings.batch_secs,
        recent,
    })
}

/// Sends a failed e-mail again (admins): back in the queue, due now, attempts afresh.
pub async fn retry(id: String) -> AppResult<()> {
    let state = AppState::from_context();
    require_admin().await?;
    if state.settings.mail.smtp_url.is_none() {
        return Err(AppError::MailOff);
    }
    match state.stores.mail.retry(&id, crate::clock::now_ms()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::Invalid(
            "Only a failed e-mail can be sent again; this one is not (any more).".into(),
        )),
        Err(crate::store::StoreError::Conflict) => Err(AppError::Invalid(
            "Newer replies to this visitor are already waiting to go out: send this one again once they have.".into(),
        )),
        Err(error) => Err(internal(error)),
    }
}

/// Starts this node's sender, when an SMTP server is set; says so in the log either way.
pub fn spawn(state: AppState) {
    let Some(url) = &state.settings.mail.smtp_url else {
        tracing::info!("e-mail is off: no SMTP server is set (SWITCHBOARD_SMTP_URL)");
        return;
    };
    // The URL may hold a password: neither it nor lettre's message about it is logged.
    let transport = match Transport::from_url(url.expose_secret()) {
        Ok(builder) => builder.timeout(Some(SMTP_TIMEOUT)).build(),
        Err(_) => {
            tracing::error!(
                "e-mail is off: SWITCHBOARD_SMTP_URL is not a valid smtp:// or smtps:// URL"
            );
            return;
        }
    };
    let from = match state.settings.mail.from.parse::<Mailbox>() {
        Ok(from) => from,
        Err(error) => {
            tracing::error!(%error, "e-mail is off: SWITCHBOARD_MAIL_FROM is not a valid sender");
            return;
        }
    };
    tracing::info!(from = %from, "e-mail is on");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SEND_EVERY);
        let mut stopping = state.stopping.clone();
        loop {
            tokio::select! {
                _ = tick.tick() => send_due(&state, &transport, &from).await,
                _ = async { let _ = stopping.wait_for(|stop| *stop).await; } => return,
            }
        }
    });
}

async fn send_due(state: &AppState, transport: &Transport, from: &Mailbox) {
    let now = crate::clock::now_ms();
    let due = match state.stores.mail.due(now, SEND_BATCH).await {
        Ok(due) => due,
        Err(error) => return tracing::warn!(%error, "reading due e-mail failed"),
    };
    for mail in due {
        match state
            .stores
            .mail
            .claim(&mail.id, mail.due_at, now + LEASE_MS)
            .await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, "claiming an e-mail failed");
                continue;
            }
        }
        let outcome = attempt(state, transport, from, mail).await;
        if let Err(error) = state.stores.mail.finish(&outcome).await {
            tracing::warn!(%error, mail = %outcome.id, "recording an e-mail's outcome failed");
        }
    }
}

/// One attempt at one e-mail: composed, sent, and what came of it. A failure to compose or to
/// send is retried with back-off until the attempts run out; an address that can never work
/// fails at once.
async fn attempt(
    state: &AppState,
    transport: &Transport,
    from: &Mailbox,
    mail: OutgoingMail,
) -> Outcome {
    let now = crate::clock::now_ms();
    let composed = match mail.kind {
        MailKind::Transcript => Ok(Some((mail.subject.clone(), mail.body.clone()))),
        MailKind::Replies => compose_replies(state, &mail).await,
    };
    let (subject, body, result) = match composed {
        Ok(None) => {
            return outcome(
                &mail,
                MailStatus::Skipped,
                String::new(),
                String::new(),
                None,
                now,
            )
        }
        Err(error) => (String::new(), String::new(), Err(error)),
        Ok(Some((subject, body))) => match build(from, &mail.to, &subject, &body) {
            Ok(email) => {
                let sent = transport.send(email).await;
                (subject, body, sent.map(|_| ()).map_err(|e| e.to_string()))
            }
            Err(error) => {
                return outcome(&mail, MailStatus::Failed, subject, body, Some(error), now);
            }
        },
    };
    let attempts = mail.attempts + 1;
    match result {
        Ok(()) => {
            tracing::info!(mail = %mail.id, kind = mail.kind.as_str(), "e-mail sent");
            outcome(&mail, MailStatus::Sent, subject, body, None, now)
        }
        Err(error) if attempts >= state.settings.mail.attempts => {
            tracing::warn!(mail = %mail.id, %error, attempts, "e-mail failed for good");
            outcome(&mail, MailStatus::Failed, subject, body, Some(error), now)
        }
        Err(error) => {
            let base = (state.settings.mail.retry_secs as i64).saturating_mul(1000);
            let again = now + retry_delay_ms(attempts, base);
            tracing::warn!(mail = %mail.id, %error, attempts, "e-mail not sent; will retry");
            outcome(
                &mail,
                MailStatus::Waiting,
                subject,
                body,
                Some(error),
                again,
            )
        }
    }
}

fn outcome(
    mail: &OutgoingMail,
    status: MailStatus,
    subject: String,
    body: String,
    error: Option<String>,
    at: i64,
) -> Outcome {
    Outcome {
        id: mail.id.clone(),
        status,
        subject,
        body,
        error,
        at,
    }
}

fn build(from: &Mailbox, to: &str, subject: &str, body: &str) -> Result<lettre::Message, String> {
    let to: Mailbox = to
        .parse()
        .map_err(|_| format!("{to} is not an e-mail address"))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| e.to_string())
}

/// The replies written since the batch began, as the visitor sees them (never a note), and a
/// link back to the chat; `None` when the visitor has read them meanwhile (or there are none).
async fn compose_replies(
    state: &AppState,
    mail: &OutgoingMail,
) -> Result<Option<(String, String)>, String> {
    let conversations = &state.stores.conversations;
    let id = &mail.conversation_id;
    let conversation = conversations
        .get(Viewer::Node, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the conversation is gone")?;
    let visitor = Viewer::Visitor {
        conversation_id: id,
    };
    let events = conversations
        .messages_after(visitor, id, mail.after_seq, 200)
        .await
        .map_err(|e| e.to_string())?;
    let replies: Vec<&Message> = events
        .iter()
        .filter(|m| m.sender == SenderKind::Agent)
        .collect();
    let Some(last) = replies.last() else {
        return Ok(None);
    };
    if conversation.receipts.visitor_read >= last.seq {
        return Ok(None);
    }
    let token = new_token();
    let expires = crate::clock::now_ms() + LINK_DAYS * 86_400_000;
    state
        .stores
        .mail
        .add_link(&token_hash(&token), id, expires)
        .await
        .map_err(|e| e.to_string())?;
    let link = format!(
        "{}/widget?inbox={}#sb={token}",
        state.settings.public_url.trim_end_matches('/'),
        conversation.inbox_id
    );
    Ok(Some(replies_email(
        &conversation.visitor_name,
        &replies,
        &link,
    )))
}

/// Subject and plain-text body of a batch of replies.
pub fn replies_email(visitor_name: &str, replies: &[&Message], link: &str) -> (String, String) {
    let first = &replies[0].sender_name;
    let subject = if replies.iter().all(|m| &m.sender_name == first) {
        format!("{first} replied to your message")
    } else {
        "New replies to your message".to_string()
    };
    let mut body = format!("Hi {visitor_name},\n\nYou have new replies in your chat with us:\n\n");
    for reply in replies {
        let text = reply.plain_text().replace('\n', "\n    ");
        body.push_str(&format!("{}: {text}\n\n", reply.sender_name));
    }
    body.push_str(&format!(
        "Continue the conversation: {link}\n\n(You get this because you left your e-mail in our chat. Just reply in the chat: replies to this e-mail are not read.)\n"
    ));
    (subject, body)
}
