# Installs the Debian packages DataPilot's build and tests need, when any is missing.
# Sourced by scripts/test.sh and scripts/demo.sh.
# openssh-server/-client: the git source tests run a private sshd and make keys with ssh-keygen.
# chromium: the drift tests render the HTML drift report headless (screenshot and DOM).
# bubblewrap: the local executor runs each job in a bwrap sandbox (user, pid, ipc namespaces).
# openssl: the Kubernetes executor tests make the fake API server's certificates.
# gpg, gpgv: sources with `verify: {provider: gpg}` check signatures with gpgv; tests sign commits with gpg.
# kubectl (>= 1.27, with kustomize v5 built in as `kubectl kustomize`): the deploy tests render
# deploy/ without a cluster. Debian's own kubernetes-client (1.20) is too old for deploy/.
# prometheus: its promtool checks both processes' /metrics and the alert rules (MetricsConventionTests).
# chromium-driver: the UI tests drive chromium through Selenium (Tests/UIBrowser).
# libfaketime: the clock fault tests run a private Postgres under it and jump its wall clock.
# iproute2: the partition fault test makes a network namespace and a veth pair with `ip`.
datapilot_packages=(git pkg-config libgit2-dev libpq-dev libcurl4-openssl-dev zlib1g-dev postgresql python3 make
                    openssh-server openssh-client chromium kubectl bubblewrap openssl gpg gpgv prometheus
                    chromium-driver libfaketime iproute2)

ensure_packages() {
  local missing=()
  for p in "${datapilot_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo ">> installing missing packages: ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; return 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Python peers the tests start (moto's S3 server, boto3 as an independent S3 client, duckdb
# as the independent reference for the quality engine's counts; jsonschema and pyyaml check
# generated manifests against schemas/ and crds/; sarif-pydantic and junitparser read
# `dpctl validate -o sarif|junit` back as CI tools would; selenium and axe-selenium-python drive
# the UI in chromium and check it with axe-core).
ensure_python_packages() {
  ensure_k8s_tools
  python3 -c 'import moto, boto3, flask, flask_cors, duckdb, securesystemslib, jsonschema, yaml, sarif_pydantic, junitparser, selenium, axe_selenium_python' 2>/dev/null && return 0
  echo ">> installing Python test peers: moto[server] boto3 duckdb securesystemslib jsonschema pyyaml sarif-pydantic junitparser selenium axe-selenium-python" >&2
  python3 -m pip install --quiet 'moto[server]' boto3 duckdb securesystemslib jsonschema pyyaml sarif-pydantic junitparser \
    selenium axe-selenium-python
}

# kubernetes-validate (offline schema validation) and checkov (security scan) for deploy/ and
# scripts/validate-k8s.sh, in a venv of their own: checkov pins versions of boto3 and friends that
# would clash with moto's. Pinned; installed once, then only checked.
datapilot_k8s_tools_venv="${DATAPILOT_K8S_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/datapilot/k8s-tools-venv}"
datapilot_k8s_tools=("kubernetes-validate==1.37.0" "checkov==3.3.30")
ensure_k8s_tools() { ensure_venv "$datapilot_k8s_tools_venv" 'import kubernetes_validate, checkov' "${datapilot_k8s_tools[@]}"; }

# ensure_venv VENV IMPORT PACKAGE...: a venv of its own holding exactly the pinned PACKAGEs
# (checked by running IMPORT and by the list recorded at install); installed once, then only checked.
ensure_venv() {
  local venv="$1" check="$2"
  shift 2
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null \
     && [ "$(cat "$venv/.datapilot-tools" 2>/dev/null)" = "$*" ]; then
    return 0
  fi
  echo ">> installing $* into $venv" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
  echo "$*" >"$venv/.datapilot-tools"
}

# The MLflow client (PyPI mlflow-skinny) for the MLflow-compatible API's tests
# (scripts/mlflow-python.sh), in a venv of its own: it pins versions its dependencies share with
# moto's. Pinned; installed once, then only checked.
datapilot_mlflow_client_venv="${DATAPILOT_MLFLOW_CLIENT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/datapilot/mlflow-client-venv}"
datapilot_mlflow_client=("mlflow-skinny==3.17.2")
ensure_mlflow_client() { ensure_venv "$datapilot_mlflow_client_venv" 'import mlflow' "${datapilot_mlflow_client[@]}"; }

# The OpenLineage client (PyPI openlineage-python) and jsonschema with its date-time and uri format
# checkers, for the OpenLineage tests (scripts/openlineage-python.sh), in a venv of its own. The
# client's wheel carries no JSON Schema files (its classes are generated from them), so the tests
# read the spec's schemas from Tests/OpenLineage/spec. Pinned; installed once, then only checked.
datapilot_openlineage_venv="${DATAPILOT_OPENLINEAGE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/datapilot/openlineage-venv}"
datapilot_openlineage=("openlineage-python==1.54.0" "jsonschema==4.26.0" "rfc3339-validator==0.1.4" "rfc3986-validator==0.1.1")
ensure_openlineage_client() {
  ensure_venv "$datapilot_openlineage_venv" 'import openlineage.client, jsonschema, rfc3339_validator, rfc3986_validator' "${datapilot_openlineage[@]}"
}
