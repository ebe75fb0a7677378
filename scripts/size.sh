#!/usr/bin/env bash
# Weighs the embed in headless Chromium against the release binary: what a host page view
# transfers with the chat closed, then what opening the widget adds, per resource, compressed.
# Exits 1 when a figure passes its ceiling (end2end/size.mjs: what it weighs today, plus a little);
# the targets of issue 28 are printed beside them. Then the time from a click on the launcher to
# a usable composer on a throttled connection (end2end/open-time.mjs) and Lighthouse's mobile
# performance score of /widget (end2end/lighthouse.mjs), printed only.
# Usage: ./scripts/size.sh   (after ./scripts/build-release.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
# A free port unless one is given, so it can run beside anything else.
port="${SIZE_PORT:-$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')}"
mkdir -p target
bash end2end/serve.sh "$port" > target/size-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/healthz" > /dev/null || { cat target/size-server.log; exit 1; }
# The demo page at localhost embeds from 127.0.0.1: a cross-site embed, as on a customer's site.
(cd end2end && node size.mjs "http://localhost:$port/")
# Then how long opening takes on a slow phone, and Lighthouse's mobile score of the widget's page
# (printed against issue 28's targets; they fail nothing).
(cd end2end && node open-time.mjs "http://localhost:$port/")
(cd end2end && node lighthouse.mjs "http://127.0.0.1:$port/widget")
