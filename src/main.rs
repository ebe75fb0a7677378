use switchboard::state::settings::Settings;
use tracing_subscriber::EnvFilter;

// Release builds only: the debug build compiles mimalloc's C without optimisation, which made
// the tests' servers (and argon2's large blocks) slower than with the system allocator.
#[cfg(not(debug_assertions))]
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
