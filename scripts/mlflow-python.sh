#!/usr/bin/env bash
# Runs Python with the MLflow client (PyPI mlflow-skinny) importable, from a venv of its own
# installed on first use (scripts/lib/packages.sh: ensure_mlflow_client):
#
#   MLFLOW_TRACKING_URI=http://127.0.0.1:8080 MLFLOW_TRACKING_TOKEN=... scripts/mlflow-python.sh train.py
#
# The MLflow-compatible API's tests run their client scripts through it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/packages.sh"
ensure_mlflow_client >&2
# No usage telemetry: MLflow 3's telemetry thread sets and unsets an environment variable while
# the client reads os.environ (a test run failed with KeyError: '_MLFLOW_TELEMETRY_SESSION_ID'),
# and it would send data off this machine.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
exec "$datapilot_mlflow_client_venv/bin/python" "$@"
