use switchboard::server::{self, config::Settings};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("switchboard=info,tower_http=warn,info")),
        )
        .init();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("switchboard: {error}");
            std::process::exit(2);
        }
    };
    if let Err(error) = server::run(settings).await {
        tracing::error!(%error, "Switchboard could not start");
        eprintln!("switchboard: {error}");
        std::process::exit(1);
    }
}
