#!/usr/bin/env bash
# Benchmark `dpctl apply` on 10,000 manifests against a real datapilot-server and a private
# Postgres: the first apply (resources/s), a no-op re-apply (seconds, requests the server saw),
# one change in 10,000 (seconds), and dpctl's peak RSS. The peer, measured in the same run, is
# the server's own create rate under wrk (8 connections, datasets): how close dpctl gets to what
# the server can take.
#
#   bench/apply/run.sh            # from any directory; BENCH_COUNT=10000 BENCH_NO_RESULTS=1
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
count="${BENCH_COUNT:-10000}"

bench_with_server apply "wrk curl time" datapilot-server dpctl

log "generating $count manifests"
python3 "$here/generate.py" "$work/manifests" "$count"
bench_git "$work/manifests" init -q && bench_git "$work/manifests" add -A && bench_git "$work/manifests" commit -qm manifests

# Requests the server has answered so far (http_server_requests_total; hb_requests before 2026-11-30).
requests() { curl -sf "$base/metrics" | awk '/^(http_server_requests_total|hb_requests)[{ ]/ {s += $NF} END {printf "%d", s}'; }
apply() {  # prints "seconds peak_rss_kib", the output in $work/out
  local t0
  t0=$(now)
  /usr/bin/time -f '%M' -o "$work/rss" "$bin/dpctl" apply -f "$work/manifests" --applyset bench >"$work/out" 2>"$work/err" || {
    tail -5 "$work/err" >&2; grep -v -E ' (created|configured|unchanged)$' "$work/out" | head -5 >&2; exit 1; }
  echo "$(since "$t0") $(cat "$work/rss")"
}

log "first apply"
r0=$(requests); read -r first_s first_rss < <(apply); r1=$(requests)
created=$(grep -c ' created$' "$work/out")
[ "$created" -eq "$count" ] || { echo "expected $count created, got $created" >&2; exit 1; }
log "no-op re-apply"
read -r noop_s noop_rss < <(apply); r2=$(requests)
[ "$(grep -c ' unchanged$' "$work/out")" -eq "$count" ] || { echo "the re-apply changed something" >&2; exit 1; }
log "one change in $count"
sed -i 's/description: Synthetic dataset 7 for/description: Changed dataset 7 for/' "$work/manifests/m0000.yaml"
read -r one_s one_rss < <(apply); r3=$(requests)
[ "$(grep -c ' configured$' "$work/out")" -eq 1 ] || { echo "expected one configured" >&2; exit 1; }

log "peer: wrk dataset creates, 8 connections, 10 s"
out=$(BENCH_KEY="$key" BENCH_RUN="peer" wrk -t 2 -c 8 -d 10s -s "$root/bench/server/create.lua" "$base" 2>&1)
line=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; exit 1; }
eval "${line#RESULT }"
peer_rate=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')

rate=$(awk -v n="$count" -v s="$first_s" 'BEGIN {printf "%.0f", n / s}')
ratio=$(awk -v a="$rate" -v b="$peer_rate" 'BEGIN {printf "%.2f", a / b}')
peak=$(printf '%s\n%s\n%s\n' "$first_rss" "$noop_rss" "$one_rss" | sort -n | tail -1)
table=$(cat <<TABLE
| step | seconds | requests to the server | dpctl peak RSS |
|---|---|---|---|
| first apply, $count objects | $first_s ($rate objects/s) | $((r1 - r0)) | $((first_rss / 1024)) MiB |
| no-op re-apply | $noop_s | $((r2 - r1)) | $((noop_rss / 1024)) MiB |
| one change in $count | $one_s | $((r3 - r2)) | $((one_rss / 1024)) MiB |
| peer: wrk dataset creates (8 connections) | | $peer_rate creates/s | |

dpctl's first apply runs at $ratio x the server's raw create rate (all kinds, including $((count / 10)) uploads). Peak RSS $((peak / 1024)) MiB.
TABLE
)
echo "$table"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## dpctl apply — $(date -u +%Y-%m-%d)"
    echo
    echo "Machine: $(machine_summary); Postgres 15. Release build, server with --max-connections 20, dpctl --concurrency 8 (default)."
    echo
    echo "$table"
  } >>"$results"
  log "appended to bench/RESULTS.md"
fi
