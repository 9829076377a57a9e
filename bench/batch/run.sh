#!/usr/bin/env bash
# Batched writes (POST /api/batch) against one request per object, Postgres with fsync off and
# on, each pair in the same run on the same build:
#   - `dpctl apply` of bench/apply's 10,000 manifests into an empty server: --batch-size 0 (one
#     request per object, the apply before batches) and the default batches (500); objects/s and
#     where the CPU went (dpctl, the server, Postgres: CPU seconds during the apply);
#   - the server's create rate, 8 connections for BENCH_SECONDS: wrk single dataset creates
#     (bench/server/create.lua) and wrk batches of 500 datasets (batch.lua), objects/s.
#
#   bench/batch/run.sh             # BENCH_COUNT=10000 BENCH_SECONDS=10 BENCH_NO_RESULTS=1 scratch=PATH
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
count="${BENCH_COUNT:-10000}"
seconds="${BENCH_SECONDS:-10}"

datapilot_packages+=(wrk curl time)
ensure_packages
build_release datapilot-server dpctl
bench_start batch
log "generating $count manifests"
python3 "$root/bench/apply/generate.py" "$work/manifests" "$count"

# CPU seconds (user + system) used so far by the processes whose ids are given.
cpu() { local pid total=0; for pid in "$@"; do
  total=$(awk -v t="$total" '{print t + ($14 + $15) / 100}' "/proc/$pid/stat" 2>/dev/null || echo "$total"); done; echo "$total"; }
postgres_cpu() {  # the cluster's processes, counted through their postmaster
  local master children
  master=$(head -1 "$DATAPILOT_PG_DIR/data/postmaster.pid")
  children=$(pgrep -P "$master" | tr '\n' ' ')
  cpu "$master" $children
}

# fresh_server NAME: a new database NAME and a datapilot-server on it (start_server's settings).
fresh_server() {
  pg_as_owner "$(pg_bindir)/createdb" -h 127.0.0.1 -p "$DATAPILOT_PG_PORT" -U datapilot "$1"
  DATAPILOT_TEST_DATABASE_URL="postgres://datapilot@127.0.0.1:$DATAPILOT_PG_PORT/$1"
  rm -rf "$work/data"
  start_server
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }

declare -a rows peers
for fsync in off on; do
  pg_stop
  DATAPILOT_PG_FSYNC=$fsync pg_start
  for size in 0 500; do
    fresh_server "apply_${fsync}_${size}"
    log "first apply of $count, fsync=$fsync, --batch-size $size"
    pg0=$(postgres_cpu); sv0=$(cpu "$server_pid"); t0=$(now)
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$bin/dpctl" apply -f "$work/manifests" --applyset bench --batch-size "$size" \
      >"$work/out" 2>"$work/err" || { tail -5 "$work/err" >&2; grep -v ' created$' "$work/out" | head -5 >&2; exit 1; }
    seconds_taken=$(since "$t0"); pg1=$(postgres_cpu); sv1=$(cpu "$server_pid")
    created=$(grep -c ' created$' "$work/out")
    [ "$created" -eq "$count" ] || { echo "expected $count created, got $created" >&2; exit 1; }
    read -r user sys rss <"$work/time"
    rate=$(awk -v n="$count" -v s="$seconds_taken" 'BEGIN {printf "%.0f", n / s}')
    label=$([ "$size" -eq 0 ] && echo "one request per object" || echo "batches of $size")
    rows+=("| $fsync | $label | $seconds_taken | $rate | $(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.1f", u + s}') | $(awk -v a="$sv0" -v b="$sv1" 'BEGIN {printf "%.1f", b - a}') | $(awk -v a="$pg0" -v b="$pg1" 'BEGIN {printf "%.1f", b - a}') | $((rss / 1024)) MiB |")
    eval "rate_${fsync}_${size}=$rate"
    stop_server
  done

  fresh_server "peer_${fsync}"
  for script in create batch; do
    log "wrk: 8 connections, ${seconds}s, $script, fsync=$fsync"
    lua="$root/bench/server/create.lua"; per=1
    [ "$script" = batch ] && { lua="$here/batch.lua"; per=500; }
    out=$(BENCH_KEY="$key" BENCH_RUN="$script" BENCH_BATCH=500 wrk -t 2 -c 8 -d "${seconds}s" --timeout 60s -s "$lua" "$base" 2>&1)
    line=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; exit 1; }
    eval "${line#RESULT }"
    [ "$errors_status" -eq 0 ] || { echo "wrk saw $errors_status non-2xx responses" >&2; tail -20 "$work/server.log" >&2; exit 1; }
    objects=$(awk -v r="$requests" -v p="$per" -v d="$duration_us" 'BEGIN {printf "%.0f", r * p / (d / 1e6)}')
    label=$([ "$script" = create ] && echo "single creates (POST /api/datasets)" || echo "batches of 500 (POST /api/batch)")
    peers+=("| $fsync | $label | $objects | $(awk -v v="$p50_us" 'BEGIN {printf "%.1f", v/1000}') | $(awk -v v="$p99_us" 'BEGIN {printf "%.1f", v/1000}') |")
  done
  stop_server
done

table=$(cat <<TABLE
| fsync | dpctl apply, first, $count objects | seconds | objects/s | dpctl CPU s | server CPU s | Postgres CPU s | dpctl peak RSS |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Batches vs one request per object: $(awk -v a="$rate_off_500" -v b="$rate_off_0" 'BEGIN {printf "%.2f", a / b}')x with fsync off, $(awk -v a="$rate_on_500" -v b="$rate_on_0" 'BEGIN {printf "%.2f", a / b}')x with fsync on.

| fsync | server creates, 8 connections, ${seconds} s | objects/s | p50 ms | p99 ms |
|---|---|---|---|---|
$(printf '%s\n' "${peers[@]}")
TABLE
)
echo "$table"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## Batched writes: dpctl apply and server creates, fsync off and on — $(date -u +%Y-%m-%d)"
    echo
    machine_items "the same build with --batch-size 0 (one request per object, as before POST /api/batch) and wrk single creates"
    echo "- release builds; server --max-connections 20; dpctl --concurrency 8; Postgres 15 private cluster (scripts/lib/postgres.sh)"
    echo
    echo "$table"
  } >>"$results"
  log "appended to bench/RESULTS.md"
fi
