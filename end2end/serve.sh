#!/usr/bin/env bash
# Serves the build of `cargo leptos build` on a fresh SQLite file, for the end-to-end tests.
set -euo pipefail
port="${1:-3210}"
dir="$(mktemp -d)"
export SWITCHBOARD_ADDRESS="127.0.0.1:$port"
export SWITCHBOARD_PUBLIC_URL="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$dir/e2e.db"
export SWITCHBOARD_ADMIN_EMAIL="ana@example.com"
export SWITCHBOARD_ADMIN_PASSWORD="e2e-password-123"
export LEPTOS_OUTPUT_NAME=switchboard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
exec "${SWITCHBOARD_BIN:-target/debug/switchboard}"
