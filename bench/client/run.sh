#!/usr/bin/env bash
# How lean the client is: dpctl's release binary size (as built and stripped), the shared
# libraries it loads (ldd) and the startup time of `dpctl version` (median of BENCH_RUNS runs,
# hyperfine when installed). With BEFORE=/path/to/an/older/dpctl the same numbers for that binary
# and the ratios, e.g. for a build of the commit before the client stopped linking the server.
#
#   bench/client/run.sh                                   # this tree's dpctl, built -c release
#   BEFORE=/work/wt-before/.build/release/dpctl BEFORE_LABEL=a50f098 bench/client/run.sh
#   DPCTL=/path/dpctl (skip the build)  BENCH_RUNS=100  BENCH_NO_RESULTS=1 (print only)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
runs="${BENCH_RUNS:-100}"
log() { printf '==> %s\n' "$*" >&2; }

dpctl="${DPCTL:-}"
if [ -z "$dpctl" ]; then
  log "building dpctl: swift build -c release -j 1 --product dpctl"
  swift build -c release -j 1 --product dpctl >&2
  dpctl="$(swift build -c release --show-bin-path)/dpctl"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/dpctl-client-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# measure NAME BINARY: prints "bytes stripped_bytes libraries needed libpq".
measure() {
  local binary="$2" copy="$work/$1"
  cp "$binary" "$copy" && strip "$copy"
  local libraries needed libpq
  libraries=$(ldd "$binary" | grep -vc 'linux-vdso')
  needed=$(readelf -d "$binary" | grep -c NEEDED)
  libpq=$(ldd "$binary" | grep -q libpq && echo yes || echo no)
  echo "$(stat -c %s "$binary") $(stat -c %s "$copy") $libraries $needed $libpq"
}

# startup BINARY...: "median_ms min_ms" per binary, one line each. Without hyperfine the binaries
# take turns, run by run, so that a change in the machine's load touches all of them alike.
startup() {
  if command -v hyperfine >/dev/null; then
    local binary
    for binary in "$@"; do
      hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/hyperfine.json" "$binary version" >&2
      python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f %.2f" % (r["median"]*1000, r["min"]*1000))' "$work/hyperfine.json"
    done
  else
    python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, binaries = int(sys.argv[1]), sys.argv[2:]
samples = {binary: [] for binary in binaries}
for round in range(5 + runs):
    for binary in binaries:
        start = time.perf_counter()
        subprocess.run([binary, "version"], stdout=subprocess.DEVNULL, check=True)
        if round >= 5:
            samples[binary].append((time.perf_counter() - start) * 1000)
for binary in binaries:
    print(f"{statistics.median(samples[binary]):.2f} {min(samples[binary]):.2f}")
PY
  fi
}

read -r a_size a_stripped a_libs a_needed a_pq <<<"$(measure after "$dpctl")"
before="${BEFORE:-}"
if [ -n "$before" ]; then
  read -r b_size b_stripped b_libs b_needed b_pq <<<"$(measure before "$before")"
  log "timing $runs runs of dpctl version, $dpctl and $before taking turns"
  { read -r a_median a_min; read -r b_median b_min; } < <(startup "$dpctl" "$before")
else
  log "timing $runs runs of $dpctl version"
  read -r a_median a_min < <(startup "$dpctl")
fi

mb() { python3 -c "print(f'{$1/1e6:.1f}')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}×')"; }
{
  echo "## dpctl client: binary size and startup — $(date -u +%Y-%m-%d)"
  echo
  echo "- machine: $(uname -sr) $(uname -m), $(nproc) cores (shared with other builds), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "- swift: $(swift --version 2>/dev/null | head -1)"
  echo "- build: \`swift build -c release --product dpctl\`; stripped with \`strip\`; repository $(git rev-parse --short HEAD)"
  echo "- method: \`dpctl version\` run $runs times after 5 warm-up runs$(command -v hyperfine >/dev/null && echo ' (hyperfine -N)' || echo ', the binaries taking turns; wall time per run from Python (process start included)'); libraries: ldd lines (without the vDSO), NEEDED: readelf -d"
  echo
  if [ -n "$before" ]; then
    echo "| dpctl | ${BEFORE_LABEL:-before} | this tree | this / before |"
    echo "| --- | ---: | ---: | ---: |"
    echo "| binary MB | $(mb "$b_size") | $(mb "$a_size") | $(ratio "$a_size" "$b_size") |"
    echo "| stripped MB | $(mb "$b_stripped") | $(mb "$a_stripped") | $(ratio "$a_stripped" "$b_stripped") |"
    echo "| shared libraries (ldd) | $b_libs | $a_libs | $(ratio "$a_libs" "$b_libs") |"
    echo "| NEEDED entries | $b_needed | $a_needed | $(ratio "$a_needed" "$b_needed") |"
    echo "| links libpq | $b_pq | $a_pq | |"
    echo "| \`dpctl version\` median ms | $b_median | $a_median | $(ratio "$a_median" "$b_median") |"
    echo "| \`dpctl version\` min ms | $b_min | $a_min | $(ratio "$a_min" "$b_min") |"
  else
    echo "| dpctl | this tree |"
    echo "| --- | ---: |"
    echo "| binary MB | $(mb "$a_size") |"
    echo "| stripped MB | $(mb "$a_stripped") |"
    echo "| shared libraries (ldd) | $a_libs |"
    echo "| NEEDED entries | $a_needed |"
    echo "| links libpq | $a_pq |"
    echo "| \`dpctl version\` median ms | $a_median |"
    echo "| \`dpctl version\` min ms | $a_min |"
  fi
  echo
} >"$work/section.md"
cat "$work/section.md"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  cat "$work/section.md" >>"$root/bench/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
