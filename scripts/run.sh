#!/usr/bin/env bash
# Runs Switchboard on its embedded default (a SQLite file under data/) at http://127.0.0.1:3000.
# Installs the build tools first if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
# The release binary with its whole site inside, the lean widget bundle included.
bash scripts/build-release.sh
exec target/release/switchboard "$@"
