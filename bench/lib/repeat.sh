# Sourced by the benchmarks that time a command against a peer tool: one
# warm-up and $runs timed runs each, and a table of the medians.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v python3 >/dev/null || die "python3 not found"

# repeat_runs TOOL OUT CMD...: CMD with stdout to OUT and stderr to $work/stderr.txt, measured by
# the script's `measure OUT CMD...` (prints "wall_seconds peak_rss_kib exit_status"); exit
# statuses listed in $ok_statuses (default 0) pass. Appends "TOOL wall rss" to $samples.
repeat_runs() {
  local tool="$1" out="$2"; shift 2
  local i wall rss rc
  for ((i = 0; i <= runs; i++)); do
    read -r wall rss rc < <(measure "$out" "$@")
    if [[ " ${ok_statuses:-0} " != *" $rc "* ]]; then
      printf 'run.sh: %s exited with %s: %s\n' "$tool" "$rc" "$*" >&2
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

# median_table DIGITS NBYTES TOOL LABEL TOOL LABEL: the markdown table of $samples, then a line
# `ratio R` with the second tool's median wall time over the first's.
median_table() {
  python3 - "$samples" "$@" <<'PY'
import statistics, sys
samples, digits, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tools = list(zip(sys.argv[4::2], sys.argv[5::2]))
by = {}
for line in open(samples):
    tool, wall, rss = line.split()
    by.setdefault(tool, []).append((float(wall), int(rss)))
med = {}
print("| tool | median wall s | min wall s | peak RSS MiB | MB/s |")
print("| --- | ---: | ---: | ---: | ---: |")
for tool, label in tools:
    walls = [w for w, _ in by[tool]]
    med[tool] = statistics.median(walls)
    rss = max(r for _, r in by[tool]) / 1024
    print("| %s | %.*f | %.*f | %.*f | %.1f |" % (label, digits, med[tool], digits, min(walls), max(digits - 2, 0), rss, nbytes / 1e6 / med[tool]))
print()
print("ratio %.4f" % (med[tools[1][0]] / med[tools[0][0]]))
PY
}
