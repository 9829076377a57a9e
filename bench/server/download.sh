#!/usr/bin/env bash
# Download throughput of a stored dataset version: this tree's datapilot-server, an earlier build
# when BEFORE names its binary, and nginx serving the same file with sendfile, in one run; the
# three take turns, BENCH_RUNS rounds, and each row is the median. The server's peak RSS during
# the downloads is reported too (its high-water mark is reset after the upload).
#
#   bench/server/download.sh       # BENCH_SIZE_MB=1024 BENCH_RUNS=5 BEFORE=/path/to/datapilot-server
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
size_mb="${BENCH_SIZE_MB:-1024}"
runs="${BENCH_RUNS:-5}"
before="${BEFORE:-}"

bench_with_server download "nginx-light curl" datapilot-server

log "writing a ${size_mb} MiB file"
head -c "$((size_mb << 20))" /dev/urandom >"$work/big.bin"

# upload_to BASE: the file as version big-1 of dataset big.
upload_to() {
  curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$1/api/datasets" \
    -d '{"metadata": {"name": "big"}, "spec": {"owner": "bench@example.com", "format": "csv"}}' >/dev/null
  curl -sf -o /dev/null -T "$work/big.bin" -X POST -H "Authorization: Bearer $key" "$1/api/datasets/big/versions/upload?name=big-1"
}
upload_to "$base"

before_base=""
if [ -n "$before" ]; then
  log "starting the earlier build $before on a database of its own"
  psql -q "$DATAPILOT_TEST_DATABASE_URL" -c 'create database before_bench'
  before_port=$(free_port)
  DATAPILOT_BOOTSTRAP_ADMIN_KEY="$key" "$before" --port "$before_port" \
    --database-url "${DATAPILOT_TEST_DATABASE_URL%/*}/before_bench" --data-dir "$work/before-data" --max-connections 20 \
    >"$work/before.log" 2>&1 &
  bench_pids+=($!)
  before_pid=$!
  before_base="http://127.0.0.1:$before_port"
  wait_for "$before_base/healthz" || { tail -20 "$work/before.log" >&2; exit 1; }
  upload_to "$before_base"
fi

source "$root/bench/lib/nginx.sh"
nginx_serve "$work/big.bin"

# fetch URL [AUTH]: the download's speed in bytes/s; the body must be the whole file.
fetch() {
  local out
  out=$(curl -sf -o /dev/null -w '%{speed_download} %{size_download}' ${2:+-H "Authorization: Bearer $2"} "$1")
  [ "${out#* }" -eq "$((size_mb << 20))" ] || die "$1 sent ${out#* } bytes, not $((size_mb << 20))"
  echo "${out%% *}"
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)] / 1048576}'; }

echo 5 >"/proc/$server_pid/clear_refs"   # resets VmHWM: the peak below is the downloads' alone
declare -a after_speeds before_speeds nginx_speeds
for round in $(seq "$runs"); do
  log "round $round of $runs"
  after_speeds+=("$(fetch "$base/api/datasets/big/versions/big-1/download" "$key")")
  [ -n "$before_base" ] && before_speeds+=("$(fetch "$before_base/api/datasets/big/versions/big-1/download" "$key")")
  nginx_speeds+=("$(fetch "$nginx_url")")
done
rss_mb=$(( $(awk '/VmHWM/ {print $2}' /proc/$server_pid/status) / 1024 ))
after_mbps=$(printf '%s\n' "${after_speeds[@]}" | median)
nginx_mbps=$(printf '%s\n' "${nginx_speeds[@]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

rows="| datapilot-server, this tree ($(git rev-parse --short HEAD)) | $after_mbps | $(ratio "$after_mbps" "$nginx_mbps")× | $rss_mb |"
if [ -n "$before_base" ]; then
  before_mbps=$(printf '%s\n' "${before_speeds[@]}" | median)
  before_rss_mb=$(( $(awk '/VmRSS/ {print $2}' /proc/$before_pid/status) / 1024 ))
  rows+=$'\n'"| datapilot-server, before ($(basename "$before")) | $before_mbps | $(ratio "$before_mbps" "$nginx_mbps")× | (RSS after: $before_rss_mb) |"
fi
rows+=$'\n'"| nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (sendfile) | $nginx_mbps | 1.00× | |"
table=$(cat <<TABLE
| download of a ${size_mb} MiB version, median of $runs | MiB/s | / nginx | server peak RSS MiB |
| --- | ---: | ---: | ---: |
$rows
TABLE
)
echo "$table"
[ -n "${BENCH_NO_RESULTS:-}" ] && exit 0
{
  echo
  echo "## datapilot-server downloads, $(date -u +%F)"
  echo
  machine_items "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with sendfile, same file, same run"
  echo "- method: curl to /dev/null on loopback, one download at a time, the servers taking turns; release builds"
  echo
  echo "$table"
} >>"$results"
log "appended to bench/RESULTS.md"
