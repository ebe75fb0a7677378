//! Files: a visitor's and an agent's reach both sides live and are served only to them (with
//! headers that keep them from running as a page); a note's file never reaches the visitor;
//! oversized, lying, damaged, empty and cut-off uploads are refused with typed errors and
//! leave nothing in the file store; a retried upload is stored once.
use crate::common::*;
use std::path::Path;
use switchboard::error::AppError;
use switchboard::model::{Message, SenderKind};
use tokio::io::AsyncWriteExt;

/// A PNG of `width`×`height` with enough detail that it does not compress to nothing.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encodes");
    out.into_inner()
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub(crate) struct Sent {
    pub(crate) status: u16,
    body: String,
}

impl Sent {
    pub(crate) fn message(&self) -> Message {
        assert_eq!(self.status, 200, "upload refused: {}", self.body);
        serde_json::from_str(&self.body).expect("a message")
    }

    fn error(&self) -> AppError {
        assert_ne!(self.status, 200, "upload accepted: {}", self.body);
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{} {e}: {}", self.status, self.body))
    }
}

/// Posts `bytes` as the browser's upload does, with `client`'s cookies (and `headers`).
pub(crate) async fn upload(
    client: &Client,
    query: &str,
    bytes: Vec<u8>,
    headers: &[(&str, &str)],
) -> Sent {
    let mut request = reqwest::Client::new()
        .post(format!("{}/files?{query}", client.base))
        .header("Cookie", client.cookie_header())
        .header("Origin", &client.base)
        .header("Content-Type", "application/octet-stream")
        .body(bytes);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("server answers");
    Sent {
        status: response.status().as_u16(),
        body: response.text().await.unwrap(),
    }
}

pub(crate) fn query(name: &str, client_id: &str) -> String {
    format!("client_id={client_id}&name={name}")
}

pub(crate) async fn fetch(client: &Client, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", client.base))
        .header("Cookie", client.cookie_header())
        .send()
        .await
        .expect("server answers")
}

/// Every file under `folder`, however deep.
fn files_in(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

async fn files_reach_both_sides_and_only_them(backend: Backend) {
    let db = Db::new(backend).await;
    let folder = tempfile::tempdir().unwrap();
    let store = folder.path().to_str().unwrap();
    let server = Server::start_with(&db, &[("SWITCHBOARD_FILES_STORE", store)]).await;
    let (visitor, session) = start_chat(&server, "Vera", "My screen shows an error").await;
    let id = session.conversation.id.clone();
    let mut agent = server.client();
    agent.sign_in().await;
    let mut agent_socket = agent.socket().await;
    follow(&mut agent_socket, &id).await;
    let mut visitor_socket = visitor.socket().await;
    follow(&mut visitor_socket, &id).await;

    // The visitor sends a large screenshot: stored, posted, live to the agent.
    let shot = png(2000, 1000);
    let upload_id = client_id();
    let sent = upload(
        &visitor,
        &query("screen%20shot.png", &upload_id),
        shot.clone(),
        &[],
    )
    .await;
    let message = sent.message();
    let file = message
        .attachment
        .clone()
        .expect("the message carries the file");
    assert_eq!(message.sender, SenderKind::Visitor);
    assert_eq!(message.body, "screen shot.png");
    assert_eq!(file.content_type, "image/png");
    assert_eq!((file.width, file.height), (Some(2000), Some(1000)));
    assert_eq!(file.size, shot.len() as u64);
    assert!(file.thumb, "a large image gets a thumbnail");
    let live = agent_socket
        .expect(|frame| frame_message(frame).filter(|m| m.seq == message.seq))
        .await;
    assert_eq!(live.attachment, Some(file.clone()));

    // A retried upload (same client id) is the same message, and its copy is not kept.
    let again = upload(
        &visitor,
        &query("screen%20shot.png", &upload_id),
        shot.clone(),
        &[],
    )
    .await;
    assert_eq!(again.message().seq, message.seq);
    assert_eq!(
        files_in(folder.path()).len(),
        2,
        "the file and its thumbnail"
    );

    // The agent reads it with their session: the bytes, shown inline, never sniffed.
    let path = format!("/files/{id}/{}", message.seq);
    let got = fetch(&agent, &path).await;
    assert_eq!(got.status(), 200);
    let headers = got.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cross-origin-resource-policy"], "same-origin");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("inline;"), "{disposition}");
    assert_eq!(got.bytes().await.unwrap().as_ref(), shot.as_slice());
    let download = fetch(&agent, &format!("{path}?download=1")).await;
    let disposition = download.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let thumb = fetch(&agent, &format!("{path}?thumb=1")).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let thumb = thumb.bytes().await.unwrap();
    assert!(
        thumb.len() < shot.len() / 4,
        "thumbnail {} bytes",
        thumb.len()
    );

    // The transcript names the file (and its size) where it was sent.
    let transcript = fetch(&agent, &format!("/agent/transcript/{id}?format=txt")).await;
    let transcript = transcript.text().await.unwrap();
    assert!(
        transcript.contains("[file: screen shot.png, "),
        "{transcript}"
    );

    // The visitor reads it with its key (a widget framed elsewhere has no cookie).
    let keyed = format!("{path}?key={}", file.id);
    let stranger = server.client();
    assert_eq!(fetch(&stranger, &keyed).await.status(), 200);
    assert_eq!(
        fetch(&stranger, &path).await.status(),
        404,
        "no key, no session"
    );
    let wrong = format!("{path}?key={}", client_id());
    assert_eq!(fetch(&stranger, &wrong).await.status(), 404);
    assert_eq!(
        fetch(&visitor, &path).await.status(),
        404,
        "the key is needed"
    );
    assert_eq!(
        fetch(&stranger, &format!("/files/{id}/1?key={}", file.id))
            .await
            .status(),
        404
    );

    // Another visitor cannot send into this conversation.
    let (other, _) = start_chat(&server, "Otto", "Hello").await;
    let into = format!("conversation={id}&{}", query("x.png", &client_id()));
    assert_eq!(
        upload(&other, &into, png(10, 10), &[]).await.error(),
        AppError::ConversationNotFound
    );

    // The agent's file as a note: agents get it, the visitor never does, even with its key.
    let note = upload(
        &agent,
        &format!(
            "conversation={id}&note=true&{}",
            query("refund.pdf", &client_id())
        ),
        PDF.to_vec(),
        &[],
    )
    .await
    .message();
    assert_eq!(note.sender, SenderKind::Note);
    let note_file = note.attachment.clone().unwrap();
    assert_eq!(note_file.content_type, "application/pdf");
    let note_path = format!("/files/{id}/{}", note.seq);
    let got = fetch(&agent, &note_path).await;
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);
    let keyed_note = format!("{note_path}?key={}", note_file.id);
    assert_eq!(fetch(&visitor, &keyed_note).await.status(), 404);
    let reply = send_agent(&mut agent, &id, "Here is what I found")
        .await
        .unwrap();
    let seen = visitor_socket
        .expect(|frame| frame_message(frame).filter(|m| m.seq == reply.seq))
        .await;
    assert_eq!(seen.body, "Here is what I found");
    let history = store_history(&visitor, &id).await;
    assert!(history.iter().any(|m| m.seq == message.seq));
    assert!(
        !history.iter().any(|m| m.seq == note.seq),
        "the note's file stays with agents"
    );

    // The visitor's token in the header works without a cookie (a widget framed elsewhere).
    let token = session
        .visitor_token
        .clone()
        .expect("a new visitor gets its token");
    let framed = upload(
        &stranger,
        &query("notes.txt", &client_id()),
        b"order 1234\n".to_vec(),
        &[("X-Switchboard-Visitor", &token)],
    )
    .await
    .message();
    assert_eq!(framed.conversation_id, id);
    let text = fetch(
        &stranger,
        &format!(
            "/files/{id}/{}?key={}",
            framed.seq,
            framed.attachment.unwrap().id
        ),
    )
    .await;
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(text.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
}

async fn bad_uploads_are_refused_and_leave_nothing(backend: Backend) {
    let db = Db::new(backend).await;
    let folder = tempfile::tempdir().unwrap();
    let store = folder.path().to_str().unwrap();
    let settings = [
        ("SWITCHBOARD_FILES_STORE", store),
        ("SWITCHBOARD_LIMITS", "file_bytes=200000"),
    ];
    let server = Server::start_with(&db, &settings).await;
    let (visitor, session) = start_chat(&server, "Bo", "Hi").await;
    let id = session.conversation.id.clone();
    let invalid = |sent: Sent| match sent.error() {
        AppError::Invalid(reason) => {
            assert_eq!(sent.status, 422);
            reason
        }
        other => panic!("expected a 422, got {other:?}"),
    };

    let big = upload(
        &visitor,
        &query("big.txt", &client_id()),
        vec![b'a'; 200_001],
        &[],
    )
    .await;
    assert_eq!(big.status, 413);
    assert_eq!(big.error(), AppError::TooLarge { max_bytes: 200_000 });
    let lying = upload(&visitor, &query("cat.png", &client_id()), PDF.to_vec(), &[]).await;
    assert!(invalid(lying).contains(".png"));
    let program = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0".to_vec();
    let exe = upload(&visitor, &query("setup.exe", &client_id()), program, &[]).await;
    invalid(exe);
    let whole = png(300, 300);
    let half = whole[..whole.len() / 2].to_vec();
    let damaged = upload(&visitor, &query("half.png", &client_id()), half, &[]).await;
    assert!(invalid(damaged).contains("could not be read"));
    let empty = upload(&visitor, &query("empty.txt", &client_id()), Vec::new(), &[]).await;
    invalid(empty);
    let bad_id = upload(&visitor, &query("a.png", "not-a-uuid"), png(10, 10), &[]).await;
    assert_eq!(bad_id.status, 422);
    let nobody = upload(
        &server.client(),
        &query("a.png", &client_id()),
        png(10, 10),
        &[],
    )
    .await;
    assert_eq!(nobody.error(), AppError::ConversationNotFound);

    // Cut off mid-way: the body announced is never finished.
    let address = server.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /files?{} HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\nCookie: {}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: 150000\r\n\r\n",
        query("cut.png", &client_id()),
        server.base,
        visitor.cookie_header()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
        .write_all(&whole[..whole.len().min(20_000)])
        .await
        .unwrap();
    stream.shutdown().await.unwrap();
    drop(stream);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // Nothing was written: no file, no message.
    assert!(
        files_in(folder.path()).is_empty(),
        "{:?}",
        files_in(folder.path())
    );
    let history = store_history(&visitor, &id).await;
    assert_eq!(history.len(), 1, "only the first message: {history:?}");

    // And a good one still goes through.
    let ok = upload(&visitor, &query("ok.png", &client_id()), png(20, 20), &[])
        .await
        .message();
    assert!(
        !ok.attachment.unwrap().thumb,
        "a small image needs no thumbnail"
    );
    assert_eq!(files_in(folder.path()).len(), 1);
}

/// An agent reads and sends files only in the inboxes they work, like every other read.
async fn agents_reach_files_only_in_their_inboxes(backend: Backend) {
    let db = Db::new(backend).await;
    let folder = tempfile::tempdir().unwrap();
    let store = folder.path().to_str().unwrap();
    let server = Server::start_with(&db, &[("SWITCHBOARD_FILES_STORE", store)]).await;
    let mut admin = server.client();
    admin.sign_in().await;
    let shop = crate::inbox_access::shop_inbox(&mut admin).await;
    let (ben, _) = invite_and_join(&server, &mut admin, "ben@example.com", "Ben", "agent").await;
    let (visitor, started) = crate::inbox_access::start_in(&server, &shop.id, "", "Sam").await;
    let id = started.unwrap().conversation.id;
    let sent = upload(
        &visitor,
        &query("receipt.png", &client_id()),
        png(64, 64),
        &[],
    )
    .await;
    let path = format!("/files/{id}/{}", sent.message().seq);

    assert_eq!(fetch(&admin, &path).await.status(), 200);
    let refused = fetch(&ben, &path).await;
    assert_eq!(refused.status(), 404);
    let body: AppError = refused.json().await.unwrap();
    assert_eq!(body, AppError::FileNotFound);
    let into = format!("conversation={id}&{}", query("x.png", &client_id()));
    let sent = upload(&ben, &into, png(10, 10), &[]).await;
    assert_eq!(sent.error(), AppError::ConversationNotFound);
    assert_eq!(files_in(folder.path()).len(), 1);
}

on_both_stores!(
    files_reach_both_sides_and_only_them,
    bad_uploads_are_refused_and_leave_nothing,
    agents_reach_files_only_in_their_inboxes,
);
