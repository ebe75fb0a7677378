#!/usr/bin/env bash
# Builds the release binary with its site inside: cargo-leptos builds the WASM, JS and CSS
# first (with .br and .gz variants), then the lean widget bundle joins them
# (scripts/build-widget.sh), then the server, which embeds them all. The result,
# target/release/switchboard, is a whole deployment on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo leptos build --release --precompress --frontend-only
bash scripts/build-widget.sh
# rust-embed reads the folder when the server compiles: make sure it compiles again.
touch src/server/assets.rs
cargo leptos build --release --server-only
ls -l target/release/switchboard
