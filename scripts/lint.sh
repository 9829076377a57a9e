#!/usr/bin/env bash
# The formatting check of `make test` and CI: swift-format with the checked-in .swift-format,
# strict (any finding fails). `make format` fixes what it finds.
set -euo pipefail
cd "$(dirname "$0")/.."
findings=$(swift format lint --strict --recursive --parallel Sources Tests Package.swift 2>&1 || true)
if [ -n "$findings" ]; then
  echo "$findings" >&2
  echo "error: the code is not formatted as .swift-format says; run \`make format\` and commit the result" >&2
  exit 1
fi
echo ">> swift format lint: clean" >&2
