#!/usr/bin/env bash
# Benchmark admission (issue 18): the time from a commit adding a ~100 MB dataset version to that
# version being Admitted, through `dpctl reconcile` and the server's evaluation workers, split into
# apply (fetch, upload, write) and evaluation, beside DuckDB computing the same checks' counts over
# the same file; then evaluation throughput with one worker and with two: versions stored while
# their dataset has no rule, then a rule applied, which queues all of them at once.
#
#   bench/admission/run.sh     # BENCH_BYTES=100000000 BENCH_VERSIONS=6 BENCH_VERSION_BYTES=20000000 BENCH_NO_RESULTS=1
#
# The rule is bench/quality/rules.yaml (every check type), so the evaluation does the work of
# bench/quality; DuckDB is its peer there too. Postgres runs with fsync ${DATAPILOT_PG_FSYNC:-off}.
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
bytes="${BENCH_BYTES:-100000000}"
versions="${BENCH_VERSIONS:-6}"
version_bytes="${BENCH_VERSION_BYTES:-20000000}"
quality="$root/bench/quality"

python3 -c 'import duckdb' 2>/dev/null || die "DuckDB for Python is required: python3 -m pip install duckdb"
bench_with_server admission "curl time" datapilot-server dpctl datapilot-reconciler
api() { curl -sf -H "Authorization: Bearer $key" "$base$1"; }
admission() { api "/api/datasets/$1/versions/$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["admission"]["state"])'; }

log "a repository: dataset churn and its rule; then a commit adding a $((bytes / 1000000)) MB version"
mkdir -p "$work/repo/m" "$work/repo/data"
cat >"$work/repo/m/churn.yaml" <<'YAML'
apiVersion: datapilot.io/v1alpha1
kind: Dataset
metadata:
  name: churn
spec:
  format: csv
  owner: bench@example.com
YAML
sed '/^#/d' "$quality/rules.yaml" >"$work/repo/m/rule.yaml"
g() { bench_git "$work/repo" "$@"; }
g init -q -b main && g add -A && g commit -qm "dataset and rule"
rport=$(free_port)
"$bin/dpctl" reconcile --repo "file://$work/repo" --name bench --interval 1s --resync 24h --database-url "$DATAPILOT_TEST_DATABASE_URL" \
  --cache-dir "$work/cache" --listen "127.0.0.1:$rport" >"$work/reconciler.log" 2>&1 &
bench_pids+=("$!")
rbase="http://127.0.0.1:$rport"
wait_for "$rbase/healthz" || { tail -20 "$work/reconciler.log" >&2; exit 1; }
applied() { curl -sf "$rbase/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sources"][0].get("lastAppliedCommit") or "")'; }
first=$(g rev-parse HEAD)
until [ "$(applied)" = "$first" ]; do sleep 0.1; done

python3 "$quality/generate.py" "$work/repo/data/churn-big.csv" --bytes "$bytes" --seed 1
mb=$(awk -v b="$(stat -c %s "$work/repo/data/churn-big.csv")" 'BEGIN {printf "%.1f", b / 1e6}')
cat >"$work/repo/m/churn-big.yaml" <<'YAML'
apiVersion: datapilot.io/v1alpha1
kind: DatasetVersion
metadata:
  name: churn-big
spec:
  dataset: churn
  source:
    path: ../data/churn-big.csv
YAML
g add -A && g commit -qm "a big version"
second=$(g rev-parse HEAD)
t0=$(now)
until [ "$(applied)" = "$second" ]; do sleep 0.05; done
apply_s=$(since "$t0")
until state=$(admission churn churn-big 2>/dev/null) && [ "$state" = Admitted -o "$state" = Quarantined ]; do sleep 0.05; done
total_s=$(since "$t0")
# The evaluation's own time, as the server recorded it (claimed -> finished).
evaluation_s=$(api "/api/evaluations?datasetVersion=churn-big" | python3 -c '
import json, sys, datetime
e = json.load(sys.stdin)["items"][-1]
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
print("%.2f" % (t(e["finishedAt"]) - t(e["createdAt"])).total_seconds())')
log "DuckDB over the same file (the same checks' counts, all threads)"
t1=$(now)
python3 "$quality/duckdb_checks.py" "$work/repo/data/churn-big.csv" >/dev/null
duckdb_s=$(since "$t1")

# Throughput: VERSIONS versions uploaded at once to a server with 1, then 2 workers.
throughput() {  # WORKERS DATASET: sets `took`, the seconds from the uploads to every version decided
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
  DATAPILOT_EVALUATION_WORKERS="$1" start_server
  api_post() { curl -sf -H "Authorization: Bearer $key" -H "Content-Type: application/json" -X POST "$base$1" -d "$2" >/dev/null; }
  api_post /api/datasets "{\"metadata\": {\"name\": \"$2\"}, \"spec\": {\"format\": \"csv\", \"owner\": \"bench@example.com\"}}"
  sed -e '/^#/d' -e "s/name: bench-churn/name: rule-$2/" -e "s/dataset: churn/dataset: $2/" "$quality/rules.yaml" >"$work/rule-$2.yaml"
  local i start
  # Stored while the dataset has no rules (Unchecked); the rule then queues every one at once.
  for i in $(seq "$versions"); do
    curl -sf -H "Authorization: Bearer $key" -H "Content-Type: text/csv" --data-binary @"$work/v$i.csv" \
      "$base/api/datasets/$2/versions/upload?name=$2-$i" >/dev/null
  done
  start=$(now)
  "$bin/dpctl" apply -f "$work/rule-$2.yaml" >/dev/null
  for i in $(seq "$versions"); do
    until state=$(admission "$2" "$2-$i" 2>/dev/null) && [ "$state" = Admitted -o "$state" = Quarantined ]; do sleep 0.05; done
  done
  took=$(since "$start")
}
log "$versions versions of $((version_bytes / 1000000)) MB, evaluated by one worker, then by two"
for i in $(seq "$versions"); do python3 "$quality/generate.py" "$work/v$i.csv" --bytes "$version_bytes" --seed "$((i + 10))"; done
kill "${bench_pids[@]: -1}" 2>/dev/null || true  # the reconciler: part one is done
throughput 1 tput-one; one_s=$took
throughput 2 tput-two; two_s=$took
total_mb=$(awk -v n="$versions" -v b="$version_bytes" 'BEGIN {printf "%.0f", n * b / 1e6}')

table=$(cat <<TABLE
| measure | DataPilot | peer | ratio |
|---|---|---|---|
| commit adding a $mb MB version -> applied (fetch, upload, write) | $apply_s s | | |
| commit -> Admitted (through the reconciler and a worker) | $total_s s | | |
| the evaluation alone (queued -> finished, as the server recorded it) | $evaluation_s s | DuckDB, same counts, all threads: $duckdb_s s | $(awk -v a="$evaluation_s" -v b="$duckdb_s" 'BEGIN {printf "%.2f", a / b}') |
| $versions stored versions ($total_mb MB) queued at once by a new rule -> all decided, 1 worker | $one_s s ($(awk -v m="$total_mb" -v s="$one_s" 'BEGIN {printf "%.0f", m / s}') MB/s) | | |
| the same, 2 workers | $two_s s ($(awk -v m="$total_mb" -v s="$two_s" 'BEGIN {printf "%.0f", m / s}') MB/s) | 1 worker | $(awk -v a="$one_s" -v b="$two_s" 'BEGIN {printf "%.2fx", a / b}') |
TABLE
)
echo "$table"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## Admission — $(date -u +%Y-%m-%d)"
    echo
    machine_items "DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)') over the same file"
    echo "- Postgres 15, fsync ${DATAPILOT_PG_FSYNC:-off}; release build; the rule: bench/quality/rules.yaml (every check type)"
    echo
    echo "$table"
  } >>"$results"
  log "appended to bench/RESULTS.md"
fi
