#!/usr/bin/env bash
# Serves the release binary for the end-to-end tests exactly as the README deploys it: copied
# alone into an empty folder and started there, on a fresh SQLite file in that folder. So
# every end-to-end test also checks that the binary carries its whole site.
set -euo pipefail
port="${1:-3210}"
bin="$(realpath "${SWITCHBOARD_BIN:-target/release/switchboard}")"
dir="$(mktemp -d)"
cp "$bin" "$dir/switchboard"
cd "$dir"
export SWITCHBOARD_ADDRESS="127.0.0.1:$port"
export SWITCHBOARD_PUBLIC_URL="http://127.0.0.1:$port"
export SWITCHBOARD_ADMIN_EMAIL="ana@example.com"
export SWITCHBOARD_ADMIN_PASSWORD="e2e-password-123"
# Every spec's visitors come from one address (loopback): more new conversations and messages
# than a public server allows one address. The limits themselves are tested in tests/api/attacks/.
# A spec that tests a limit in the browser passes its own SWITCHBOARD_LIMITS.
export SWITCHBOARD_LIMITS="${SWITCHBOARD_LIMITS:-conversations_per_hour=1000,visitor_messages_per_minute=600,ip_messages_per_minute=6000}"
exec ./switchboard
