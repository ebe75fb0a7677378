#!/usr/bin/env bash
# Runs every test: formatting and lints, the dependency check, unit and integration tests (real
# server processes, real SQLite files and PostgreSQL databases, real sockets), then the release
# binary under end-to-end tests in Debian's Chromium (each test its own server). Installs the
# tools first if they are missing. Prints each stage's time at the end, so a stage that grows
# is seen.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

stages=()
stage_name=""
stage_start=0
finish_stage() {
  if [ -n "$stage_name" ]; then
    stages+=("$(printf '%6ds  %s' $(($(date +%s) - stage_start)) "$stage_name")")
  fi
}
step() {
  finish_stage
  stage_name="$*"
  stage_start=$(date +%s)
  echo
  echo "==> $*"
}
report() {
  local status=$?
  # A stage that failed leaves no background build behind.
  for job in $(jobs -p); do pkill -TERM -P "$job" 2>/dev/null; kill "$job" 2>/dev/null; done
  finish_stage
  echo
  echo "==> time per stage$([ $status -ne 0 ] && echo " (stopped: exit $status)")"
  printf '%s\n' "${stages[@]}"
  echo "$(printf '%6ds' $(($(date +%s) - started)))  in all"
}
started=$(date +%s)
trap report EXIT

step "tools (scripts/install-test-tools.sh)"
bash scripts/install-test-tools.sh

# The environment `cargo leptos watch` compiles the server with (cargo-leptos 0.3.10, dev
# profile), so clippy, the tests and a developer's watch share their artifacts.
as_leptos() {
  env LEPTOS_OUTPUT_NAME=switchboard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. \
    LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false RUSTFLAGS="--cfg erase_components" "$@"
}

step "cargo fmt --check"
cargo fmt --all -- --check

# The release build (the slowest stage, CPU-bound) runs beside the lints and the Rust tests,
# whose runs mostly wait on sockets and databases; the end-to-end tests wait for it.
mkdir -p target
echo "[test] release build started in the background (log: target/release-build.log)"
bash scripts/build-release.sh > target/release-build.log 2>&1 &
release_build=$!

step "clippy (server and browser)"
as_leptos cargo clippy --features ssr --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
# The widget's lean bundle has code of its own (the chat's chunk and its loading).
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate,widget-bundle -- -D warnings
# So has the dashboard's split bundle (its pages' chunks, src/app/pages.rs).
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate,dashboard-bundle -- -D warnings

step "dependencies: advisories, licences, bans and sources (cargo deny; deny.toml)"
# cargo deny reads the metadata of every package in Cargo.lock, those of other platforms too:
# download any a fresh machine lacks (from crates.io), then check offline.
cargo fetch --quiet
# The advisory database is on disk (scripts/install-test-tools.sh): read it, fetch nothing.
if [ -d "$HOME/.cargo/advisory-dbs/advisory-db-3157b0e258782691/.git" ]; then
  cargo deny --offline --log-level error check advisories licenses bans sources
else
  echo "No advisory database on this machine (see scripts/install-test-tools.sh): advisories NOT checked."
  cargo deny --log-level error check licenses bans sources
fi

step "unit and integration tests"
as_leptos cargo test --features ssr

step "release build: the rest of it (scripts/build-release.sh, started with the suite)"
if ! wait "$release_build"; then
  tail -n 60 target/release-build.log
  exit 1
fi
grep "^\[build-release" target/release-build.log

step "weight: the launcher, the widget's first open, the dashboard (scripts/size.sh)"
bash scripts/size.sh

step "end-to-end tests (Playwright, Debian's Chromium): the second half first, then the first"
# Every test has a server of its own and tests run in parallel (one worker per core); running
# the shards in reverse order shows that no test needs another to have run before it.
# Both halves run even when the first fails, so one run lists every failure.
e2e_failed=0
(cd end2end && npx playwright test --shard=2/2) || e2e_failed=1
(cd end2end && npx playwright test --shard=1/2) || e2e_failed=1
exit "$e2e_failed"

