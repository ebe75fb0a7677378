#!/usr/bin/env bash
# Builds the release binary with its site inside: cargo-leptos builds the WASM, JS and CSS
# first (with .br and .gz variants), then the server, which embeds them. The result,
# target/release/switchboard, is a whole deployment on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo leptos build --release --precompress
ls -l target/release/switchboard
