#!/usr/bin/env bash
# Benchmark datapilot-server: dataset creates per second and latency at 1, 8 and 32 concurrent
# clients (wrk), and 1 GiB upload and download throughput with the server's peak RSS, the
# download side by side with nginx serving the same file in the same run.
#
#   bench/server/run.sh            # from any directory; BENCH_SECONDS=10 BENCH_SIZE_MB=1024
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
seconds="${BENCH_SECONDS:-10}"
size_mb="${BENCH_SIZE_MB:-1024}"

bench_with_server server "wrk nginx-light curl" datapilot-server

# 1. creates per second and latency
declare -a rows
for c in 1 8 32; do
  t=$(( c < 2 ? 1 : 2 ))
  log "wrk: $c connections, $t threads, ${seconds}s of dataset creates"
  out=$(BENCH_KEY="$key" BENCH_RUN="c$c" wrk -t "$t" -c "$c" -d "${seconds}s" -s "$here/create.lua" "$base" 2>&1)
  line=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; exit 1; }
  eval "${line#RESULT }"
  [ "$errors_status" -eq 0 ] || { echo "wrk saw $errors_status non-2xx responses" >&2; tail -20 "$work/server.log" >&2; exit 1; }
  rate=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  rows+=("| $c | $rate | $(awk -v v="$p50_us" 'BEGIN {printf "%.2f", v/1000}') | $(awk -v v="$p99_us" 'BEGIN {printf "%.2f", v/1000}') |")
done

# 2. a large upload and download, and nginx serving the same file
log "writing a ${size_mb} MiB file"
head -c "$((size_mb << 20))" /dev/urandom >"$work/big.bin"
curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$base/api/datasets" \
  -d '{"metadata": {"name": "big"}, "spec": {"owner": "bench@example.com", "format": "csv"}}' >/dev/null
rss_before=$(awk '/VmHWM/ {print $2}' /proc/$server_pid/status)
log "upload through datapilot-server"
up=$(curl -sf -o /dev/null -w '%{speed_upload} %{time_total}' -T "$work/big.bin" -X POST \
  -H "Authorization: Bearer $key" "$base/api/datasets/big/versions/upload?name=big-1")
log "download from datapilot-server"
down=$(curl -sf -o /dev/null -w '%{speed_download} %{time_total}' -H "Authorization: Bearer $key" \
  "$base/api/datasets/big/versions/big-1/download")
rss_after=$(awk '/VmHWM/ {print $2}' /proc/$server_pid/status)

source "$root/bench/lib/nginx.sh"
nginx_serve "$work/big.bin"
log "download from nginx"
nginx_down=$(curl -sf -o /dev/null -w '%{speed_download} %{time_total}' "$nginx_url")

# 3. lineage queries on 100,000 edges: a tree of datasets -> versions -> runs
log "inserting 100,000 lineage edges"
psql -q "$DATAPILOT_TEST_DATABASE_URL" <<SQL
insert into lineage_edges (from_node, to_node, relation)
select 'dataset/d' || (i % 1000), 'datasetversion/v' || i, 'has-version' from generate_series(1, 50000) i;
insert into lineage_edges (from_node, to_node, relation)
select 'datasetversion/v' || i, 'run/r' || (i / 2), 'input-of' from generate_series(1, 50000) i;
analyze lineage_edges;
SQL
lineage_ms() {  # median of 50 queries, in ms
  for _ in $(seq 50); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$base/api/lineage/graph?node=$1&direction=$2&depth=$3"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] * 1000}'
}
lineage_rows=(
  "| dataset/d7, downstream, depth 2 (50 versions, 25 runs) | $(lineage_ms dataset/d7 downstream 2) |"
  "| run/r100, upstream, depth 2 | $(lineage_ms run/r100 upstream 2) |"
  "| datasetversion/v77, both, depth 10 | $(lineage_ms datasetversion/v77 both 10) |"
)

mbps() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }
up_mbps=$(mbps "${up%% *}"); down_mbps=$(mbps "${down%% *}"); nginx_mbps=$(mbps "${nginx_down%% *}")
ratio=$(awk -v a="$down_mbps" -v b="$nginx_mbps" 'BEGIN {printf "%.2f", a / b}')

table=$(cat <<TABLE
| concurrent clients | creates/s | p50 ms | p99 ms |
| ---: | ---: | ---: | ---: |
$(printf '%s\n' "${rows[@]}")

| transfer (${size_mb} MiB) | MiB/s | server peak RSS MiB |
| --- | ---: | ---: |
| upload through datapilot-server | $up_mbps | $((rss_after / 1024)) (before: $((rss_before / 1024))) |
| download from datapilot-server | $down_mbps | |
| download from nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (sendfile) | $nginx_mbps | |

datapilot-server download / nginx: **${ratio}×**.

| lineage query on 100,000 edges (through HTTP, auth included) | median ms |
| --- | ---: |
$(printf '%s\n' "${lineage_rows[@]}")
TABLE
)
echo "$table"
{
  echo
  echo "## datapilot-server, $(date -u +%F)"
  echo
  echo "- machine: $(uname -srm), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
  echo "- build: release; Postgres $(psql --version | awk '{print $3}') private cluster (fsync off) on the same machine; repository $(git rev-parse --short HEAD)"
  echo "- method: wrk ${seconds}s per row, each request a new dataset (JSON validated, row + audit event in one transaction); curl for transfers"
  echo
  echo "$table"
} >>bench/RESULTS.md
log "appended to bench/RESULTS.md"
