#!/usr/bin/env bash
# Installs what building and running Switchboard needs, and nothing more (scripts/run.sh):
# the wasm32 target, wasm-bindgen-cli (the version Cargo.lock's wasm-bindgen needs),
# wasm-split-cli (which splits the widget's bundle into chunks) and wasm-opt (npm's prebuilt
# binaryen). Skips what is already present: a second run on a prepared
# machine takes a second. Tests need more (scripts/install-test-tools.sh), and so does
# `cargo leptos watch` (scripts/install-dev-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { echo "[install-run-tools] $*"; }

BINARYEN_VERSION=132
# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js and npm are needed (for wasm-opt and compressing the site): apt-get install nodejs npm" >&2
  exit 1
fi

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# `--except-wasm-bindgen`: everything but the slow installs (scripts/build-release.sh runs them
# beside the builds).
if [ "${1:-}" != "--except-wasm-bindgen" ] \
  && ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lockfile pins a webpki-roots the registry no longer serves. Without
  # default features: no TLS stack, which only its test runner's downloads use.
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (~4 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --no-default-features
fi

# The splitter must read what Cargo.lock's wasm_split_helpers marks (leptos's `#[lazy]`).
WASM_SPLIT_VERSION=0.2.4
if [ "${1:-}" != "--except-wasm-bindgen" ] \
  && ! cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  log "installing wasm-split-cli $WASM_SPLIT_VERSION (~1 min)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked --features build-binary
fi

# Debian's binaryen (v108) produces WASM that breaks hydration; npm's binaryen@132 is prebuilt.
if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  log "installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
  npm install -g --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
fi

log "ready"
