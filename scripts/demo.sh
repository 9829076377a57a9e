#!/usr/bin/env bash
# The project's main job (`make demo`). Today: build dpctl and validate the example manifests
# repository. The control plane and the reconciler come next (see ARCHITECTURE.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
ensure_packages

echo ">> building dpctl" >&2
swift build --product dpctl >/dev/null
dpctl="$(swift build --show-bin-path)/dpctl"

echo ">> dpctl validate -R -f examples/" >&2
"$dpctl" validate -R -f examples/

echo ">> a broken manifest, to show what errors look like:" >&2
broken=$(mktemp -d)
trap 'rm -rf "$broken"' EXIT
sed -e 's/format: csv/format: cvs/' -e 's/owner: /ownr: /' examples/datasets/churn.yaml >"$broken/churn.yaml"
"$dpctl" validate -f "$broken/churn.yaml" || echo "(exit status $? - nothing would have been applied)" >&2

cat >&2 <<'MSG'

Next: datapilot-server (the control plane) and `dpctl reconcile` (the GitOps loop) are being
built; see ARCHITECTURE.md for the map and what exists today.
MSG
