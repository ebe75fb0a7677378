//! switchboard-seed: fills a database with conversations for benchmarks, through the same
//! store API the server uses, and shows progress as it goes.
//!
//!   cargo run --release --features ssr --example switchboard-seed -- \
//!       --database-url sqlite://data/bench.db --conversations 100000
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use switchboard::model::SenderKind;
use switchboard::store::{self, Author, NewConversation, PostMessage};

/// Fills a database with conversations for benchmarks.
#[derive(clap::Parser)]
#[command(name = "switchboard-seed", about)]
struct Args {
    /// The database to fill (created with its schema if new).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/bench.db")]
    database_url: String,
    /// How many conversations to create, each with a few messages.
    #[arg(long, default_value_t = 100_000)]
    conversations: usize,
}

#[tokio::main]
async fn main() {
    let args = <Args as clap::Parser>::parse();
    let (url, total) = (args.database_url, args.conversations);
    let store = store::open(&url).await.expect("store opens").conversations;
    let started = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let now = switchboard::clock::now_ms();
    let workers: Vec<_> = (0..64)
        .map(|_| {
            let (store, done, next) = (store.clone(), done.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return;
                    }
                    // Spread activity over the last 30 days so the inbox has a real order.
                    let at = now - ((n as i64 * 7_919) % (30 * 86_400_000));
                    let conversation = store
                        .create(NewConversation {
                            out_of_hours: false,
                            inbox_id: "default".into(),
                            visitor_token_hash: format!("seed-{n}-{}", uuid::Uuid::new_v4()),
                            visitor_name: format!("Seeded visitor {n}"),
                            visitor_email: Some(format!("visitor{n}@example.com")),
                            page_url: Some("https://shop.example/".into()),
                            user_agent: None,
                            offline: false,
                            now: at,
                        })
                        .await
                        .expect("create conversation");
                    store
                        .post(PostMessage {
                            conversation_id: conversation.id,
                            client_id: uuid::Uuid::new_v4().to_string(),
                            author: Author {
                                kind: SenderKind::Visitor,
                                id: None,
                                name: format!("Seeded visitor {n}"),
                            },
                            body: format!("Question number {n}: where is my order?"),
                            now: at,
                        })
                        .await
                        .expect("post message");
                    let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if finished % (total / 20).max(1) == 0 {
                        println!(
                            "seeded {finished}/{total} ({:.0}%) in {:.1} s",
                            100.0 * finished as f64 / total as f64,
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    println!(
        "done: {total} conversations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
