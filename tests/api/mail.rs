//! E-mail against a real SMTP server on loopback (Python's aiosmtpd, installed by
//! scripts/install-test-tools.sh): replies reach a visitor who has gone, batched, never with a
//! note, with a link that reopens the chat; read replies are not e-mailed; transcripts a
//! visitor asks for arrive; a server that is down is retried, then shown as failed.
use crate::common::*;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use switchboard::error::AppError;
use switchboard::live::ClientFrame;
use switchboard::model::{MailOverview, MailStatus, Message};
use switchboard::widget::WidgetSession;

/// aiosmtpd keeping every message it receives in a maildir.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// One received e-mail, decoded.
#[derive(serde::Deserialize, Debug)]
struct Received {
    to: String,
    from: String,
    subject: String,
    body: String,
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        SmtpSink::start_on(port).await
    }

    async fn start_on(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd runs (scripts/install-test-tools.sh installs it)");
        // Dropped (killed and waited for) on every path, the panic's too.
        let sink = SmtpSink { child, port, dir };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return sink;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    /// Every e-mail received so far, decoded by Python's own e-mail parser.
    fn received(&self) -> Vec<Received> {
        let script = r#"
import json, mailbox, sys
out = []
for message in mailbox.Maildir(sys.argv[1], create=False):
    body = message.get_payload(decode=True).decode(message.get_content_charset() or 'utf-8')
    out.append({"to": message["To"], "from": message["From"], "subject": str(message["Subject"]), "body": body})
print(json.dumps(out))
"#;
        if !self.maildir().exists() {
            return Vec::new();
        }
        let output = Command::new("python3")
            .args(["-c", script])
            .arg(self.maildir())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// Waits (up to 20 s) until `count` e-mails arrived.
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{count} e-mail(s) did not arrive: {:?}", self.received());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn overview(admin: &mut Client) -> Result<MailOverview, AppError> {
    admin.call("mail_overview", &[]).await
}

/// The admins' page as the server renders it, whole (a render that never ends fails here).
async fn mail_page(server: &Server, admin: &Client) -> String {
    let response = reqwest::Client::new()
        .get(format!("{}/agent/mail", server.base))
        .header("Cookie", admin.cookie_header())
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.expect("the page is sent whole")
}

async fn add_note(agent: &mut Client, id: &str, body: &str) {
    let _: Message = agent
        .call(
            "add_note",
            &[
                ("conversation_id", id),
                ("body", body),
                ("client_id", &client_id()),
            ],
        )
        .await
        .expect("the note is kept");
}

async fn leave_email(visitor: &mut Client, email: &str) {
    let _: switchboard::model::Conversation = visitor
        .call("leave_email", &[("email", email)])
        .await
        .expect("the e-mail is kept");
}

async fn email_transcript(visitor: &mut Client, email: &str) -> Result<String, AppError> {
    visitor.call("email_transcript", &[("email", email)]).await
}

async fn replies_reach_a_visitor_who_has_gone(backend: Backend) {
    let sink = SmtpSink::start().await;
    let db = Db::new(backend).await;
    let server = Server::start_with(
        &db,
        &[
            ("SWITCHBOARD_SMTP_URL", &sink.url()),
            ("SWITCHBOARD_MAIL_FROM", "Acme Support <help@acme.example>"),
            ("SWITCHBOARD_MAIL_BATCH_SECS", "2"),
            ("SWITCHBOARD_PUBLIC_URL", "https://chat.acme.example"),
        ],
    )
    .await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut visitor, session) = start_chat(&server, "Mina", "Is the blue one in stock?").await;
    let id = session.conversation.id.clone();
    leave_email(&mut visitor, "mina@example.com").await;

    // Two replies and a note, all within one batch.
    send_agent(&mut agent, &id, "Let me check the warehouse.")
        .await
        .unwrap();
    add_note(&mut agent, &id, "NOTE-SECRET stock is fake").await;
    send_agent(&mut agent, &id, "Yes: 4 left, shipping tomorrow.")
        .await
        .unwrap();

    let received = sink.wait_for(1).await;
    let mail = &received[0];
    assert_eq!(mail.to, "mina@example.com");
    assert!(mail.from.contains("help@acme.example"), "{}", mail.from);
    assert!(
        mail.subject.contains("replied to your message"),
        "{}",
        mail.subject
    );
    assert!(
        mail.body.contains("Let me check the warehouse."),
        "{}",
        mail.body
    );
    assert!(
        mail.body.contains("Yes: 4 left, shipping tomorrow."),
        "{}",
        mail.body
    );
    assert!(
        !mail.body.contains("NOTE-SECRET"),
        "a note never reaches the visitor"
    );
    assert!(!mail.body.contains("Is the blue one"), "only the replies");

    // The link opens the conversation in a browser that has no cookie.
    let link = mail
        .body
        .lines()
        .find_map(|line| line.strip_prefix("Continue the conversation: "))
        .expect("a link back to the chat");
    assert!(
        link.starts_with(&format!(
            "https://chat.acme.example/widget?inbox={}#sb=",
            session.conversation.inbox_id
        )),
        "{link}"
    );
    let token = link.split_once("#sb=").unwrap().1;
    let mut elsewhere = server.client();
    let reopened: Option<WidgetSession> = elsewhere
        .call("visitor_session", &[("visitor", token)])
        .await
        .unwrap();
    let reopened = reopened.expect("the link opens the conversation");
    assert_eq!(reopened.conversation.id, id);
    assert!(reopened
        .messages
        .iter()
        .all(|m| !m.body.contains("NOTE-SECRET")));
    // …and the visitor can answer from there.
    let answer: Message = elsewhere
        .call(
            "send_visitor_message",
            &[
                ("body", "Great, I'll order"),
                ("client_id", &client_id()),
                ("visitor", token),
            ],
        )
        .await
        .unwrap();
    assert_eq!(answer.conversation_id, id);
    // A made-up token opens nothing.
    let none: Option<WidgetSession> = server
        .client()
        .call(
            "visitor_session",
            &[("visitor", "made-up-token-made-up-token-0123")],
        )
        .await
        .unwrap();
    assert!(none.is_none());

    // One e-mail for the batch, and the admins see it as sent.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        sink.received().len(),
        1,
        "batched: one e-mail, not one per reply"
    );
    let seen = overview(&mut agent).await.unwrap();
    assert!(seen.configured);
    assert_eq!(seen.recent.len(), 1);
    assert_eq!(seen.recent[0].status, MailStatus::Sent);
    assert!(seen.recent[0].body.contains("shipping tomorrow"));
    let page = mail_page(&server, &agent).await;
    assert!(
        page.contains("E-mail is on") && page.contains("mina@example.com"),
        "{page}"
    );
    server.stop().await;
}

async fn read_replies_are_not_emailed(backend: Backend) {
    let sink = SmtpSink::start().await;
    let db = Db::new(backend).await;
    let server = Server::start_with(
        &db,
        &[
            ("SWITCHBOARD_SMTP_URL", &sink.url()),
            ("SWITCHBOARD_MAIL_BATCH_SECS", "5"),
        ],
    )
    .await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut visitor, session) = start_chat(&server, "Ola", "Hello?").await;
    let id = session.conversation.id.clone();
    leave_email(&mut visitor, "ola@example.com").await;
    let mut visitor_socket = visitor.socket().await;
    follow(&mut visitor_socket, &id).await;
    let reply = send_agent(&mut agent, &id, "Hi Ola, here now")
        .await
        .unwrap();
    // The visitor is there and reads it within the batch window (5 s, room for a loaded
    // machine): no e-mail is needed.
    visitor_socket
        .send(&ClientFrame::Receipt {
            conversation_id: id.clone(),
            delivered_seq: reply.seq,
            read_seq: reply.seq,
        })
        .await;
    for _ in 0..200 {
        let seen = overview(&mut agent).await.unwrap();
        if seen
            .recent
            .first()
            .is_some_and(|m| m.status != MailStatus::Waiting)
        {
            assert_eq!(seen.recent[0].status, MailStatus::Skipped);
            assert!(sink.received().is_empty(), "nothing was sent");
            return server.stop().await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the batch was never settled");
}

async fn a_visitor_gets_the_transcript_by_email(backend: Backend) {
    let sink = SmtpSink::start().await;
    let db = Db::new(backend).await;
    let server = Server::start_with(&db, &[("SWITCHBOARD_SMTP_URL", &sink.url())]).await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut visitor, session) = start_chat(&server, "Tariq", "My parcel never came").await;
    let id = session.conversation.id.clone();
    send_agent(&mut agent, &id, "I have sent a new one today.")
        .await
        .unwrap();
    add_note(&mut agent, &id, "NOTE-SECRET refund risk").await;

    // Bad addresses are refused before anything is queued.
    for bad in ["", "not-an-address", "a@b", "x@@example.com"] {
        assert!(
            matches!(
                email_transcript(&mut visitor, bad).await,
                Err(AppError::Invalid(_))
            ),
            "{bad:?}"
        );
    }
    // Only the conversation's own visitor can ask.
    assert!(matches!(
        email_transcript(&mut server.client(), "someone@example.com").await,
        Err(AppError::ConversationNotFound)
    ));
    assert_eq!(
        email_transcript(&mut visitor, "Tariq@Example.com")
            .await
            .unwrap(),
        "tariq@example.com"
    );
    // Her address is on file now: the agent sees it, and replies can reach her.
    let seen: switchboard::inbox::ConversationDetail = agent
        .call("open_conversation", &[("id", &id)])
        .await
        .unwrap();
    assert_eq!(
        seen.conversation.visitor_email.as_deref(),
        Some("tariq@example.com")
    );
    let received = sink.wait_for(1).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail.to, "tariq@example.com");
    assert_eq!(mail.subject, "Your conversation transcript");
    assert!(
        mail.body.contains("Tariq: My parcel never came"),
        "{}",
        mail.body
    );
    assert!(
        mail.body.contains("I have sent a new one today."),
        "{}",
        mail.body
    );
    assert!(
        !mail.body.contains("NOTE-SECRET"),
        "a note never reaches the visitor"
    );
    server.stop().await;
}

async fn smtp_down_is_retried_then_shown_as_failed(backend: Backend) {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let db = Db::new(backend).await;
    let server = Server::start_with(
        &db,
        &[
            ("SWITCHBOARD_SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
            ("SWITCHBOARD_MAIL_RETRY_SECS", "1"),
            ("SWITCHBOARD_MAIL_ATTEMPTS", "2"),
        ],
    )
    .await;
    let mut agent = server.client();
    agent.sign_in().await;
    let (mut visitor, _) = start_chat(&server, "Pia", "Please mail me this").await;
    // Accepted: the e-mail is queued, then tried twice.
    email_transcript(&mut visitor, "pia@example.com")
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..150 {
        let seen = overview(&mut agent).await.unwrap();
        let mail = seen.recent[0].clone();
        statuses.push((mail.status, mail.attempts));
        if mail.status == MailStatus::Failed {
            assert_eq!(mail.attempts, 2);
            assert!(mail.last_error.is_some_and(|e| !e.is_empty()));
            assert!(
                statuses
                    .iter()
                    .any(|(s, a)| *s == MailStatus::Waiting && *a == 1),
                "retried after the first failure: {statuses:?}"
            );
            // The server is back: the admin sends it again, and it arrives.
            let sink = SmtpSink::start_on(port).await;
            let retried: Result<(), AppError> =
                agent.call("retry_mail", &[("id", mail.id.as_str())]).await;
            retried.unwrap();
            for _ in 0..150 {
                let again = overview(&mut agent).await.unwrap().recent[0].clone();
                if again.status == MailStatus::Sent {
                    assert_eq!(again.attempts, 1, "counted afresh");
                    assert_eq!(sink.received().len(), 1);
                    let twice: Result<(), AppError> =
                        agent.call("retry_mail", &[("id", mail.id.as_str())]).await;
                    assert!(matches!(twice, Err(AppError::Invalid(_))), "{twice:?}");
                    return server.stop().await;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("the retried e-mail was never sent");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never marked failed: {statuses:?}");
}

async fn without_smtp_email_is_off(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::start(&db).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let seen = overview(&mut admin).await.unwrap();
    assert!(!seen.configured, "the page says e-mail is off");
    assert!(mail_page(&server, &admin).await.contains("E-mail is off."));
    let (mut visitor, session) = start_chat(&server, "Lu", "hi").await;
    leave_email(&mut visitor, "lu@example.com").await;
    assert_eq!(
        email_transcript(&mut visitor, "lu@example.com").await,
        Err(AppError::MailOff)
    );
    send_agent(&mut admin, &session.conversation.id, "hello Lu")
        .await
        .unwrap();
    assert!(
        overview(&mut admin).await.unwrap().recent.is_empty(),
        "nothing queued"
    );
    // Agents who are not admins cannot read the mail log.
    let (mut agent, _) =
        invite_and_join(&server, &mut admin, "kai@example.com", "Kai", "agent").await;
    assert_eq!(overview(&mut agent).await, Err(AppError::AdminOnly));
    assert_eq!(
        overview(&mut server.client()).await,
        Err(AppError::SignInRequired)
    );
    server.stop().await;
}

on_both_stores!(
    replies_reach_a_visitor_who_has_gone,
    read_replies_are_not_emailed,
    a_visitor_gets_the_transcript_by_email,
    smtp_down_is_retried_then_shown_as_failed,
    without_smtp_email_is_off,
);
