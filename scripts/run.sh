#!/usr/bin/env bash
# Runs Switchboard on its embedded default (a SQLite file under data/) at http://127.0.0.1:3000.
# Builds the release binary first, installing the few tools it needs if they are missing
# (scripts/build-release.sh); a second run rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release.sh
exec target/release/switchboard "$@"
