#!/usr/bin/env bash
# Installs what `cargo leptos watch` needs besides the run tools: cargo-leptos itself, built
# from source (~27 min on 2 cores). Neither scripts/run.sh nor scripts/test.sh needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/install-run-tools.sh
CARGO_LEPTOS_VERSION=0.3.10
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  echo "[install-dev-tools] installing cargo-leptos $CARGO_LEPTOS_VERSION (slow: ~27 min)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi
echo "[install-dev-tools] ready: cargo leptos watch"
