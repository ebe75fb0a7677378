#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests (real server processes,
# real SQLite files and PostgreSQL databases, real sockets), then the release binary, copied
# alone into an empty folder, under end-to-end tests in Debian's Chromium.
# Installs the build tools first if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
export PATH="$HOME/.cargo/bin:$PATH"
step() { echo; echo "==> $*"; }
# The environment `cargo leptos watch` compiles the server with (cargo-leptos 0.3.10, dev
# profile), so clippy, the tests and a developer's watch share their artifacts.
as_leptos() {
  env LEPTOS_OUTPUT_NAME=switchboard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. \
    LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false RUSTFLAGS="--cfg erase_components" "$@"
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (server and browser)"
as_leptos cargo clippy --features ssr --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

step "dependencies: advisories, licences, bans and sources (cargo deny; deny.toml)"
# cargo deny reads the metadata of every package in Cargo.lock, those of other platforms too:
# download any a fresh machine lacks (from crates.io), then check offline.
cargo fetch --quiet
# The advisory database is on disk (scripts/install-tools.sh): read it, fetch nothing.
if [ -d "$HOME/.cargo/advisory-dbs/advisory-db-3157b0e258782691/.git" ]; then
  cargo deny --offline --log-level error check advisories licenses bans sources
else
  echo "No advisory database on this machine (see scripts/install-tools.sh): advisories NOT checked."
  cargo deny --log-level error check licenses bans sources
fi

step "unit and integration tests"
as_leptos cargo test --features ssr

step "release build: the site, then the binary that embeds it"
bash scripts/build-release.sh

step "end-to-end tests (Playwright, Debian's Chromium) against the release binary alone"
(cd end2end && npx playwright test)
