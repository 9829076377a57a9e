#!/usr/bin/env bash
# Benchmark `dpctl reconcile` on a 10,000-manifest repository served by git daemon: the first
# sync, a no-op poll (ls-remote, no fetch) beside `git ls-remote` on the same remote, an
# incremental fetch beside `git fetch` of the same commit, and commit -> converged latency for a
# one-file change announced by a webhook (p50/p99 over BENCH_COMMITS commits), with peak RSS.
#
#   bench/reconcile/run.sh      # BENCH_COUNT=10000 BENCH_COMMITS=50 BENCH_FULL_COMMITS=50 BENCH_NO_RESULTS=1
#
# BENCH_BIN=DIR uses the binaries in DIR instead of building (e.g. an older tree's release build,
# for a before/after pair in one sitting) and BENCH_LABEL names them in the table;
# BENCH_FULL_COMMITS=0 skips the whole-sync rows (slow at 100,000 manifests); BENCH_PERF=FILE
# records the long-running reconciler and the server with `perf record -g` during the incremental commits.
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
count="${BENCH_COUNT:-10000}"
commits="${BENCH_COMMITS:-50}"
full_commits="${BENCH_FULL_COMMITS:-$commits}"
label="${BENCH_LABEL:-this tree}"

if [ -n "${BENCH_BIN:-}" ]; then
  datapilot_packages+=(curl time)
  ensure_packages
  bin="$BENCH_BIN"
  bench_start reconcile
  start_server
else
  bench_with_server reconcile "curl time" datapilot-server dpctl datapilot-reconciler
fi

log "generating $count manifests into a repository served by git daemon"
python3 "$root/bench/apply/generate.py" "$work/work/manifests" "$count"
g() { bench_git "$work/work" "$@"; }
g init -q -b main && g add -A && g commit -qm manifests
git init -q --bare "$work/served/repo.git"
g push -q "$work/served/repo.git" main
touch "$work/served/repo.git/git-daemon-export-ok"
daemon_port=$(free_port)
# git-daemon itself (not the `git daemon` wrapper, whose child outlived the kill on exit).
"$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port="$daemon_port" --base-path="$work/served" --export-all --enable=receive-pack "$work/served" \
  >"$work/daemon.log" 2>&1 &
daemon_pid=$!
bench_pids+=("$daemon_pid")
remote="git://127.0.0.1:$daemon_port/repo.git"
for _ in $(seq 50); do git ls-remote "$remote" >/dev/null 2>&1 && break; sleep 0.1; done
g remote add origin "$remote"

log "first sync (dpctl reconcile --once)"
t0=$(now)
/usr/bin/time -f '%M' -o "$work/rss-first" "$bin/dpctl" reconcile --once --repo "$remote" --name bench --database-url "$DATAPILOT_TEST_DATABASE_URL" \
  --cache-dir "$work/cache" >"$work/first.log" 2>&1 || { tail -20 "$work/first.log" >&2; exit 1; }
first_s=$(since "$t0")

log "reconciler running; no-op polls for 10 s"
echo "bench-hook-secret" >"$work/hook-secret"
rport=$(free_port)
/usr/bin/time -f '%M' -o "$work/rss-loop" "$bin/dpctl" reconcile --repo "$remote" --name bench --interval 1s --resync 24h \
  --webhook-secret-file "$work/hook-secret" --database-url "$DATAPILOT_TEST_DATABASE_URL" --cache-dir "$work/cache" \
  --listen "127.0.0.1:$rport" >"$work/reconciler.log" 2>&1 &
reconciler_pid=$!
bench_pids+=("$reconciler_pid")
rbase="http://127.0.0.1:$rport"
wait_for "$rbase/healthz" || { tail -20 "$work/reconciler.log" >&2; exit 1; }
metric() { curl -sf "$rbase/metrics" | awk -v m="$1" '$1 ~ "^"m"(\\{|$)" {s += $NF} END {printf "%.6f", s}'; }
# Its first poll reads the applied commit (a snapshot of every manifest) and, no full sync having
# run in this process, scans for drift; the second poll (ls-remote count 2) comes 1 s after it.
t0=$(now)
until [ "$(metric datapilot_git_ls_remote_duration_seconds_count | cut -d. -f1)" -ge 2 ]; do sleep 0.05; done
startup_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.2f", b - a - 1}')
scan_n=$(metric datapilot_drift_scan_duration_seconds_count)
scan_s=$(awk -v s="$(metric datapilot_drift_scan_duration_seconds_sum)" -v n="$scan_n" 'BEGIN {if (n > 0) printf "%.2f s", s / n; else printf "n/a"}')
sleep 10
ls_sum=$(metric datapilot_git_ls_remote_duration_seconds_sum); ls_n=$(metric datapilot_git_ls_remote_duration_seconds_count)
ours_ls=$(awk -v s="$ls_sum" -v n="$ls_n" 'BEGIN {printf "%.1f", 1000 * s / n}')
t0=$(now); for _ in $(seq 20); do git ls-remote "$remote" refs/heads/main >/dev/null; done
git_ls=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", 1000 * (b - a) / 20}')

# converge FIRST LAST FILE: commits FIRST..LAST, one file changed each, a webhook each; the
# seconds from the webhook to the commit applied, one a line, into FILE (bench/reconcile/converge.py).
converge() {
  : >"$3"
  python3 "$root/bench/reconcile/converge.py" "$work/work" manifests/m0000.yaml "$1" "$2" "$rbase" bench "$work/hook-secret" "$3"
}
applied() { curl -sf "$rbase/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sources"][0]["lastAppliedCommit"] or "")'; }
git clone -q --bare "$remote" "$work/peer.git"
fetch_before=$(metric datapilot_git_fetch_duration_seconds_sum)
percentiles() {
  python3 -c '
import sys
xs = sorted(float(x) for x in open(sys.argv[1]))
pick = lambda q: xs[min(len(xs) - 1, max(0, int(round(q * len(xs))) - 1))]
print("%.3f %.3f" % (pick(0.5), pick(0.99)))' "$1"
}
log "commit -> converged, $commits commits with a webhook each (incremental syncs)"
converge 1 1 "$work/latencies-1"
fetch_after=$(metric datapilot_git_fetch_duration_seconds_sum)
ours_fetch=$(awk -v a="$fetch_before" -v b="$fetch_after" 'BEGIN {printf "%.1f", 1000 * (b - a)}')
t0=$(now); git -C "$work/peer.git" fetch -q origin '+refs/heads/*:refs/heads/*'
git_fetch=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", 1000 * (b - a)}')
child=$(pgrep -P "$reconciler_pid" | head -1)
if [ -n "${BENCH_PERF:-}" ]; then
  perf record -g -F 499 -o "$BENCH_PERF" -p "$child,$server_pid" >"$work/perf.log" 2>&1 &
  perf_pid=$!
  sleep 1
fi
converge 2 "$commits" "$work/latencies"
if [ -n "${BENCH_PERF:-}" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
cat "$work/latencies-1" >>"$work/latencies"
read -r p50 p99 < <(percentiles "$work/latencies")
# Peak and current RSS of the long-running reconciler (the child of /usr/bin/time), read before stopping it.
rss_loop=$(awk '/VmHWM/ {print $2}' "/proc/$child/status")
rss_now=$(awk '/VmRSS/ {print $2}' "/proc/$child/status")
kill "$reconciler_pid" "$child" 2>/dev/null; wait "$reconciler_pid" 2>/dev/null || true; reconciler_pid=""

# The same commits synced whole, as before incremental syncs: with --resync 1ms every new commit
# is a full sync (every object planned, every kind listed); --interval 1h: only webhooks poll.
if [ "$full_commits" -gt 0 ]; then
  log "commit -> converged, $commits commits with a webhook each (full syncs, --resync 1ms)"
  rport=$(free_port)
  "$bin/dpctl" reconcile --repo "$remote" --name bench --interval 1h --resync 1ms \
    --webhook-secret-file "$work/hook-secret" --database-url "$DATAPILOT_TEST_DATABASE_URL" --cache-dir "$work/cache" \
    --listen "127.0.0.1:$rport" >"$work/reconciler-full.log" 2>&1 &
  reconciler_pid=$!
  bench_pids+=("$reconciler_pid")
  rbase="http://127.0.0.1:$rport"
  wait_for "$rbase/healthz" || { tail -20 "$work/reconciler-full.log" >&2; exit 1; }
  until [ "$(applied)" = "$(g rev-parse HEAD)" ]; do sleep 0.05; done
  converge "$((commits + 1))" "$((commits + 1))" "$work/warm-up"  # after the drift scan its first poll runs
  converge "$((commits + 2))" "$((commits + full_commits + 1))" "$work/latencies-full"
  read -r full50 full99 < <(percentiles "$work/latencies-full")
  kill "$reconciler_pid" 2>/dev/null; wait "$reconciler_pid" 2>/dev/null || true; reconciler_pid=""
fi

log "drift scan of the $count objects (dpctl drift --repo, apply set bench, no drift)"
t0=$(now)
"$bin/dpctl" drift --repo "$work/work" --path manifests --applyset bench -o json >"$work/drift.json" 2>"$work/drift.err" \
  || { cat "$work/drift.err" >&2; exit 1; }
drift_s=$(since "$t0")
rss_first=$(cat "$work/rss-first")
full_row="| the same, every commit synced whole (--resync 1ms, as before) | not run (BENCH_FULL_COMMITS=0) | | |"
if [ "$full_commits" -gt 0 ]; then
  full_row="| the same, every commit synced whole (--resync 1ms, as before; $full_commits commits) | p50 $full50 s, p99 $full99 s | | $(awk -v a="$full50" -v b="$p50" 'BEGIN {printf "%.1fx faster (p50)", a / b}') |"
fi
table=$(cat <<TABLE
| step ($label) | dpctl reconcile | peer (git CLI, same remote) | ratio |
|---|---|---|---|
| first sync of $count manifests (clone, parse, apply) | $first_s s, peak RSS $((rss_first / 1024)) MiB | | |
| first poll after a restart: snapshot of $count manifests and the reconciler's drift scan | $startup_s s (the scan alone: $scan_s) | | |
| no-op poll: ls-remote, no fetch | $ours_ls ms | git ls-remote: $git_ls ms | $(awk -v a="$ours_ls" -v b="$git_ls" 'BEGIN {printf "%.2f", a / b}') |
| incremental fetch of a one-file commit | $ours_fetch ms | git fetch: $git_fetch ms | $(awk -v a="$ours_fetch" -v b="$git_fetch" 'BEGIN {printf "%.2f", a / b}') |
| webhook -> converged, one file (of 100 objects) changed ($commits commits), incremental | p50 $p50 s, p99 $p99 s | | |
| long-running reconciler RSS after those commits | $((rss_now / 1024)) MiB now, peak $((rss_loop / 1024)) MiB | | |
$full_row
| drift scan of $count objects (dpctl drift --repo, no drift) | $drift_s s | | |
TABLE
)
echo "$table"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## dpctl reconcile — $(date -u +%Y-%m-%d)"
    echo
    echo "Machine: $(machine_summary); libgit2 1.5.1; $(git --version); Postgres 15 (fsync ${DATAPILOT_PG_FSYNC:-off}); git daemon on loopback. Release build."
    echo
    echo "$table"
  } >>"$results"
  log "appended to bench/RESULTS.md"
fi
