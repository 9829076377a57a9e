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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

size="${BENCH_BYTES:-1000000000}"
seed="${BENCH_SEED:-1}"
runs="${BENCH_RUNS:-3}"
results="$root/bench/RESULTS.md"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 not found"
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

# bench TOOL OUTFILE CMD...: 1 warm-up + RUNS timed runs; exit status 0 or 1 (checks failed) is fine
bench() {
  local tool="$1" out="$2"; shift 2
  local i wall rss rc
  for ((i = 0; i <= runs; i++)); do
    rc=0
    /usr/bin/time -v -o "$work/time.txt" "$@" > "$out" 2> "$work/stderr.txt" || rc=$?
    if [[ "$rc" != 0 && "$rc" != 1 ]]; then
      printf 'run.sh: %s exited with %s\n' "$tool" "$rc" >&2
      head -n 50 "$out" "$work/stderr.txt" >&2 || true
      exit 1
    fi
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j]; print s}' "$work/time.txt")"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
    if ((i == 0)); then
      log "$tool: warm-up ${wall}s, $((rss / 1024)) MiB"
    else
      log "$tool: run $i/$runs ${wall}s, $((rss / 1024)) MiB"
      printf '%s %s %s\n' "$tool" "$wall" "$rss" >> "$samples"
    fi
  done
}

log "dpctl quality check -f rules.yaml DATA -o json: 1 warm-up + $runs runs"
bench dpctl "$work/dpctl.json" "$dpctl" quality check -f "$here/rules.yaml" "$data" -o json
log "DuckDB (duckdb_checks.py): 1 warm-up + $runs runs"
bench duckdb "$work/duckdb.json" python3 "$here/duckdb_checks.py" "$data"

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
table="$(python3 - "$samples" "$n_bytes" <<'PY'
import statistics, sys
samples, nbytes = sys.argv[1], int(sys.argv[2])
by = {}
for line in open(samples):
    tool, wall, rss = line.split()
    by.setdefault(tool, []).append((float(wall), int(rss)))
names = {"dpctl": "`dpctl quality check` (1 thread)", "duckdb": "DuckDB, one query (all threads)"}
med = {}
print("| tool | median wall s | min wall s | peak RSS MiB | MB/s |")
print("| --- | ---: | ---: | ---: | ---: |")
for tool in ("dpctl", "duckdb"):
    walls = [w for w, _ in by[tool]]
    med[tool] = statistics.median(walls)
    rss = max(r for _, r in by[tool]) / 1024
    print("| %s | %.2f | %.2f | %.0f | %.1f |" % (names[tool], med[tool], min(walls), rss, nbytes / 1e6 / med[tool]))
ratio = med["duckdb"] / med["dpctl"]
print()
print("dpctl throughput / DuckDB throughput: **%.2f×**. Target at least 0.5×: **%s**."
      % (ratio, "met" if ratio >= 0.5 else "not met"))
PY
)"
printf '\n%s\n\n' "$table"

# 5. RESULTS.md
if [[ -n "${BENCH_NO_RESULTS:-}" ]]; then
  log "BENCH_NO_RESULTS set: not writing $results"
  exit 0
fi
cpu="$(grep -m1 -E '^(model name|Model|cpu model)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
mem_g="$(free -g | awk '/^Mem:/ {print $2}')"
swift_v="$( (swift --version 2>&1 || true) | grep -m1 -i 'swift' || echo unknown)"
duck_v="$(python3 -c 'import duckdb, sys; print("DuckDB %s (Python %s)" % (duckdb.__version__, sys.version.split()[0]))')"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
{
  printf '\n## dpctl quality check, %s\n\n' "$(date -u +%F)"
  printf -- '- machine: %s, %s CPUs (%s), %s GiB RAM\n' "$(uname -srm)" "$(nproc)" "${cpu:-unknown CPU}" "$mem_g"
  printf -- '- swift: %s; peer: %s\n' "$swift_v" "$duck_v"
  printf -- '- repository: %s\n' "$commit"
  printf -- '- data: `generate.py --bytes %s --seed %s`: %s MB of churn-like CSV; rule: `bench/quality/rules.yaml` (all 8 check types, 10 checks)\n' "$size" "$seed" "$mb"
  printf -- '- method: 1 warm-up + %s timed runs per tool; wall time and peak RSS from GNU time; both tools found the same counts\n\n' "$runs"
  printf '%s\n' "$table"
} >> "$results"
log "appended results to $results"
