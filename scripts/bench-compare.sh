# `scripts/bench.sh compare REFERENCES`, sourced by bench.sh (which has built Switchboard and
# the load generator and defines dir, pids, load, start and fresh_postgres): one client, one
# shape of load, every server in the same run. Ratios are the figures to read; absolute ones
# move with the machine.
refs="$1"
if [ ! -f "$refs/ceiling/Cargo.toml" ] || [ ! -f "$refs/peer-socketio/server.js" ]; then
  echo "compare needs the reference servers: $refs/ceiling (the bare relay) and"
  echo "$refs/peer-socketio (the socket.io + PostgreSQL peer). Pass their folder as"
  echo "'scripts/bench.sh compare FOLDER' or set REFERENCE_BENCH."
  exit 2
fi
for tool in sqlite3 psql node; do
  command -v "$tool" >/dev/null || { echo "compare needs $tool (it counts each server's rows)"; exit 2; }
done
echo; echo "== building the references ($refs)"
cargo build --release --quiet --manifest-path "$refs/ceiling/Cargo.toml" --target-dir target/reference-bench
[ -d "$refs/peer-socketio/node_modules" ] || (cd "$refs/peer-socketio" && npm ci --no-audit --no-fund --silent)
ceiling=target/reference-bench/release/ceiling
conversations="${CONVERSATIONS:-1000}"
secs="${SECS:-10}"
results="$dir/results"
: > "$results"

wait_port() {
  for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done
  echo "nothing listens on port $1"; exit 1
}

# measure NAME ROWS_COMMAND LOAD_ARGS…: runs the load twice (unpaced, then 1,000 msg/s) and
# checks after each that the server's store grew by exactly what it acknowledged.
measure() {
  local name="$1" rows="$2"; shift 2
  local before after
  for pace in "0 256" "1000 256"; do
    read -r rate window <<< "$pace"
    local label="$name"; [ "$rate" = 0 ] || label="$name@$rate"
    echo; echo "== $label"
    before="$(eval "$rows")"
    "${load[@]}" "$@" --conversations "$conversations" --duration "$secs" --rate "$rate" \
      --concurrency "$window" | tee "$dir/out"
    sleep 1
    after="$(eval "$rows")"
    local acknowledged
    acknowledged="$(sed -n 's/^RESULT .*acknowledged=\([0-9]*\).*/\1/p' "$dir/out")"
    local check="ok"; [ "$((after - before))" = "$acknowledged" ] || check="MISMATCH"
    echo "rows written: $((after - before)), acknowledged: $acknowledged: $check"
    sed -n "s/^RESULT /$label rows=$((after - before)) check=$check /p" "$dir/out" >> "$results"
  done
}

sqlite_rows() { sqlite3 "$1" "select count(*) from $2" 2>/dev/null || echo 0; }
pg_rows() { psql -h 127.0.0.1 -d "$1" -tAc "select count(*) from $2" 2>/dev/null || echo 0; }

# 1. The bare relay, group-committing into SQLite.
"$ceiling" server 3410 sqlite "$dir/relay.db" > "$dir/relay.log" 2>&1 &
pids+=($!); wait_port 3410
measure relay "sqlite_rows $dir/relay.db m" --target relay --url http://127.0.0.1:3410
kill "${pids[-1]}"

# 2. The socket.io peer on the local PostgreSQL.
peer_url="$(fresh_postgres peer)"
PGURL="$peer_url" node "$refs/peer-socketio/server.js" 3411 > "$dir/peer.log" 2>&1 &
pids+=($!); wait_port 3411
measure socketio "pg_rows ${peer_url##*/} messages" --target socketio --url http://127.0.0.1:3411
kill "${pids[-1]}"

# 3. Switchboard on SQLite, then on the same PostgreSQL: visitors sending through the server
#    function (what the widget does today), then over their sockets (`send` frames, the same
#    shape as the references).
start 3412 "sqlite://$dir/switchboard.db"
sb_rows="sqlite_rows $dir/switchboard.db \"messages where body = 'load test message'\""
measure switchboard-sqlite "$sb_rows" --url http://127.0.0.1:3412 --agents 4
measure switchboard-sqlite-socket "$sb_rows" --url http://127.0.0.1:3412 --agents 4 --send-via socket
kill "${pids[-1]}"
sb_url="$(fresh_postgres switchboard)"
start 3413 "$sb_url"
sb_rows="pg_rows ${sb_url##*/} \"messages where body = 'load test message'\""
measure switchboard-postgres "$sb_rows" --url http://127.0.0.1:3413 --agents 4
measure switchboard-postgres-socket "$sb_rows" --url http://127.0.0.1:3413 --agents 4 --send-via socket
kill "${pids[-1]}"

# 4. Two nodes on one PostgreSQL: visitors send (over their sockets) on A, agents read on B.
two_url="$(fresh_postgres two)"
start 3414 "$two_url"
start 3415 "$two_url"
sb_rows="pg_rows ${two_url##*/} \"messages where body = 'load test message'\""
measure switchboard-two-nodes "$sb_rows" --url http://127.0.0.1:3414 --agent-url http://127.0.0.1:3415 \
  --agents 4 --send-via socket
kill "${pids[-1]}" "${pids[-2]}"

# 5. Idle widget sockets on one SQLite node (the server's memory per socket), then all of them
#    dropping and resuming at once.
start 3416 "sqlite://$dir/idle.db"
echo; echo "== ${IDLE:-18000} idle widget sockets, then all reconnecting at once"
"${load[@]}" --url http://127.0.0.1:3416 --conversations 10 --agents 1 --rate 10 --duration 1 \
  --idle "${IDLE:-18000}" --reconnect --server-pid "${pids[-1]}" | tee "$dir/idle"
kill "${pids[-1]}"
idle_kb="$(sed -n 's/.*: \([0-9.]*\) kB per idle socket.*/\1/p' "$dir/idle")"
storm="$(sed -n 's/^reconnect storm: \([0-9]*\) clients reconnected and resumed in \([0-9.]*\) s/\1 \2/p' "$dir/idle")"

echo; echo "== side by side ($conversations conversations, $secs s each, one client, one run)"
awk '
  function check(what, got, ok) { printf "  %s %-62s %s\n", (ok ? "✓" : "✗"), what, got }
  { name = $1; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[name, kv[1]] = kv[2] } names[++n] = name }
  END {
    printf "%-24s %10s %9s %9s %6s %6s  %s\n", "server", "msg/s", "p50 ms", "p99 ms", "lost", "dup", "rows"
    for (i = 1; i <= n; i++) { k = names[i]
      printf "%-24s %10s %9s %9s %6s %6s  %s\n", k, v[k, "throughput"], v[k, "p50_ms"], v[k, "p99_ms"], v[k, "lost"], v[k, "duplicates"], v[k, "check"] }
    relay = v["relay", "throughput"]; peer = v["socketio", "throughput"]
    peer99 = v["socketio@1000", "p99_ms"]
    printf "\nissue 29 targets (socket sends, the shape of the references; server-function sends in brackets):\n"
    sq99 = v["switchboard-sqlite-socket@1000", "p99_ms"]; pg99 = v["switchboard-postgres-socket@1000", "p99_ms"]
    check("p99 at 1,000 msg/s, SQLite <= 10 ms and below the peer (" peer99 ")", sq99 " (" v["switchboard-sqlite@1000", "p99_ms"] ")", sq99 != "" && sq99 <= 10 && sq99 < peer99)
    check("p99 at 1,000 msg/s, PostgreSQL <= 15 ms and below the peer", pg99 " (" v["switchboard-postgres@1000", "p99_ms"] ")", pg99 != "" && pg99 <= 15 && pg99 < peer99)
    sq50 = v["switchboard-sqlite-socket@1000", "p50_ms"]; pg50 = v["switchboard-postgres-socket@1000", "p50_ms"]
    check("p50 at 1,000 msg/s <= 3 ms, SQLite / PostgreSQL", sq50 " / " pg50, sq50 != "" && pg50 != "" && sq50 <= 3 && pg50 <= 3)
    sq = v["switchboard-sqlite-socket", "throughput"]; pg = v["switchboard-postgres-socket", "throughput"]
    check("unpaced SQLite >= 4.5x the peer and >= 0.5x the relay", sprintf("%.2fx / %.2fx", sq / peer, sq / relay), sq >= 4.5 * peer && sq >= 0.5 * relay)
    check("unpaced PostgreSQL one node >= 2x the peer", sprintf("%.2fx", pg / peer), pg >= 2 * peer)
    two = v["switchboard-two-nodes", "throughput"]; two99 = v["switchboard-two-nodes@1000", "p99_ms"]
    check("two nodes unpaced >= one node (" pg " msg/s), nothing lost", two " msg/s, lost " v["switchboard-two-nodes", "lost"], two != "" && two >= pg && v["switchboard-two-nodes", "lost"] == 0)
    check("two nodes p99 at 1,000 msg/s <= 25 ms", two99, two99 != "" && two99 <= 25)
    printf "  (socket.io peer / bare SQLite relay, unpaced: %.2f)\n", peer / relay
  }' "$results"
read -r storm_clients storm_secs <<< "${storm:-? ?}"
mark() { if [ "$1" = 1 ]; then echo "✓"; else echo "✗"; fi; }
echo "  $(mark "$(awk -v k="${idle_kb:-999}" 'BEGIN { print (k <= 10) }')") idle widget socket <= 10 KB of server memory: ${idle_kb:-?} KB"
echo "  $(mark "$(awk -v n="${storm_clients:-0}" -v s="${storm_secs:-999}" -v all="${IDLE:-18000}" 'BEGIN { print (n == all && s <= 3) }')") reconnect storm: all ${IDLE:-18000} resumed <= 3 s: ${storm_clients} in ${storm_secs} s"
