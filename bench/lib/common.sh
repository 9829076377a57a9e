# Sourced (through server.sh or repeat.sh) by every bench/*/run.sh: the checkout, logging, a
# monotonic clock, loopback ports, and the machine a result was measured on. Sets `here` (the
# script's folder), `root` and `results`; cds to root.
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
results="$root/bench/RESULTS.md"
cd "$root"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# Seconds on a monotonic clock; `since T0` prints the seconds since T0 with two decimals.
now() { python3 -c 'import time; print(time.monotonic())'; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for URL [TRIES]: until URL answers 2xx, every 0.1 s (60 s by default); fails after.
wait_for() {
  local _
  for _ in $(seq "${2:-600}"); do curl -sf -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "not up: $1" >&2
  return 1
}

# One line about the machine and toolchain, for RESULTS.md.
machine_summary() {
  printf '%s cores, %s, %s; %s' "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" "$(uname -sr)" \
    "$( (swift --version 2>&1 || true) | grep -m1 -i swift || echo 'swift unknown')"
}

# The machine, swift and commit as RESULTS.md list items; PEER names the tool compared with.
machine_items() {
  local cpu
  cpu="$(grep -m1 -E '^(model name|Model|cpu model)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
  printf -- '- machine: %s, %s CPUs (%s), %s GiB RAM\n' "$(uname -srm)" "$(nproc)" "${cpu:-unknown CPU}" "$(free -g | awk '/^Mem:/ {print $2}')"
  printf -- '- swift: %s\n' "$( (swift --version 2>&1 || true) | grep -m1 -i 'swift' || echo unknown)"
  [ -n "${1:-}" ] && printf -- '- peer: %s\n' "$1"
  printf -- '- repository: %s\n' "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
}
