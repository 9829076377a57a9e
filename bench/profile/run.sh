#!/usr/bin/env bash
# Issue 17, where the time goes: the misses of bench/batch and bench/reconcile measured with
# `perf record -a -g` (every process: dpctl, datapilot-server, the reconciler, Postgres) and
# Postgres's pg_stat_statements (loaded into the private cluster), phase by phase:
#   1. the first `dpctl apply` of bench/apply's BENCH_COUNT manifests (batches of 500);
#   2. a first sync (`dpctl reconcile --once`) on a fresh database, then the long-running
#      reconciler's first poll (snapshot + its drift scan) and BENCH_COMMITS one-file commits
#      announced by webhook (bench/reconcile/converge.py);
#   3. `dpctl drift --repo` of the same objects;
#   with BENCH_WRK_SECONDS=N, after 1: wrk with 8 connections sending batches of 500 new datasets
#   (bench/batch/batch.lua) for N seconds. DATAPILOT_PG_FSYNC=on runs Postgres durably.
# Everything lands in BENCH_OUT (perf data; NAME-by-process.txt, the share of the samples per
# process; NAME-PROCESS.txt, self and inclusive shares per function from fold.py;
# NAME-statements.txt, calls and time per statement; metrics); it
# writes nothing to RESULTS.md (the section there is written from these files).
#
#   BENCH_BIN=DIR bench/profile/run.sh   # BENCH_COUNT=10000 BENCH_COMMITS=20 BENCH_OUT=/tmp/dp-profile BENCH_WRK_SECONDS=10
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
count="${BENCH_COUNT:-10000}"
commits="${BENCH_COMMITS:-20}"
out="${BENCH_OUT:-/tmp/dp-profile}"
bin="${BENCH_BIN:?BENCH_BIN=DIR with release datapilot-server, dpctl and datapilot-reconciler}"
mkdir -p "$out"
datapilot_packages+=(curl time)
ensure_packages
bench_start profile
sql() { "$(pg_bindir)/psql" -h 127.0.0.1 -p "$DATAPILOT_PG_PORT" -U datapilot -d "${db:-datapilot_test}" -qAtX "$@"; }
sql -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
pg_as_owner "$(pg_bindir)/pg_ctl" -D "$DATAPILOT_PG_DIR/data" -w restart >/dev/null
sql -c "CREATE EXTENSION pg_stat_statements"
uptime >"$out/uptime-start"

# statements NAME: pg_stat_statements since the last reset, into NAME-statements.txt; resets.
statements() {
  {
    echo "# total calls, total ms"
    sql -F ' | ' -c "SELECT sum(calls), round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements"
    echo "# calls | total ms | mean ms | rows | query (top 30 by total time)"
    sql -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric, 3), rows,
      left(regexp_replace(query, '\s+', ' ', 'g'), 160) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30"
  } >"$out/$1-statements.txt"
  sql -c "SELECT pg_stat_statements_reset()" >/dev/null
}
# perf_start NAME / perf_stop: a system-wide recording (every process, call graphs).
perf_start() { perf record -a -g -F 499 -o "$out/$1.perf.data" >"$out/$1.perf.log" 2>&1 & perf_pid=$!; perf_name=$1; sleep 1; }
perf_stop() {  # perf_stop NAME=PID...: shares by process, then each named process's functions
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  set +o pipefail  # the reports are cut with head
  local data="$out/$perf_name.perf.data" pair names="" master pg
  for pair in "$@"; do names+="${pair#*=}=${pair%%=*} "; done
  # this cluster's Postgres: the postmaster and its children (other clusters on the machine are "other")
  master=$(head -1 "$DATAPILOT_PG_DIR/data/postmaster.pid")
  pg=$(pgrep -P "$master" | tr '\n' ',')$master
  for pair in ${pg//,/ }; do names+="$pair=postgres "; done
  perf script -i "$data" -F comm,pid 2>/dev/null | awk -v names="$names" '
    BEGIN { n = split(names, a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); name[kv[1]] = kv[2] } }
    { pid = $NF; c = (pid in name) ? name[pid] : "other processes (builds, tests, other clusters)"; s[c]++; t++ }
    END { for (c in s) printf "%5.1f%%  %s\n", 100 * s[c] / t, c; printf "%d samples\n", t }' | sort -rn >"$out/$perf_name-by-process.txt"
  # per named process and for this cluster's Postgres: self and inclusive shares by function
  # (fold.py names the frames in our binaries, which this machine's perf leaves unresolved)
  for pair in "$@" postgres="$pg"; do
    perf script -i "$data" --pid "${pair#*=}" -F pid,ip,sym,dso 2>/dev/null | python3 "$here/fold.py" 150 \
      | swift demangle --simplified >"$out/$perf_name-${pair%%=*}.txt"
  done
  set -o pipefail
}
metrics() { curl -sf "$1/metrics" >"$out/$2-metrics.txt" || true; }

log "generating $count manifests"
python3 "$root/bench/apply/generate.py" "$work/work/manifests" "$count"
start_server
sql -c "SELECT pg_stat_statements_reset()" >/dev/null

log "1. first dpctl apply of $count (batches of 500), perf -a and pg_stat_statements"
perf_start apply
t0=$(now)
"$bin/dpctl" apply -f "$work/work/manifests" --applyset apply >"$work/apply.out" 2>"$work/apply.err" &
dpctl_pid=$!
wait "$dpctl_pid" || { tail "$work/apply.err" >&2; exit 1; }
echo "apply $count: $(since "$t0") s" | tee "$out/apply-wall.txt"
perf_stop dpctl="$dpctl_pid" server="$server_pid"
statements apply
metrics "$base" apply-server
t0=$(now); "$bin/dpctl" validate -R -f "$work/work/manifests" >/dev/null; echo "dpctl validate -R alone: $(since "$t0") s" | tee -a "$out/apply-wall.txt"
if [ -n "${BENCH_WRK_SECONDS:-}" ]; then
  log "1b. wrk: 8 connections, batches of 500 new datasets (bench/batch/batch.lua), ${BENCH_WRK_SECONDS} s"
  datapilot_packages+=(wrk); ensure_packages
  perf_start creates
  BENCH_KEY="$key" BENCH_RUN=profile BENCH_BATCH=500 wrk -t 2 -c 8 -d "${BENCH_WRK_SECONDS}s" --timeout 60s \
    -s "$root/bench/batch/batch.lua" "$base" >"$out/creates-wrk.txt" 2>&1
  perf_stop server="$server_pid"
  statements creates
fi
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true

log "2. reconcile on a fresh database"
pg_as_owner "$(pg_bindir)/createdb" -h 127.0.0.1 -p "$DATAPILOT_PG_PORT" -U datapilot recon
db=recon
DATAPILOT_TEST_DATABASE_URL="postgres://datapilot@127.0.0.1:$DATAPILOT_PG_PORT/recon"
sql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
rm -rf "$work/data"
start_server
g() { bench_git "$work/work" "$@"; }
g init -q -b main && g add -A && g commit -qm manifests
git init -q --bare "$work/served/repo.git"
g push -q "$work/served/repo.git" main
daemon_port=$(free_port)
"$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port="$daemon_port" --base-path="$work/served" --export-all --enable=receive-pack "$work/served" \
  >"$work/daemon.log" 2>&1 &
bench_pids+=("$!")
remote="git://127.0.0.1:$daemon_port/repo.git"
for _ in $(seq 50); do git ls-remote "$remote" >/dev/null 2>&1 && break; sleep 0.1; done
g remote add origin "$remote"
t0=$(now)
"$bin/dpctl" reconcile --once --repo "$remote" --name bench --database-url "$DATAPILOT_TEST_DATABASE_URL" --cache-dir "$work/cache" \
  >"$work/first.log" 2>&1 || { tail -20 "$work/first.log" >&2; exit 1; }
echo "first sync $count: $(since "$t0") s" | tee "$out/reconcile-wall.txt"
sql -c "SELECT pg_stat_statements_reset()" >/dev/null

echo "bench-hook-secret" >"$work/hook-secret"
rport=$(free_port)
rbase="http://127.0.0.1:$rport"
metric() { curl -sf "$rbase/metrics" | awk -v m="$1" '$1 ~ "^"m"(\\{|$)" {s += $NF} END {printf "%.6f", s}'; }
perf_start startup
"$bin/dpctl" reconcile --repo "$remote" --name bench --interval 1s --resync 24h \
  --webhook-secret-file "$work/hook-secret" --database-url "$DATAPILOT_TEST_DATABASE_URL" --cache-dir "$work/cache" \
  --listen "127.0.0.1:$rport" >"$work/reconciler.log" 2>&1 &
bench_pids+=("$!")
wrapper=$!
t0=$(now)
wait_for "$rbase/healthz" || { tail -20 "$work/reconciler.log" >&2; exit 1; }
reconciler_pid=$wrapper  # dpctl reconcile execs datapilot-reconciler
until [ "$(metric datapilot_git_ls_remote_duration_seconds_count | cut -d. -f1)" -ge 2 ]; do sleep 0.05; done
echo "start -> second poll (snapshot, drift scan, 1 s interval): $(since "$t0") s" | tee -a "$out/reconcile-wall.txt"
perf_stop reconciler="$reconciler_pid" server="$server_pid"
statements startup
metrics "$rbase" startup-reconciler

log "$commits one-file commits with a webhook each"
python3 "$root/bench/reconcile/converge.py" "$work/work" manifests/m0000.yaml 1 1 "$rbase" bench "$work/hook-secret" "$work/warm"
sql -c "SELECT pg_stat_statements_reset()" >/dev/null
metrics "$rbase" converge-before
perf_start converge
python3 "$root/bench/reconcile/converge.py" "$work/work" manifests/m0000.yaml 2 "$((commits + 1))" "$rbase" bench "$work/hook-secret" "$out/converge-latencies.txt"
perf_stop reconciler="$reconciler_pid" server="$server_pid"
statements converge
metrics "$rbase" converge-after
cp "$work/reconciler.log" "$out/reconciler.log"

log "3. dpctl drift --repo of $count"
metrics "$base" drift-server-before
perf_start drift
t0=$(now)
"$bin/dpctl" drift --repo "$work/work" --path manifests --applyset bench -o json >"$work/drift.json" 2>"$work/drift.err" &
dpctl_pid=$!
wait "$dpctl_pid" || { cat "$work/drift.err" >&2; exit 1; }
echo "dpctl drift --repo $count: $(since "$t0") s" | tee -a "$out/reconcile-wall.txt"
perf_stop dpctl="$dpctl_pid" server="$server_pid"
statements drift
metrics "$base" drift-server-after
uptime >"$out/uptime-end"
log "done: $out"
