use switchboard::server::Site;
use switchboard::state::settings::{Cli, Settings};
use tracing_subscriber::EnvFilter;

// Release builds only: the debug build compiles mimalloc's C without optimisation, which made
// the tests' servers (and argon2's large blocks) slower than with the system allocator. Heap
// profilers (heaptrack, valgrind) see only the system allocator: build the binary alone with
// `cargo rustc --release --features ssr --bin switchboard -- --cfg system_allocator`.
#[cfg(not(any(debug_assertions, system_allocator)))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The site (scripts/build-site.sh) compiled into the binary, so the binary alone is a
/// deployment. Here rather than in the library: a release build compiles the library beside
/// the browser bundles and only this small crate after them (scripts/build-release.sh).
/// Debug builds read the folder from disk.
#[derive(rust_embed::Embed)]
#[folder = "target/site"]
#[allow_missing = true]
struct EmbeddedSite;

#[tokio::main]
async fn main() {
    // Parsed first, so `--help` and `--version` answer without starting anything.
    let cli = <Cli as clap::Parser>::parse();
    let healthcheck = cli.healthcheck;
    let settings = match Settings::from_cli(cli) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("switchboard: {error}");
            std::process::exit(2);
        }
    };
    if healthcheck {
        let healthy = switchboard::server::ops::check_health(settings.address);
        std::process::exit(if healthy { 0 } else { 1 });
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("switchboard=info,tower_http=warn,info")),
        )
        .init();
    if let Err(error) = switchboard::server::serve(settings, Site::new(EmbeddedSite::get)).await {
        tracing::error!(%error, "Switchboard could not start");
        eprintln!("switchboard: {error}");
        std::process::exit(1);
    }
}
