use switchboard::state::settings::Settings;
use tracing_subscriber::EnvFilter;

// Release builds only: the debug build compiles mimalloc's C without optimisation, which made
// the tests' servers (and argon2's large blocks) slower than with the system allocator. Heap
// profilers (heaptrack, valgrind) see only the system allocator: build the binary alone with
// `cargo rustc --release --features ssr --bin switchboard -- --cfg system_allocator`.
#[cfg(not(any(debug_assertions, system_allocator)))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // Parsed first, so `--help` and `--version` answer without starting anything.
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("switchboard: {error}");
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("switchboard=info,tower_http=warn,info")),
        )
        .init();
    if let Err(error) = switchboard::server::serve(settings).await {
        tracing::error!(%error, "Switchboard could not start");
        eprintln!("switchboard: {error}");
        std::process::exit(1);
    }
}
