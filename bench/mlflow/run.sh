#!/usr/bin/env bash
# Benchmark metric ingest through the MLflow client (PyPI mlflow-skinny, scripts/mlflow-python.sh's
# venv): datapilot-server's MLflow-compatible API on Postgres, side by side with a real
# `mlflow server` (PyPI mlflow, a venv of its own) on SQLite and on the same Postgres, in the same
# run, with the same client script (bench/mlflow/ingest.py).
#
#   bench/mlflow/run.sh     # BENCH_POINTS=50000 (log_batch, 1,000 a call), BENCH_SINGLE=2000 (log_metric, one a call)
#
# MLFLOW_VENV=/path reuses a venv with mlflow and psycopg; `scratch=/path` a release build folder.
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
points="${BENCH_POINTS:-50000}"
single="${BENCH_SINGLE:-2000}"

bench_stop_more() { [ -n "${mlflow_pid:-}" ] || return 0; pkill -9 -P "$mlflow_pid" 2>/dev/null; kill -9 "$mlflow_pid" 2>/dev/null || true; }
bench_with_server mlflow "" datapilot-server
ensure_mlflow_client
client="$datapilot_mlflow_client_venv/bin/python"
venv="${MLFLOW_VENV:-$root/.build-venv-mlflow}"
if ! "$venv/bin/python" -c 'import mlflow.server, psycopg' 2>/dev/null; then
  log "installing MLflow into $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'mlflow==3.17.2' 'psycopg[binary]'
fi
mlflow_version=$("$venv/bin/python" -c 'import mlflow; print(mlflow.__version__)')
client_version=$("$client" -c 'import mlflow; print(mlflow.__version__)')

start_mlflow() {  # backend-uri
  mlflow_port=$(free_port)
  "$venv/bin/mlflow" server --backend-store-uri "$1" --default-artifact-root "$work/mlruns" --host 127.0.0.1 --port "$mlflow_port" \
    --workers 4 >"$work/mlflow.log" 2>&1 &
  mlflow_pid=$!
  wait_for "http://127.0.0.1:$mlflow_port/health" || { tail -30 "$work/mlflow.log" >&2; exit 1; }
}
stop_mlflow() { pkill -9 -P "$mlflow_pid" 2>/dev/null || true; kill -9 "$mlflow_pid" 2>/dev/null || true; wait "$mlflow_pid" 2>/dev/null || true; }
ingest() {  # uri token mode count -> points/s ("failed" when the client fails)
  # The client prints its own lines ("View run ...") before ingest.py's last one.
  "$client" "$here/ingest.py" "$1" "$2" "$4" "$3" 2>>"$work/client.log" | tail -1 | awk '{print $1}' || echo failed
}

declare -A dp ml_sqlite ml_pg
for mode in batch single; do
  count=$([ "$mode" = batch ] && echo "$points" || echo "$single")
  log "datapilot-server: $count points, $mode"
  dp[$mode]=$(ingest "$base" "$key" "$mode" "$count")
done
dp_rss=$(awk '/VmHWM/ {print $2}' /proc/$server_pid/status)
start_mlflow "sqlite:///$work/mlflow.db"
for mode in batch single; do
  count=$([ "$mode" = batch ] && echo "$points" || echo "$single")
  log "MLflow on SQLite: $count points, $mode"
  ml_sqlite[$mode]=$(ingest "http://127.0.0.1:$mlflow_port" - "$mode" "$count")
done
stop_mlflow
psql "$DATAPILOT_TEST_DATABASE_URL" -qc "create database mlflow_bench" >/dev/null
start_mlflow "$(sed -E 's#^postgres(ql)?://#postgresql+psycopg://#' <<<"${DATAPILOT_TEST_DATABASE_URL%/*}/mlflow_bench")"
for mode in batch single; do
  count=$([ "$mode" = batch ] && echo "$points" || echo "$single")
  log "MLflow on Postgres: $count points, $mode"
  ml_pg[$mode]=$(ingest "http://127.0.0.1:$mlflow_port" - "$mode" "$count")
done
stop_mlflow

ratio() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN {m = (b + 0 > c + 0) ? b + 0 : c + 0; if (a + 0 > 0 && m > 0) printf "%.2f×", a / m; else printf "n/a"}'; }
{
  echo
  echo "## Metric ingest through the MLflow client — $(date -u +%Y-%m-%d)"
  echo
  machine_items "MLflow $mlflow_version \`mlflow server --workers 4\` on SQLite and on the same Postgres"
  echo "- client: mlflow-skinny $client_version, bench/mlflow/ingest.py, one process; datapilot-server (release) on a private Postgres,"
  echo "  reached through its MLflow-compatible API (/api/2.0/mlflow) with an API key"
  echo
  echo "| Calls | Points | DataPilot points/s | MLflow (SQLite) points/s | MLflow (Postgres) points/s | DataPilot ÷ best MLflow |"
  echo "|---|---|---|---|---|---|"
  echo "| log_batch, 1,000 a call | $points | ${dp[batch]} | ${ml_sqlite[batch]} | ${ml_pg[batch]} | $(ratio "${dp[batch]}" "${ml_sqlite[batch]}" "${ml_pg[batch]}") |"
  echo "| log_metric, one a call | $single | ${dp[single]} | ${ml_sqlite[single]} | ${ml_pg[single]} | $(ratio "${dp[single]}" "${ml_sqlite[single]}" "${ml_pg[single]}") |"
  echo
  echo "datapilot-server peak RSS: $(( dp_rss / 1024 )) MiB. Each DataPilot call is one transaction with its audit event;"
  echo "a log_batch's points go in with one bulk insert."
} | tee -a bench/RESULTS.md
