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
    /// How many conversations to create.
    #[arg(long, default_value_t = 100_000)]
    conversations: usize,
    /// Messages in each, visitor and agent in turn, in words of a support chat (for search).
    #[arg(long, default_value_t = 1)]
    messages: usize,
}

/// Words of a support chat: common ones, rarer ones, and a product code per 5,000
/// conversations, so searches meet every frequency.
const COMMON: [&str; 24] = [
    "hello", "order", "please", "thanks", "help", "when", "delivery", "account", "need", "today",
    "question", "problem", "check", "price", "shipping", "time", "customer", "support", "status",
    "email", "again", "still", "number", "info",
];
const RARER: [&str; 24] = [
    "refund",
    "invoice",
    "broken",
    "wrong",
    "size",
    "password",
    "discount",
    "warranty",
    "return",
    "cancel",
    "upgrade",
    "subscription",
    "tracking",
    "parcel",
    "damaged",
    "missing",
    "coupon",
    "exchange",
    "charged",
    "twice",
    "login",
    "receipt",
    "colour",
    "battery",
];
const FIRST: [&str; 12] = [
    "Marta", "Tom", "Ines", "Ravi", "Olga", "Sam", "Noor", "Pia", "Ivo", "Lena", "Kofi", "Yuki",
];
const LAST: [&str; 12] = [
    "Ruiz", "Berg", "Costa", "Patel", "Novak", "Lee", "Haddad", "Lund", "Horvat", "Weber",
    "Mensah", "Sato",
];

/// A deterministic sentence for message `k` of conversation `n`: six common words, one rarer
/// one (a different one each message), and the conversation's product code in its first.
fn sentence(n: usize, k: usize) -> String {
    let mut state = (n as u64).wrapping_mul(6_364_136_223_846_793_005) ^ (k as u64 + 1);
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % bound
    };
    let mut words: Vec<String> = (0..6)
        .map(|_| COMMON[next(COMMON.len())].to_string())
        .collect();
    words.insert(next(7), RARER[next(RARER.len())].to_string());
    if k == 0 {
        words.push(format!("sku{}", n % 5_000));
    }
    words.join(" ")
}

#[tokio::main]
async fn main() {
    let args = <Args as clap::Parser>::parse();
    let (url, total, per_conversation) =
        (args.database_url, args.conversations, args.messages.max(1));
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
                            visitor_name: format!("{} {}", FIRST[n % 12], LAST[(n / 12) % 12]),
                            visitor_email: Some(format!("visitor{n}@example.com")),
                            page_url: Some("https://shop.example/".into()),
                            user_agent: None,
                            offline: false,
                            now: at,
                        })
                        .await
                        .expect("create conversation");
                    for k in 0..per_conversation {
                        let kind = if k % 2 == 0 {
                            SenderKind::Visitor
                        } else {
                            SenderKind::Agent
                        };
                        store
                            .post(PostMessage {
                                attachment: None,
                                conversation_id: conversation.id.clone(),
                                client_id: uuid::Uuid::new_v4().to_string(),
                                author: Author {
                                    kind,
                                    id: None,
                                    name: conversation.visitor_name.clone(),
                                },
                                body: sentence(n, k),
                                now: at + k as i64 * 1_000,
                            })
                            .await
                            .expect("post message");
                    }
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
        "done: {total} conversations, {} messages, in {:.1} s",
        total * per_conversation,
        started.elapsed().as_secs_f64()
    );
}
