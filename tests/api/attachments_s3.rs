//! Files in S3-compatible object storage: a real S3 API on loopback (moto's server, installed
//! by scripts/install-test-tools.sh) and the real binary configured with the usual `AWS_*`
//! variables. A file and its thumbnail land in the bucket under the configured prefix and are
//! served back whole; a refused upload puts nothing there.
use crate::attachments::{fetch, png, query, upload};
use crate::common::*;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

const BUCKET: &str = "switchboard-files";

/// moto's S3 server on a free port, with one bucket.
struct S3 {
    _child: Child,
    url: String,
}

impl S3 {
    async fn start() -> S3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 -m moto.server runs (scripts/install-test-tools.sh installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let s3 = S3 { _child: child, url };
        let http = reqwest::Client::new();
        for _ in 0..400 {
            let created = http.put(format!("{}/{BUCKET}", s3.url)).send().await;
            if created.is_ok_and(|r| r.status().is_success()) {
                return s3;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("moto's S3 server did not start on port {port}");
    }

    /// The keys in the bucket (ListObjectsV2's XML, read for its `<Key>`s).
    async fn keys(&self) -> Vec<String> {
        let listing = reqwest::get(format!("{}/{BUCKET}?list-type=2", self.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|part| part.split("</Key>").next())
            .map(str::to_string)
            .collect()
    }
}

/// A node's settings for the bucket at `s3`, under `prefix`.
fn s3_settings(s3: &S3, prefix: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SWITCHBOARD_FILES_STORE", format!("s3://{BUCKET}/{prefix}")),
        ("AWS_ENDPOINT", s3.url.clone()),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("SWITCHBOARD_LIMITS", LOAD_LIMITS.into()),
    ]
}

async fn node(db: &Db, settings: &[(&'static str, String)]) -> Server {
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Server::process_with(db, &settings).await
}

async fn files_live_in_s3_when_configured(backend: Backend) {
    let s3 = S3::start().await;
    let db = Db::new(backend).await;
    let server = node(&db, &s3_settings(&s3, "chat")).await;
    let (visitor, session) = start_chat(&server, "Sam", "Photo of the damage").await;
    let id = session.conversation.id;

    let photo = png(1600, 1200);
    let sent = upload(
        &visitor,
        &query("damage.png", &client_id()),
        photo.clone(),
        &[],
    )
    .await;
    let message = sent.message();
    let file = message.attachment.expect("a file");
    assert!(file.thumb);
    let mut keys = s3.keys().await;
    keys.sort();
    assert_eq!(
        keys,
        vec![
            format!("chat/{id}/{}", file.id),
            format!("chat/{id}/{}.thumb", file.id)
        ]
    );

    let mut agent = server.client();
    agent.sign_in().await;
    let got = fetch(&agent, &format!("/files/{id}/{}", message.seq)).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), photo.as_slice());

    // A refused upload leaves the bucket as it was.
    let lying = upload(
        &visitor,
        &query("invoice.pdf", &client_id()),
        png(10, 10),
        &[],
    )
    .await;
    assert_eq!(lying.status, 422);
    assert_eq!(s3.keys().await.len(), 2);
}

on_both_stores!(files_live_in_s3_when_configured);

/// Two nodes on one PostgreSQL database and one bucket: a file sent through one is live on
/// the other's sockets and served by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_files_through_s3() {
    let s3 = S3::start().await;
    let db = Db::new(Backend::Postgres).await;
    let settings = s3_settings(&s3, "shared");
    let (first, second) = tokio::join!(node(&db, &settings), node(&db, &settings));
    let (visitor, session) = start_chat(&first, "Noor", "Two nodes, one photo").await;
    let id = session.conversation.id;
    let mut agent = second.client();
    agent.sign_in().await;
    let mut socket = agent.socket().await;
    follow(&mut socket, &id).await;

    let photo = png(400, 300);
    let sent = upload(
        &visitor,
        &query("photo.png", &client_id()),
        photo.clone(),
        &[],
    )
    .await;
    let message = sent.message();
    let live = socket
        .expect(|frame| frame_message(frame).filter(|m| m.seq == message.seq))
        .await;
    assert_eq!(
        live.attachment, message.attachment,
        "the other node's socket has it"
    );
    let got = fetch(&agent, &format!("/files/{id}/{}", message.seq)).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), photo.as_slice());
}
