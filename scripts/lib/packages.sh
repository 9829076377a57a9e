# Installs the Debian packages DataPilot's build and tests need, when any is missing.
# Sourced by scripts/test.sh and scripts/demo.sh.
# openssh-server/-client: the git source tests run a private sshd and make keys with ssh-keygen.
# chromium: the drift tests render the HTML drift report headless (screenshot and DOM).
datapilot_packages=(git pkg-config libgit2-dev libpq-dev libcurl4-openssl-dev zlib1g-dev postgresql python3 make openssh-server openssh-client chromium)

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
# as the independent reference for the quality engine's counts).
ensure_python_packages() {
  python3 -c 'import moto, boto3, flask, flask_cors, duckdb' 2>/dev/null && return 0
  echo ">> installing Python test peers: moto[server] boto3 duckdb" >&2
  python3 -m pip install --quiet 'moto[server]' boto3 duckdb
}
