#!/usr/bin/env bash
# Benchmark `dpctl validate` against PyYAML's C loader on 10,000 manifests.
#
#   bench/validate/run.sh            # from any directory
#
# Steps: build dpctl in release mode; generate the manifests (generate.py)
# into a temporary directory; run each tool once to warm up and then RUNS
# times, recording wall time (monotonic clock) and peak RSS of every run;
# print a markdown table and append it, with the machine and versions, to
# bench/RESULTS.md.
#
# Environment (all optional):
#   BENCH_COUNT=10000  manifests to generate
#   BENCH_SEED=1       generator seed
#   BENCH_RUNS=5       timed runs per tool (after one warm-up)
#   DPCTL=/path/dpctl  use this binary instead of building one
#   BENCH_NO_RESULTS=1 print the table but do not touch bench/RESULTS.md
set -euo pipefail
source "$(dirname "$0")/../lib/repeat.sh"

count="${BENCH_COUNT:-10000}"
seed="${BENCH_SEED:-1}"
runs="${BENCH_RUNS:-5}"

python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null \
  || die "PyYAML with the libyaml C loader is required (python3 -c 'import yaml; yaml.CSafeLoader' failed)"

# 1. dpctl, release build
if [[ -n "${DPCTL:-}" ]]; then
  dpctl="$DPCTL"
  log "using DPCTL=$dpctl (no build)"
else
  log "building dpctl: swift build -c release --product dpctl"
  swift build -c release --product dpctl >&2
  dpctl="$(swift build -c release --show-bin-path)/dpctl"
fi
[[ -x "$dpctl" ]] || die "dpctl binary not found at $dpctl"

# 2. the manifests
work="$(mktemp -d "${TMPDIR:-/tmp}/dpctl-validate-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
log "generating $count manifests (seed $seed) into $repo"
python3 "$here/generate.py" "$repo" --count "$count" --seed "$seed" >&2
n_files="$(find "$repo" -type f \( -name '*.yaml' -o -name '*.yml' \) | wc -l | tr -d ' ')"
n_bytes="$(find "$repo" -type f \( -name '*.yaml' -o -name '*.yml' \) -printf '%s\n' | awk '{s += $1} END {print s}')"
n_docs="$(python3 "$here/pyyaml_load.py" "$repo")"
mb="$(awk -v b="$n_bytes" 'BEGIN {printf "%.1f", b / 1e6}')"
log "dataset: $n_files files, $n_docs documents, $mb MB"

samples="$work/samples.txt"
: > "$samples"

# measure OUT CMD...: wall time on a monotonic clock and peak RSS (bench/lib/measure.py).
measure() { python3 "$root/bench/lib/measure.py" "$1" "$work/stderr.txt" "${@:2}"; }

# 3. the runs
log "dpctl validate -R -f DIR -o json: 1 warm-up + $runs runs"
repeat_runs dpctl "$work/dpctl.out" "$dpctl" validate -R -f "$repo" -o json
log "PyYAML CSafeLoader (pyyaml_load.py): 1 warm-up + $runs runs"
repeat_runs pyyaml "$work/pyyaml.out" python3 "$here/pyyaml_load.py" "$repo"
[[ "$(cat "$work/pyyaml.out")" == "$n_docs" ]] || die "pyyaml_load.py counted $(cat "$work/pyyaml.out") documents, expected $n_docs"

# 4. the table
table="$(median_table 3 "$n_bytes" dpctl "\`dpctl validate -R -o json\`" pyyaml "PyYAML \`CSafeLoader\` (parse only)")"
ratio="$(awk '/^ratio / {printf "%.2f", $2}' <<<"$table")"
dpctl_median="$(grep -F '`dpctl validate' <<<"$table" | awk -F' [|] ' '{print $2}')"
table="$(sed '/^ratio /d' <<<"$table")

PyYAML median / dpctl median: **${ratio}×** (above 1: dpctl is faster). Target: dpctl under 1 s and at least as fast as PyYAML: **$(awk -v m="$dpctl_median" -v r="$ratio" 'BEGIN {print (m < 1.0 && r >= 1.0) ? "met" : "not met"}')**."
printf '\n%s\n\n' "$table"

# 5. RESULTS.md
if [[ -n "${BENCH_NO_RESULTS:-}" ]]; then
  log "BENCH_NO_RESULTS set: not writing $results"
  exit 0
fi
pyyaml_v="$(python3 -c 'import yaml, sys; print("PyYAML %s (C loader), Python %s" % (yaml.__version__, sys.version.split()[0]))')"
if [[ ! -f "$results" ]]; then
  log "creating $results"
  cat > "$results" <<'MD'
# Benchmark results

Appended by the scripts under `bench/` (see `bench/README.md`); newest last.
Numbers are only comparable within one section: same machine, same data.
MD
fi
{
  printf '\n## dpctl validate, %s\n\n' "$(date -u +%F)"
  machine_items "$pyyaml_v"
  printf -- '- data: `generate.py --count %s --seed %s`: %s files, %s documents, %s MB\n' "$count" "$seed" "$n_files" "$n_docs" "$mb"
  printf -- '- method: 1 warm-up + %s timed runs per tool; wall time on a monotonic clock, peak RSS from getrusage\n\n' "$runs"
  printf '%s\n' "$table"
} >> "$results"
log "appended results to $results"
