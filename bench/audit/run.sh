#!/usr/bin/env bash
# The write path without the audit chain's global lock (issue 17, item 1): dataset creates per
# second with 8 clients (wrk, bench/server/create.lua), this tree beside BEFORE (a datapilot-server
# that appends to the chain under the advisory lock), each with 1 and 2 server processes on one
# Postgres, with Postgres's fsync off and on. Per row: creates/s, p50/p99, the mean number of
# backends waiting on a lock (pg_stat_activity sampled every 50 ms), and for this tree how long
# the chain took to seal the last events after the load stopped; every row's chain must verify
# with one event per dataset.
#
#   BEFORE=/path/to/datapilot-server bench/audit/run.sh    # BENCH_SECONDS=10, BENCH_NO_RESULTS=1,
#                                                          # AFTER=/path/to/this/tree's/release/build
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
seconds="${BENCH_SECONDS:-10}"
[ -x "${BEFORE:-}" ] || die "BEFORE=/path/to/datapilot-server (the build to compare with) is required"

datapilot_packages+=(wrk)
ensure_packages
if [ -n "${AFTER:-}" ]; then after="$AFTER"; else
  build_release datapilot-server
  after="$bin/datapilot-server"
fi
work="$(mktemp -d /tmp/dp-audit-bench.XXXXXX)"
bench_pids=()
cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT

# psql on the case's database.
sql() { psql -qAt "$db" -c "$1"; }

# run_case LABEL BINARY SERVERS: a fresh database, SERVERS processes of BINARY on it, 8 wrk
# connections split over them; appends a table row to `rows`.
case_number=0
run_case() {
  local label="$1" binary="$2" servers="$3" i port pids=() bases=() key
  case_number=$((case_number + 1))
  psql -qAt "$DATAPILOT_TEST_DATABASE_URL" -c "create database c$case_number" >/dev/null
  db="${DATAPILOT_TEST_DATABASE_URL%/*}/c$case_number"
  key="bench-admin-key-$case_number-abcdefgh"
  for i in $(seq "$servers"); do
    port=$(free_port)
    DATAPILOT_BOOTSTRAP_ADMIN_KEY="$key" "$binary" --port "$port" --database-url "$db" --data-dir "$work/data-$case_number-$i" \
      --max-connections 20 >"$work/server-$case_number-$i.log" 2>&1 &
    pids+=($!)
    bench_pids+=($!)
    bases+=("http://127.0.0.1:$port")
    wait_for "http://127.0.0.1:$port/healthz" || { tail -20 "$work/server-$case_number-$i.log" >&2; exit 1; }
  done
  # Lock waits: one sample every 50 ms for the whole run, in one psql session (autocommit: each
  # sample reads pg_stat_activity afresh).
  local samples=$(( (seconds + 1) * 20 ))
  python3 -c "
for _ in range($samples):
    print(\"select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database();\")
    print('select pg_sleep(0.05);')" | psql -qAt "$db" >"$work/locks-$case_number.txt" 2>&1 &
  local sampler=$!
  log "$label, $servers server(s): wrk, 8 connections, ${seconds}s of dataset creates"
  local per=$((8 / servers)) outs=() wrk_pids=()
  for i in $(seq "$servers"); do
    BENCH_KEY="$key" BENCH_RUN="c$case_number-s$i" wrk -t 1 -c "$per" -d "${seconds}s" -s "$root/bench/server/create.lua" \
      "${bases[$((i - 1))]}" >"$work/wrk-$case_number-$i.txt" 2>&1 &
    wrk_pids+=($!)
  done
  for i in "${wrk_pids[@]}"; do wait "$i"; done
  local t0 sealed_after="n/a" requests=0 errors=0 duration=0 p50=0 p99=0 line total_requests=0
  t0=$(now)
  if [ "$(sql "select count(*) from information_schema.columns where table_name = 'audit_events' and column_name = 'position'")" = 1 ]; then
    while [ "$(sql 'select count(*) from audit_events where sequence is null')" != 0 ]; do sleep 0.01; done
    sealed_after="$(awk -v s="$(since "$t0")" 'BEGIN {printf "%.0f", s * 1000}') ms"
  fi
  wait "$sampler" || true
  for i in $(seq "$servers"); do
    line=$(grep '^RESULT' "$work/wrk-$case_number-$i.txt") || { cat "$work/wrk-$case_number-$i.txt" >&2; exit 1; }
    eval "${line#RESULT }"
    errors=$((errors + errors_status))
    total_requests=$((total_requests + requests))
    duration=$(( duration > duration_us ? duration : duration_us ))
    p50=$(( p50 > p50_us ? p50 : p50_us ))
    p99=$(( p99 > p99_us ? p99 : p99_us ))
  done
  [ "$errors" -eq 0 ] || { echo "wrk saw $errors non-2xx responses" >&2; tail -20 "$work/server-$case_number-1.log" >&2; exit 1; }
  local rate waiting verified datasets events
  rate=$(awk -v r="$total_requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  waiting=$(grep -E '^[0-9]+$' "$work/locks-$case_number.txt" | awk '{s += $1; n++} END {printf "%.2f", n ? s / n : 0}')
  verified=$(curl -sf -H "Authorization: Bearer $key" "${bases[0]}/api/audit/verify")
  datasets=$(sql "select count(*) from datasets")
  events=$(sql "select count(*) from audit_events where resource like 'dataset/%'")
  grep -q '"valid":true' <<<"$verified" || { echo "the chain does not verify: $verified" >&2; exit 1; }
  [ "$datasets" = "$events" ] || { echo "$datasets datasets but $events dataset events" >&2; exit 1; }
  rows+=("| $label | $fsync | $servers | $rate | $(awk -v v="$p50" 'BEGIN {printf "%.2f", v/1000}') | $(awk -v v="$p99" 'BEGIN {printf "%.2f", v/1000}') | $waiting | $sealed_after | $datasets |")
  for i in "${pids[@]}"; do kill -9 "$i" 2>/dev/null || true; done
}

declare -a rows
for fsync in off on; do
  DATAPILOT_PG_FSYNC="$fsync" pg_start
  for servers in 1 2; do
    run_case "before" "$BEFORE" "$servers"
    run_case "this tree" "$after" "$servers"
  done
  pg_stop
done

table=$(cat <<TABLE
| server | fsync | processes | creates/s | p50 ms (slowest process) | p99 ms | backends waiting on a lock (mean) | sealed after the load stopped | datasets (= events, chain verified) |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${rows[@]}")
TABLE
)
echo "$table"
[ -n "${BENCH_NO_RESULTS:-}" ] && exit 0
{
  echo
  echo "## Audit sealed after commit: creates with 8 clients, $(date -u +%F)"
  echo
  machine_items "before: $BEFORE"
  echo "- build: release; Postgres $(psql --version | awk '{print $3}') private cluster on the same machine, fsync off and on (full_page_writes with it)"
  echo "- method: wrk ${seconds}s, 8 connections split over the processes, each request a new dataset (row + audit event in one transaction); lock waits: pg_stat_activity every 50 ms"
  echo
  echo "$table"
} >>"$results"
log "appended to bench/RESULTS.md"
