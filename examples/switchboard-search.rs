//! switchboard-search: times full-text searches over a seeded database, through the same store
//! calls the `search` server function makes (names and labels, messages, then the hits'
//! conversations), and prints p50, p95 and the slowest per kind of query.
//!
//!   cargo run --release --features ssr --example switchboard-seed -- \
//!       --database-url sqlite://data/search.db --conversations 100000 --messages 10
//!   cargo run --release --features ssr --example switchboard-search -- \
//!       --database-url sqlite://data/search.db
use std::time::{Duration, Instant};
use switchboard::model::{search_terms, SEARCH_LIMIT};
use switchboard::store::search::SearchScope;

#[derive(clap::Parser)]
#[command(name = "switchboard-search", about)]
struct Args {
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/search.db")]
    database_url: String,
    /// Times each query is run.
    #[arg(long, default_value_t = 40)]
    runs: usize,
}

/// What agents type: a rare product code, a rarer word, a common word, two words, a phrase, a
/// name's first letters, and a common word in one status.
const QUERIES: [(&str, &str, Option<&str>); 7] = [
    ("rare code", "sku4217", None),
    ("rarer word", "refund", None),
    ("common word", "order", None),
    ("two words", "refund order", None),
    ("phrase", "\"order please\"", None),
    ("name prefix", "mart", None),
    // Every seeded conversation ends with an agent's reply (active): a filter that leaves
    // nothing, so the walk reads every match (the worst case).
    ("word + status", "invoice", Some("waiting")),
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let args = <Args as clap::Parser>::parse();
    let stores = switchboard::store::open(&args.database_url)
        .await
        .expect("store opens");
    let search = stores.search;
    let mut all = Vec::new();
    println!(
        "{:<14} {:>6} {:>9} {:>9} {:>9}",
        "query", "hits", "p50 ms", "p95 ms", "max ms"
    );
    for (kind, text, status) in QUERIES {
        let terms = search_terms(text).expect("a valid query");
        let scope = SearchScope {
            status,
            ..SearchScope::default()
        };
        let mut took = Vec::with_capacity(args.runs);
        let mut hits = 0;
        for _ in 0..args.runs {
            let began = Instant::now();
            let (by_name, messages) = tokio::try_join!(
                search.conversations(&terms, scope, SEARCH_LIMIT),
                search.messages(&terms, scope, SEARCH_LIMIT),
            )
            .expect("search runs");
            let mut ids: Vec<String> = by_name;
            ids.extend(messages.iter().map(|m| m.conversation_id.clone()));
            ids.sort();
            ids.dedup();
            hits = search.load(&ids).await.expect("hits load").len();
            took.push(began.elapsed());
        }
        took.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{kind:<14} {hits:>6} {:>9.2} {:>9.2} {:>9.2}",
            ms(percentile(&took, 0.5)),
            ms(percentile(&took, 0.95)),
            ms(*took.last().unwrap())
        );
        all.extend(took);
    }
    all.sort();
    println!(
        "all {} searches: p50 {:.2} ms, p95 {:.2} ms (target p95 <= 50 ms)",
        all.len(),
        percentile(&all, 0.5).as_secs_f64() * 1000.0,
        percentile(&all, 0.95).as_secs_f64() * 1000.0
    );
}
