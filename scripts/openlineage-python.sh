#!/usr/bin/env bash
# Runs Python with the OpenLineage client (PyPI openlineage-python) and jsonschema importable, from a venv of its own installed
# on first use (scripts/lib/packages.sh: ensure_openlineage_client):
#
#   scripts/openlineage-python.sh Tests/OpenLineage/validate_events.py events.jsonl
#
# The OpenLineage tests run their validator and client scripts through it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/packages.sh"
ensure_openlineage_client >&2
exec "$datapilot_openlineage_venv/bin/python" "$@"
