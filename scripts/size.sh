#!/usr/bin/env bash
# Weighs the embed in headless Chromium against the release binary: what a host page view
# transfers with the chat closed, then what opening the widget adds, per resource, compressed.
# Exits 1 when a budget (launcher 5 KB, widget first open 120 KB) is exceeded.
# Usage: ./scripts/size.sh   (after ./scripts/build-release.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
port="${SIZE_PORT:-3290}"
bash end2end/serve.sh "$port" > /tmp/switchboard-size.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.1
done
# The demo page at localhost embeds from 127.0.0.1: a cross-site embed, as on a customer's site.
(cd end2end && node size.mjs "http://localhost:$port/")
