#!/usr/bin/env bash
# Runs Switchboard on its embedded default (a SQLite file under data/) at http://127.0.0.1:3000.
# Installs the build tools first if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
export PATH="$HOME/.cargo/bin:$PATH"
# --precompress makes cargo-leptos build the site before the server, which embeds it.
exec cargo leptos serve --release --precompress
