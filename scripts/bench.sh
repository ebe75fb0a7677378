#!/usr/bin/env bash
# Benchmarks Switchboard with its load generator, each process on its own:
#   scripts/bench.sh sqlite      one node on the embedded SQLite store (default)
#   scripts/bench.sh postgres    one node on the local PostgreSQL
#   scripts/bench.sh two-nodes   two nodes sharing PostgreSQL: senders on A, agents on B
#   scripts/bench.sh inbox       the agent inbox page rendered over 100,000 seeded conversations
#   scripts/bench.sh search      full-text search over 1,000,000 seeded messages, SQLite then
#                                PostgreSQL (SEARCH_CONVERSATIONS x 10 messages)
#   scripts/bench.sh compare [REFERENCES]
#                                the same load, from the same client, on the bare SQLite relay,
#                                the socket.io + PostgreSQL peer and Switchboard (SQLite, then
#                                PostgreSQL), in one run: a table with the ratios, and each
#                                server's rows checked against what it acknowledged. REFERENCES
#                                (or $REFERENCE_BENCH) is ../shared/reference-bench by default.
# Prints every figure; docs/benchmarks.md keeps the latest table. SWITCHBOARD_BIN runs another
# build of the server (e.g. an older commit's) under the same load generator, for a same-run
# comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-sqlite}"
export PATH="$HOME/.cargo/bin:$PATH"
# Another server build given: only the load generator is built here.
[ -n "${SWITCHBOARD_BIN:-}" ] || bash scripts/build-release.sh
# With the server's flags (scripts/build-release.sh), so both share their compiled dependencies.
RUSTFLAGS="--cfg erase_components" \
  cargo build --release --features ssr --example switchboard-load --example switchboard-seed \
  --example switchboard-search
ulimit -n "$(ulimit -Hn)" || true
dir="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
export SWITCHBOARD_ADMIN_EMAIL=bench@example.com SWITCHBOARD_ADMIN_PASSWORD=bench-password-1 RUST_LOG=warn
# Every load client comes from one loopback address: raise the per-address limits (the
# defaults protect a public server; docs/security.md), keep the sizes as they are.
export SWITCHBOARD_LIMITS="sockets_per_ip=1000000,frames_per_second=100000,visitor_messages_per_minute=10000000,ip_messages_per_minute=1000000000,conversations_per_hour=100000000"
server="${SWITCHBOARD_BIN:-target/release/switchboard}"
load=(target/release/examples/switchboard-load --email bench@example.com --password bench-password-1)

fresh_postgres() {
  local name="sb_bench_$$_$1"
  psql -h 127.0.0.1 -d test -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  echo "postgres://root@127.0.0.1:5432/$name"
}

# start PORT URL: runs a node in the background and waits until it is healthy.
start() {
  SWITCHBOARD_ADDRESS="127.0.0.1:$1" DATABASE_URL="$2" "$server" >"$dir/node-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done
  echo "node on port $1 did not start"; cat "$dir/node-$1.log"; exit 1
}

echo "server: $server"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr); store: $mode"
case "$mode" in
  sqlite | postgres)
    if [ "$mode" = sqlite ]; then url="sqlite://$dir/bench.db"; else url="$(fresh_postgres one)"; fi
    start 3400 "$url"
    node="${pids[-1]}"
    echo; echo "== latency at 1,000 msg/s across 1,000 conversations"
    "${load[@]}" --url http://127.0.0.1:3400 --conversations 1000 --agents 4 --rate 1000 --duration 10
    echo; echo "== maximum throughput (unpaced, 256 sends in flight)"
    "${load[@]}" --url http://127.0.0.1:3400 --conversations 1000 --agents 4 --rate 0 --concurrency 256 --duration 10
    echo; echo "== idle widget sockets, then all of them reconnecting at once"
    "${load[@]}" --url http://127.0.0.1:3400 --conversations 10 --agents 1 --rate 10 --duration 1 \
      --idle "${IDLE:-18000}" --reconnect --server-pid "$node"
    ;;
  two-nodes)
    url="$(fresh_postgres two)"
    start 3400 "$url"
    start 3401 "$url"
    echo; echo "== two nodes: visitors send on A, agents receive on B, 1,000 msg/s"
    "${load[@]}" --url http://127.0.0.1:3400 --agent-url http://127.0.0.1:3401 --conversations 1000 --agents 4 --rate 1000 --duration 10
    echo; echo "== two nodes: maximum throughput"
    "${load[@]}" --url http://127.0.0.1:3400 --agent-url http://127.0.0.1:3401 --conversations 1000 --agents 4 --rate 0 --concurrency 256 --duration 10
    ;;
  inbox)
    url="sqlite://$dir/inbox.db"
    target/release/examples/switchboard-seed --database-url "$url" --conversations "${SEED:-100000}"
    start 3400 "$url"
    echo; echo "== inbox page (/agent) over ${SEED:-100000} conversations"
    "${load[@]}" --url http://127.0.0.1:3400 --inbox 200
    ;;
  search)
    conversations="${SEARCH_CONVERSATIONS:-100000}"
    for url in "sqlite://$dir/search.db" "$(fresh_postgres search)"; do
      echo; echo "== search over $conversations conversations x 10 messages: ${url%%:*}"
      target/release/examples/switchboard-seed --database-url "$url" --conversations "$conversations" --messages 10
      # Fresh statistics after a bulk load, as autovacuum would gather them in time: without
      # them PostgreSQL plans phrases badly (docs/benchmarks.md).
      if [[ "$url" == postgres* ]]; then psql -h 127.0.0.1 -d "${url##*/}" -qc ANALYZE; fi
      target/release/examples/switchboard-search --database-url "$url"
    done
    ;;
  compare)
    source scripts/bench-compare.sh "${2:-${REFERENCE_BENCH:-../shared/reference-bench}}"
    ;;
  *) echo "usage: scripts/bench.sh [sqlite|postgres|two-nodes|inbox|search|compare [REFERENCES]]"; exit 2 ;;
esac
