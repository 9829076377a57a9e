#!/usr/bin/env bash
# Benchmark `dpctl quality check` against DuckDB computing the same checks over a ~1 GB CSV.
#
#   bench/quality/run.sh            # from any directory
#
# Steps: generate the CSV (generate.py, fixed seed); build dpctl in release mode in its own
# scratch folder; run `dpctl quality check -f rules.yaml` (every check type) and DuckDB
# (duckdb_checks.py: the same counts in one query, all threads) once to warm up and then RUNS
# times each, with wall time and peak RSS (/usr/bin/time -v); check that both found the same
# counts; print a markdown table with MB/s and the ratio and append it, with the machine, to
# bench/RESULTS.md.
#
# Environment (all optional):
#   BENCH_BYTES=1000000000  size of the generated CSV
#   BENCH_SEED=1            generator seed
#   BENCH_RUNS=3            timed runs per tool (after one warm-up)
#   BENCH_DATA=/path.csv    use this CSV (made by generate.py) instead of generating one
#   DPCTL=/path/dpctl       use this binary instead of building one
#   BENCH_NO_RESULTS=1      print the table but do not touch bench/RESULTS.md
set -euo pipefail
source "$(dirname "$0")/../lib/repeat.sh"

size="${BENCH_BYTES:-1000000000}"
seed="${BENCH_SEED:-1}"
runs="${BENCH_RUNS:-3}"

python3 -c 'import duckdb' 2>/dev/null || die "DuckDB for Python is required: python3 -m pip install duckdb (scripts/test.sh installs it)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is required for peak RSS"

work="$(mktemp -d "${TMPDIR:-/tmp}/dpctl-quality-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# 1. dpctl, release build in a scratch folder of its own
if [[ -n "${DPCTL:-}" ]]; then
  dpctl="$DPCTL"
  log "using DPCTL=$dpctl (no build)"
else
  scratch="${BENCH_SCRATCH:-${TMPDIR:-/tmp}/dpctl-quality-bench-build}"
  log "building dpctl: swift build -c release --product dpctl --scratch-path $scratch"
  swift build -c release --product dpctl --scratch-path "$scratch" >&2
  dpctl="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/dpctl"
fi
[[ -x "$dpctl" ]] || die "dpctl binary not found at $dpctl"

# 2. the data
if [[ -n "${BENCH_DATA:-}" ]]; then
  data="$BENCH_DATA"
  log "using BENCH_DATA=$data"
else
  data="$work/churn.csv"
  log "generating about $size bytes (seed $seed) into $data"
  python3 "$here/generate.py" "$data" --bytes "$size" --seed "$seed"
fi
n_bytes="$(stat -c %s "$data")"
mb="$(awk -v b="$n_bytes" 'BEGIN {printf "%.1f", b / 1e6}')"
log "data: $mb MB"

samples="$work/samples.txt"
: > "$samples"

# measure OUT CMD...: wall time and peak RSS from GNU time; exit status 1 (checks failed) is fine.
ok_statuses="0 1"
measure() {
  local out="$1" rc=0
  shift
  /usr/bin/time -v -o "$work/time.txt" "$@" > "$out" 2> "$work/stderr.txt" || rc=$?
  echo "$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j]; print s}' "$work/time.txt")" \
    "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")" "$rc"
}

log "dpctl quality check -f rules.yaml DATA -o json: 1 warm-up + $runs runs"
repeat_runs dpctl "$work/dpctl.json" "$dpctl" quality check -f "$here/rules.yaml" "$data" -o json
log "DuckDB (duckdb_checks.py): 1 warm-up + $runs runs"
repeat_runs duckdb "$work/duckdb.json" python3 "$here/duckdb_checks.py" "$data"

# 3. same answers
python3 - "$work/dpctl.json" "$work/duckdb.json" <<'PY' || die "dpctl and DuckDB disagree"
import json, sys
ours, theirs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = []
if ours["rows"] != theirs["rows"]:
    bad.append("rows: %s vs %s" % (ours["rows"], theirs["rows"]))
for c in ours["checks"]:
    if c["type"] == "rowCount":
        continue
    mine = c["observedValue"]["newest"] if c["type"] == "freshness" else c["unexpectedCount"]
    if mine != theirs[c["check"]]:
        bad.append("%s: %s vs %s" % (c["check"], mine, theirs[c["check"]]))
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
print("counts agree: %d rows, %d checks" % (ours["rows"], len(ours["checks"])), file=sys.stderr)
PY

# 4. the table
table="$(median_table 2 "$n_bytes" dpctl "\`dpctl quality check\` (1 thread)" duckdb "DuckDB, one query (all threads)")"
ratio="$(awk '/^ratio / {printf "%.2f", $2}' <<<"$table")"
table="$(sed '/^ratio /d' <<<"$table")

dpctl throughput / DuckDB throughput: **${ratio}×**. Target at least 0.5×: **$(awk -v r="$ratio" 'BEGIN {print (r >= 0.5) ? "met" : "not met"}')**."
printf '\n%s\n\n' "$table"

# 5. RESULTS.md
if [[ -n "${BENCH_NO_RESULTS:-}" ]]; then
  log "BENCH_NO_RESULTS set: not writing $results"
  exit 0
fi
duck_v="$(python3 -c 'import duckdb, sys; print("DuckDB %s (Python %s)" % (duckdb.__version__, sys.version.split()[0]))')"
{
  printf '\n## dpctl quality check, %s\n\n' "$(date -u +%F)"
  machine_items "$duck_v"
  printf -- '- data: `generate.py --bytes %s --seed %s`: %s MB of churn-like CSV; rule: `bench/quality/rules.yaml` (all 8 check types, 10 checks)\n' "$size" "$seed" "$mb"
  printf -- '- method: 1 warm-up + %s timed runs per tool; wall time and peak RSS from GNU time; both tools found the same counts\n\n' "$runs"
  printf '%s\n' "$table"
} >> "$results"
log "appended results to $results"
