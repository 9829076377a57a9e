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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

count="${BENCH_COUNT:-10000}"
seed="${BENCH_SEED:-1}"
runs="${BENCH_RUNS:-5}"
results="$root/bench/RESULTS.md"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 not found"
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

# Runs one command with stdin from /dev/null, stdout and stderr to the given
# files; prints "wall_seconds peak_rss_kib exit_code". Wall time comes from a
# monotonic clock (GNU time's %e follows the wall clock, which NTP can step),
# peak RSS from getrusage(RUSAGE_CHILDREN) of a process that has run only this
# one child.
cat > "$work/measure.py" <<'PY'
import resource, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e).returncode
    wall = time.perf_counter() - t0
print("%.4f %d %d" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
PY

samples="$work/samples.txt"
: > "$samples"

# bench TOOL OUTFILE CMD...   (OUTFILE: where the command's stdout goes)
bench() {
  local tool="$1" out="$2"; shift 2
  local i wall rss rc
  for ((i = 0; i <= runs; i++)); do
    read -r wall rss rc < <(python3 "$work/measure.py" "$out" "$work/stderr.txt" "$@")
    if [[ "$rc" != 0 ]]; then
      printf 'run.sh: %s exited with %s: %s\n' "$tool" "$rc" "$*" >&2
      if [[ "$out" == /dev/null ]]; then
        # show what it said: run it once more with its output kept
        "$@" > "$work/stdout.txt" 2>> /dev/null || true
        out="$work/stdout.txt"
      fi
      printf -- '--- stdout (first 100 lines)\n' >&2; head -n 100 "$out" >&2 || true
      printf -- '--- stderr (first 100 lines)\n' >&2; head -n 100 "$work/stderr.txt" >&2 || true
      exit 1
    fi
    if ((i == 0)); then
      log "$tool: warm-up ${wall}s, $((rss / 1024)) MiB"
    else
      log "$tool: run $i/$runs ${wall}s, $((rss / 1024)) MiB"
      printf '%s %s %s\n' "$tool" "$wall" "$rss" >> "$samples"
    fi
  done
}

# 3. the runs
log "dpctl validate -R -f DIR -o json: 1 warm-up + $runs runs"
bench dpctl /dev/null "$dpctl" validate -R -f "$repo" -o json
log "PyYAML CSafeLoader (pyyaml_load.py): 1 warm-up + $runs runs"
bench pyyaml "$work/pyyaml.out" python3 "$here/pyyaml_load.py" "$repo"
[[ "$(cat "$work/pyyaml.out")" == "$n_docs" ]] || die "pyyaml_load.py counted $(cat "$work/pyyaml.out") documents, expected $n_docs"

# 4. the table
table="$(python3 - "$samples" "$n_bytes" <<'PY'
import statistics, sys
samples, nbytes = sys.argv[1], int(sys.argv[2])
by = {}
for line in open(samples):
    tool, wall, rss = line.split()
    by.setdefault(tool, []).append((float(wall), int(rss)))
names = {"dpctl": "`dpctl validate -R -o json`", "pyyaml": "PyYAML `CSafeLoader` (parse only)"}
med = {}
print("| tool | median wall s | min wall s | peak RSS MiB | MB/s |")
print("| --- | ---: | ---: | ---: | ---: |")
for tool in ("dpctl", "pyyaml"):
    walls = [w for w, _ in by[tool]]
    med[tool] = statistics.median(walls)
    rss = max(r for _, r in by[tool]) / 1024
    print("| %s | %.3f | %.3f | %.1f | %.1f |" % (names[tool], med[tool], min(walls), rss, nbytes / 1e6 / med[tool]))
ratio = med["pyyaml"] / med["dpctl"]
print()
print("PyYAML median / dpctl median: **%.2f×** (above 1: dpctl is faster). "
      "Target: dpctl under 1 s and at least as fast as PyYAML: **%s**."
      % (ratio, "met" if med["dpctl"] < 1.0 and ratio >= 1.0 else "not met"))
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
pyyaml_v="$(python3 -c 'import yaml, sys; print("PyYAML %s (C loader), Python %s" % (yaml.__version__, sys.version.split()[0]))')"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
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
  printf -- '- machine: %s, %s CPUs (%s), %s GiB RAM\n' "$(uname -srm)" "$(nproc)" "${cpu:-unknown CPU}" "$mem_g"
  printf -- '- swift: %s\n' "$swift_v"
  printf -- '- peer: %s\n' "$pyyaml_v"
  printf -- '- repository: %s\n' "$commit"
  printf -- '- data: `generate.py --count %s --seed %s`: %s files, %s documents, %s MB\n' "$count" "$seed" "$n_files" "$n_docs" "$mb"
  printf -- '- method: 1 warm-up + %s timed runs per tool; wall time on a monotonic clock, peak RSS from getrusage\n\n' "$runs"
  printf '%s\n' "$table"
} >> "$results"
log "appended results to $results"
