#!/usr/bin/env bash
# Validates rendered Kubernetes YAML files offline, the way DataPilot's own deploy/ is checked:
#
#   scripts/validate-k8s.sh FILE...                      # rendered manifests, many documents per file
#   kubectl kustomize deploy/dev > /tmp/dev.yaml && scripts/validate-k8s.sh /tmp/dev.yaml
#   my-renderer job.yaml && scripts/validate-k8s.sh job.yaml   # e.g. a training run's batch/v1 Job
#
# 1. kubernetes-validate --strict against the Kubernetes $DATAPILOT_K8S_VERSION (default 1.37.0)
#    OpenAPI schemas: unknown fields, wrong types and missing required fields fail.
#    Objects of custom resource kinds have no schema there; only the kinds listed in
#    $DATAPILOT_K8S_SCHEMALESS (space-separated apiVersion/Kind, default: the CloudNativePG,
#    Prometheus Operator and kustomize kinds deploy/ and crds/ use) are let through unchecked,
#    and the script names them. Any other schemaless kind fails.
# 2. checkov (kubernetes framework) with deploy/checkov.yaml: any failed check fails. Checks
#    skipped there carry their reason; a resource can skip one with a checkov.io/skip annotation.
#
# Exit status: 0 when every file passes both, 1 when any fails, 2 for usage errors.
# The tools are installed on first use into a venv of their own (scripts/lib/packages.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
for f in "$@"; do [ -f "$f" ] || { echo "error: no such file: $f" >&2; exit 2; }; done

source "$root/scripts/lib/packages.sh"
ensure_k8s_tools
bin="$datapilot_k8s_tools_venv/bin"
version="${DATAPILOT_K8S_VERSION:-1.37.0}"
schemaless="${DATAPILOT_K8S_SCHEMALESS:-postgresql.cnpg.io/v1/Cluster postgresql.cnpg.io/v1/ScheduledBackup monitoring.coreos.com/v1/ServiceMonitor monitoring.coreos.com/v1/PrometheusRule kustomize.config.k8s.io/v1beta1/Kustomization}"
failed=0

echo ">> kubernetes-validate --strict (Kubernetes $version): $*" >&2
out="$("$bin/kubernetes-validate" --strict -k "$version" --quiet "$@" 2>&1)" || failed=1
if [ -n "$out" ]; then
  while IFS= read -r line; do
    if [[ "$line" =~ Couldn\'t\ find\ schema\ for\ kind\ ([A-Za-z0-9]+)\ with\ api\ version\ ([^ ]+) ]]; then
      kind="${BASH_REMATCH[2]}/${BASH_REMATCH[1]}"
      if [[ " $schemaless " == *" $kind "* ]]; then
        echo "   not schema-checked (custom resource, no schema offline): $kind" >&2
      else
        echo "$line" >&2
        echo "error: $kind has no Kubernetes schema and is not in DATAPILOT_K8S_SCHEMALESS" >&2
        failed=1
      fi
    else
      echo "$line" >&2
    fi
  done <<<"$out"
fi

echo ">> checkov (deploy/checkov.yaml): $*" >&2
# --skip-download: no calls home for guidelines; the checks ship with the package.
"$bin/checkov" --config-file "$root/deploy/checkov.yaml" -f "$@" --compact --quiet --skip-download -o cli >&2 || failed=1

if [ "$failed" -eq 0 ]; then echo "ok: $# file(s) valid for Kubernetes $version and pass checkov" >&2; fi
exit "$failed"
