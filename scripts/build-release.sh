#!/usr/bin/env bash
# Builds the release binary with its site inside, installing the tools it lacks first
# (scripts/install-run-tools.sh). Three things run side by side on a fresh machine, since each
# leaves cores idle on its own: the server's library (the longest: it needs no site), the
# wasm-bindgen install, and the site (scripts/build-site.sh: both browser bundles, styles and
# public files, precompressed). Then the small binary crate embeds the site (src/main.rs), and
# target/release/switchboard is a whole deployment on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
began=$(date +%s)
say() { echo "[build-release +$(($(date +%s) - began))s] $*"; }
logs=target/build-logs
mkdir -p "$logs"
# The settings cargo-leptos would give the server's build (its [package.metadata.leptos]).
server_env=(LEPTOS_OUTPUT_NAME=switchboard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
  LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=.
  LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false
  # Type-erased views, as the browser bundles are built (scripts/build-site.sh): hydration
  # needs the server's HTML and the browser's views to agree.
  RUSTFLAGS="--cfg erase_components")

# Runs a step in the background with its output in a log; `finish` waits for it and shows the
# log's end if it failed.
start() {
  local name="$1"
  shift
  say "$name: started (log: $logs/$name.log)"
  ("$@" > "$logs/$name.log" 2>&1) &
  eval "pid_${name//-/_}=$!"
}
finish() {
  local name="$1" pid_var="pid_${1//-/_}"
  if wait "${!pid_var}"; then
    say "$name: done"
  else
    say "$name: FAILED; the end of $logs/$name.log:"
    tail -n 40 "$logs/$name.log"
    exit 1
  fi
}

start server-library env "${server_env[@]}" \
  cargo build --release --lib --no-default-features --features ssr
bash scripts/install-run-tools.sh --except-wasm-bindgen
start wasm-bindgen bash scripts/install-run-tools.sh
start site-compile bash scripts/build-site.sh --compile
finish wasm-bindgen
finish site-compile
bash scripts/build-site.sh --bind
finish server-library

say "the binary, with the site inside"
# rust-embed reads the folder when main.rs compiles: make sure it compiles again when a file of
# the site is newer than the binary.
if [ ! -e target/release/switchboard ] || [ -n "$(find target/site -newer target/release/switchboard -print -quit)" ]; then
  touch src/main.rs
fi
env "${server_env[@]}" cargo build --release --bin switchboard --no-default-features --features ssr
ls -l target/release/switchboard
