#!/usr/bin/env bash
# Benchmark metric ingestion: points per second posted in batches of 1000 (1 and 4 concurrent
# clients) to datapilot-server on Postgres, side by side with an MLflow tracking server (from
# PyPI) on SQLite and on the same Postgres, in the same run, with the same client.
#
#   bench/metrics/run.sh          # BENCH_POINTS=200000
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
points="${BENCH_POINTS:-200000}"
# MLflow (server and client) sends no usage telemetry off this machine.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true

# MLflow's workers first (never `kill 0`: that would be this whole process group).
bench_stop_more() { [ -n "${mlflow_pid:-}" ] || return 0; pkill -9 -P "$mlflow_pid" 2>/dev/null; kill -9 "$mlflow_pid" 2>/dev/null || true; }
bench_with_server metrics "" datapilot-server
venv="${MLFLOW_VENV:-$root/.build-venv-mlflow}"
if ! "$venv/bin/python" -c 'import mlflow, psycopg' 2>/dev/null; then
  log "installing MLflow into $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'mlflow==3.*' 'psycopg[binary]'
fi
mlflow_version=$("$venv/bin/python" -c 'import mlflow; print(mlflow.__version__)')
api() { curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
api "$base/api/experiments" -d '{"metadata": {"name": "bench"}, "spec": {}}' >/dev/null

declare -a rows
datapilot() {  # clients
  local run="bench-$1"
  api "$base/api/experiments/bench/runs" -d "{\"name\": \"$run\"}" >/dev/null
  python3 "$here/client.py" datapilot "$base" "$key" "$run" "$points" "$1"
}
mlflow_run() {  # base clients
  local id
  id=$(curl -sf -H 'Content-Type: application/json' "$1/api/2.0/mlflow/runs/create" -d '{"experiment_id": "0"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"]["info"]["run_id"])')
  python3 "$here/client.py" mlflow "$1" - "$id" "$points" "$2"
}
start_mlflow() {  # backend-uri
  mlflow_port=$(free_port)
  "$venv/bin/mlflow" server --backend-store-uri "$1" --default-artifact-root "$work/mlruns" --host 127.0.0.1 --port "$mlflow_port" \
    --workers 4 >"$work/mlflow.log" 2>&1 &
  mlflow_pid=$!
  wait_for "http://127.0.0.1:$mlflow_port/health" || { tail -30 "$work/mlflow.log" >&2; exit 1; }
}
stop_mlflow() { pkill -9 -P "$mlflow_pid" 2>/dev/null || true; kill -9 "$mlflow_pid" 2>/dev/null || true; wait "$mlflow_pid" 2>/dev/null || true; }

for clients in 1 4; do
  log "datapilot-server: $points points, $clients clients"
  read -r dp _ < <(datapilot "$clients")
  dp_rss=$(awk '/VmHWM/ {print $2}' /proc/$server_pid/status)
  log "MLflow on SQLite: $points points, $clients clients"
  start_mlflow "sqlite:///$work/mlflow-$clients.db"
  ml_sqlite=""; read -r ml_sqlite _ < <(mlflow_run "http://127.0.0.1:$mlflow_port" "$clients")
  stop_mlflow
  log "MLflow on Postgres: $points points, $clients clients"
  createdb_url="${DATAPILOT_TEST_DATABASE_URL%/*}/mlflow_$clients"
  psql "$DATAPILOT_TEST_DATABASE_URL" -qc "create database mlflow_$clients" >/dev/null
  start_mlflow "$(sed -E 's#^postgres(ql)?://#postgresql+psycopg://#' <<<"$createdb_url")"
  ml_pg=""; read -r ml_pg _ < <(mlflow_run "http://127.0.0.1:$mlflow_port" "$clients")
  stop_mlflow
  # A peer that fails under the load (errors after retries) is recorded as failed, not timed.
  ml_sqlite="${ml_sqlite:-failed}"; ml_pg="${ml_pg:-failed}"
  rows+=("| $clients | $dp | $ml_sqlite | $ml_pg | $(awk -v a="$dp" -v b="$ml_sqlite" -v c="$ml_pg" 'BEGIN {m = (b + 0 > c + 0) ? b + 0 : c + 0; if (m > 0) printf "%.1f×", a / m; else printf "n/a"}') |")
done

machine="$(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
{
  echo
  echo "## Metric ingestion — $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $machine. $points points per measurement in batches of 1,000 over persistent connections (bench/metrics/client.py)."
  echo "datapilot-server (release) on a private Postgres 15; MLflow $mlflow_version \`mlflow server --workers 4\` on SQLite and on the same Postgres."
  echo "Each DataPilot batch is one transaction: bulk insert (idempotent on run, key, step, timestamp), heartbeat, one audit event."
  echo
  echo "| Clients | DataPilot points/s | MLflow (SQLite) points/s | MLflow (Postgres) points/s | DataPilot ÷ best MLflow |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "datapilot-server peak RSS: $(( dp_rss / 1024 )) MiB."
} | tee -a bench/RESULTS.md
