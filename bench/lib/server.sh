# Sourced by the benchmarks that need the control plane: release builds, a
# scratch folder and a private Postgres removed on exit, and a datapilot-server on it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$root/scripts/lib/packages.sh"
source "$root/scripts/lib/postgres.sh"

# build_release PRODUCT...: release builds (in $scratch when set); sets `bin`, their folder.
build_release() {
  local product where=()
  [ -n "${scratch:-}" ] && where=(--scratch-path "$scratch")
  log "building $* (release${scratch:+, scratch path $scratch})"
  for product in "$@"; do swift build -c release "${where[@]}" --product "$product" >&2; done
  bin="$(swift build -c release "${where[@]}" --show-bin-path)"
}

# bench_start NAME: makes `work`, starts Postgres; on exit every process in `bench_pids` is
# killed, `bench_stop_more` (when a script defines it) runs, Postgres stops and `work` goes.
bench_pids=()
bench_start() {
  work="$(mktemp -d "/tmp/dp-$1-bench.XXXXXX")"
  trap bench_cleanup EXIT
  pg_start
}
bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
  declare -F bench_stop_more >/dev/null && bench_stop_more
  pg_stop
  rm -rf "$work"
}

# start_server: datapilot-server from $bin on a free port with 20 database connections; sets
# `key`, `base`, `server_pid`, exports DATAPILOT_SERVER, DATAPILOT_TOKEN and DATAPILOT_CONFIG.
start_server() {
  key="bench-admin-key-$(date +%s)-abcdef"
  local port
  port=$(free_port)
  DATAPILOT_BOOTSTRAP_ADMIN_KEY="$key" "$bin/datapilot-server" --port "$port" --database-url "$DATAPILOT_TEST_DATABASE_URL" \
    --data-dir "$work/data" --max-connections 20 >"$work/server.log" 2>&1 &
  server_pid=$!
  bench_pids+=("$server_pid")
  base="http://127.0.0.1:$port"
  export DATAPILOT_SERVER="$base" DATAPILOT_TOKEN="$key" DATAPILOT_CONFIG="$work/config.yaml"
  wait_for "$base/healthz" || { tail -20 "$work/server.log" >&2; exit 1; }
}

# bench_with_server NAME "PACKAGES" PRODUCT...: the packages the benchmark needs beside the
# project's, its release builds, then bench_start NAME and start_server.
bench_with_server() {
  local name="$1" more=()
  read -r -a more <<<"$2"
  datapilot_packages+=("${more[@]}")
  ensure_packages
  build_release "${@:3}"
  bench_start "$name"
  start_server
}

# bench_git FOLDER ARGS...: git in FOLDER as the benchmark's author.
bench_git() { git -C "$1" -c user.name=bench -c user.email=bench@example.com "${@:2}"; }
