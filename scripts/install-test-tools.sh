#!/usr/bin/env bash
# Installs what the tests need on top of the run tools (scripts/install-run-tools.sh):
# cargo-deny and its advisory database, Python's aiosmtpd (a real SMTP server) and moto (a
# real S3 API), Debian's Chromium and the end-to-end npm packages; starts PostgreSQL if it is
# down. Skips what is already present: a second run on a prepared machine takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-run-tools.sh
export PATH="$HOME/.cargo/bin:$PATH"
log() { echo "[install-test-tools] $*"; }

# The dependency check (licences, bans, sources) in scripts/test.sh.
CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
  log "installing cargo-deny $CARGO_DENY_VERSION (~8 min)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi

# The advisory database `cargo deny check advisories` reads (scripts/test.sh runs it offline),
# where cargo-deny keeps it: from GitHub when reachable, else from a local copy of
# https://github.com/rustsec/advisory-db named by ADVISORY_DB_SOURCE (a path or git URL).
# With neither, scripts/test.sh says that advisories were not checked.
ADVISORY_DB="$HOME/.cargo/advisory-dbs/advisory-db-3157b0e258782691"
if [ ! -d "$ADVISORY_DB/.git" ]; then
  if timeout 120 cargo deny fetch db >/dev/null 2>&1 && [ -d "$ADVISORY_DB/.git" ]; then
    log "fetched the advisory database from GitHub"
  elif [ -n "${ADVISORY_DB_SOURCE:-}" ]; then
    log "copying the advisory database from ADVISORY_DB_SOURCE"
    rm -rf "$ADVISORY_DB"
    mkdir -p "$(dirname "$ADVISORY_DB")"
    git clone -q "$ADVISORY_DB_SOURCE" "$ADVISORY_DB"
  else
    log "no advisory database reachable and no ADVISORY_DB_SOURCE: advisories will not be checked"
  fi
fi

# A real SMTP server on loopback for the e-mail tests (tests/api/mail.rs, end2end mail spec).
AIOSMTPD_VERSION=1.4.6
if ! python3 -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  log "installing aiosmtpd $AIOSMTPD_VERSION (pip)"
  python3 -m pip install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi

# A real S3 API on loopback for the object-storage test (tests/api/attachments_s3.rs).
MOTO_VERSION=5.1.4
if ! python3 -c "import moto, flask, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  log "installing moto[server] $MOTO_VERSION (pip)"
  python3 -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

if ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

if { [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/@axe-core/playwright ] \
  || [ ! -d end2end/node_modules/lighthouse ]; } && [ -f end2end/package.json ]; then
  log "installing end2end npm packages"
  (cd end2end && npm ci --no-audit --no-fund)
fi

# PostgreSQL backs the second store's tests; start it if the machine's cluster is down.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi

log "tools ready"
