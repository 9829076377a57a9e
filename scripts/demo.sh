#!/usr/bin/env bash
# The project's main job on one machine (`make demo`): install what is missing, build, start a
# private Postgres and datapilot-server, turn examples/ into a local git repository, run
# `dpctl reconcile` until the first sync converges, commit a change and watch it converge, then
# show the reconciler's status, the audit events of the syncs, the lineage of one run, and one
# training run executed by the local executor (enabled explicitly for the demo: jobs run as
# `nobody` in a bubblewrap sandbox; see docs/security.md).
#
#   scripts/demo.sh          # everything is stopped and removed at the end
#   scripts/demo.sh --keep   # leave it running; `scripts/demo.sh stop` stops it
#   scripts/demo.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
state_file="${TMPDIR:-/tmp}/datapilot-demo.state"
say() { printf '\n\033[1m>> %s\033[0m\n' "$*" >&2; }

stop_all() {
  [ -f "$state_file" ] || { echo "no demo is running" >&2; return 0; }
  # shellcheck disable=SC1090
  source "$state_file"
  for pid in ${DEMO_PIDS:-}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${DEMO_PIDS:-}; do for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  source scripts/lib/postgres.sh
  DATAPILOT_PG_DIR="$DEMO_PG_DIR" pg_stop
  rm -rf "$DEMO_DIR" "${DEMO_CODE:-}" "$state_file"
  echo "stopped the demo (server, reconciler, Postgres) and removed $DEMO_DIR" >&2
}

if [ "${1:-}" = stop ]; then stop_all; exit 0; fi
keep=false
[ "${1:-}" = --keep ] && keep=true
[ -f "$state_file" ] && { echo "a demo is already running; stop it with: scripts/demo.sh stop" >&2; exit 1; }

source scripts/lib/packages.sh
ensure_packages
say "building dpctl, datapilot-reconciler (dpctl reconcile runs it) and datapilot-server"
swift build --product dpctl >/dev/null
swift build --product datapilot-reconciler >/dev/null
swift build --product datapilot-server >/dev/null
bin="$(swift build --show-bin-path)"
export PATH="$bin:$PATH"

demo=$(mktemp -d /tmp/datapilot-demo.XXXXXX)
chmod 711 "$demo"  # the local executor's jobs (user nobody) pass through to their work folders under it
source scripts/lib/postgres.sh
pg_start
pids=""
save_state() {
  printf 'DEMO_PIDS="%s"\nDEMO_PG_DIR="%s"\nDEMO_DIR="%s"\nDEMO_CODE="%s"\n' "$pids" "$DATAPILOT_PG_DIR" "$demo" "${code:-}" >"$state_file"
}
save_state
$keep || trap 'stop_all' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

say "starting datapilot-server"
server_port=$(free_port)
# Chosen now: the server forwards /api/reconciler/ (the web UI's Sources pages) to the reconciler started below.
reconciler_port=$(free_port)
key="demo-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The training code, where the job's user may read it: the sandbox binds it read-only.
code=$(mktemp -d /tmp/datapilot-demo-code.XXXXXX)
cp examples/training/train.py "$code/"
chmod 755 "$code"; chmod 644 "$code/train.py"
# Execution is off unless an operator enables an executor; the demo runs one trusted user's jobs here.
DATAPILOT_BOOTSTRAP_ADMIN_KEY="$key" datapilot-server --port "$server_port" --database-url "$DATAPILOT_TEST_DATABASE_URL" \
  --data-dir "$demo/server" --executors local --executor-read-only-paths "$code" \
  --reconciler-url "http://127.0.0.1:$reconciler_port" >"$demo/server.log" 2>&1 &
pids="$pids $!"; save_state
export DATAPILOT_SERVER="http://127.0.0.1:$server_port" DATAPILOT_TOKEN="$key" DATAPILOT_CONFIG="$demo/dpctl-config.yaml"
for _ in $(seq 100); do curl -sf "$DATAPILOT_SERVER/readyz" >/dev/null && break; sleep 0.1; done
echo "datapilot-server on $DATAPILOT_SERVER (log: $demo/server.log)" >&2

say "turning examples/ into a git repository"
mkdir -p "$demo/repo"
cp -r examples "$demo/repo/"
git -C "$demo/repo" init -q -b main
git -C "$demo/repo" add -A
git -C "$demo/repo" -c user.name="Ada Lovelace" -c user.email=ada@example.com commit -qm "Add the churn examples"
first=$(git -C "$demo/repo" rev-parse HEAD)
echo "$demo/repo at $first" >&2

say "dpctl reconcile --repo file://$demo/repo --path examples --interval 2s --prune"
export DATAPILOT_RECONCILER="http://127.0.0.1:$reconciler_port"
dpctl reconcile --repo "file://$demo/repo" --path examples --name examples --interval 2s --prune \
  --database-url "$DATAPILOT_TEST_DATABASE_URL" --listen "127.0.0.1:$reconciler_port" --cache-dir "$demo/cache" >"$demo/reconciler.log" 2>&1 &
pids="$pids $!"; save_state
converged() {  # waits until the source has applied commit $1
  for _ in $(seq 600); do
    applied=$(curl -sf "$DATAPILOT_RECONCILER/status" | python3 -c 'import json,sys; s=json.load(sys.stdin)["sources"]; print(s[0]["lastAppliedCommit"] if s else "")' 2>/dev/null || true)
    [ "$applied" = "$1" ] && return 0
    sleep 0.1
  done
  echo "the reconciler did not converge on $1; its log:" >&2; tail -20 "$demo/reconciler.log" >&2; return 1
}
converged "$first"
dpctl status
dpctl get datasets

say "a commit that changes something: churn gets its own team, and a rule is dropped"
sed -i 's/owner: growth-analytics@example.com/owner: churn-team@example.com/' "$demo/repo/examples/datasets/churn.yaml"
git -C "$demo/repo" rm -q examples/quality/churn-hygiene.yaml
git -C "$demo/repo" -c user.name="Grace Hopper" -c user.email=grace@example.com commit -qam "Hand churn to its team; retire the hygiene rule"
second=$(git -C "$demo/repo" rev-parse HEAD)
start=$(date +%s.%N)
converged "$second"
echo "converged on $second in $(python3 -c "import time; print(round(time.time() - $start, 2))") s (polling every 2 s)" >&2
dpctl status

say "the governance loop: the hygiene rule returns with a November snapshot that has an unknown plan"
health_is() {  # waits until the source has applied commit $1 and its objects' health is $2
  for _ in $(seq 600); do
    seen=$(curl -sf "$DATAPILOT_RECONCILER/status" | python3 -c 'import json,sys; s=json.load(sys.stdin)["sources"][0]; print(s.get("lastAppliedCommit"), s.get("health"))' 2>/dev/null || true)
    [ "$seen" = "$1 $2" ] && return 0
    sleep 0.1
  done
  echo "the source did not reach $2 on $1 (saw: $seen); the reconciler's log:" >&2; tail -20 "$demo/reconciler.log" >&2; return 1
}
git -C "$demo/repo" checkout -q "$first" -- examples/quality/churn-hygiene.yaml
sed 's/,enterprise,/,platinum,/' examples/data/churn-2026-10.csv >"$demo/repo/examples/data/churn-2026-11.csv"
cat >"$demo/repo/examples/versions/churn-2026-11.yaml" <<'YAML'
apiVersion: datapilot.io/v1alpha1
kind: DatasetVersion
metadata:
  name: churn-2026-11
spec:
  dataset: churn
  description: November 2026 snapshot; billing added a plan
  source:
    path: ../data/churn-2026-11.csv
YAML
git -C "$demo/repo" add -A
git -C "$demo/repo" -c user.name="Ada Lovelace" -c user.email=ada@example.com commit -qm "November snapshot; hygiene rule back"
third=$(git -C "$demo/repo" rev-parse HEAD)
health_is "$third" Degraded
dpctl status || true
dpctl get datasetversions
echo "a run reading the quarantined version is refused:" >&2
curl -s -H "Authorization: Bearer $key" -H "Content-Type: application/json" -X POST "$DATAPILOT_SERVER/api/experiments/churn-baselines/runs" \
  -d '{"name": "churn-on-november", "inputs": [{"datasetVersion": "churn-2026-11"}]}' | python3 -c 'import json,sys; p=json.load(sys.stdin); print("  %s %s: %s" % (p.get("status"), p.get("title"), p.get("detail")))'

say "the fix: platinum is a real plan; the rule changes and the November snapshot is evaluated again"
sed -i 's/values: \[free, pro, enterprise\]/values: [free, pro, enterprise, platinum]/' "$demo/repo/examples/quality/churn-hygiene.yaml"
grep -q platinum "$demo/repo/examples/quality/churn-hygiene.yaml" || { echo "the demo could not edit churn-hygiene.yaml" >&2; exit 1; }
git -C "$demo/repo" -c user.name="Grace Hopper" -c user.email=grace@example.com commit -qam "churn-hygiene: platinum is a plan"
fourth=$(git -C "$demo/repo" rev-parse HEAD)
health_is "$fourth" Healthy
dpctl status
dpctl get datasetversions

say "the audit log: the syncs and what they changed"
curl -sf -H "Authorization: Bearer $key" "$DATAPILOT_SERVER/api/audit/events?page_size=1000" >"$demo/audit.json"
python3 - "$demo/audit.json" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1]))["items"]:
    if e["action"] in ("sync", "update", "delete", "admit", "quarantine"):
        source = e.get("source") or {}
        commit = str(source.get("commit", ""))[:12]
        print("%4d  %-6s  %-34s  commit %s  by %s" % (e["sequence"], e["action"], e["resource"], commit, source.get("author", e["actor"])))
PY

say "lineage of run/churn-baselines-gbm"
curl -sf -H "Authorization: Bearer $key" "$DATAPILOT_SERVER/api/lineage/graph?node=run/churn-baselines-gbm&direction=both&depth=2" >"$demo/lineage.json"
python3 - "$demo/lineage.json" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])).get("edges", []):
    print("  %-40s -%s-> %s" % (e["from"], e["relation"], e["to"]))
PY

say "executing run churn-train-demo with the local executor (train.py, standard library only)"
curl -sf -H "Authorization: Bearer $key" -H "Content-Type: application/json" -X POST "$DATAPILOT_SERVER/api/experiments/churn-baselines/runs" -d @- >/dev/null <<JSON
{"name": "churn-train-demo", "inputs": [{"datasetVersion": "churn-2026-09"}, {"datasetVersion": "churn-2026-10"}],
 "command": ["python3", "$code/train.py"],
 "params": {"train_version": "churn-2026-09", "eval_version": "churn-2026-10", "max_iter": 60, "C": 1.0}}
JSON
curl -sf -H "Authorization: Bearer $key" -H "Content-Type: application/json" -X POST "$DATAPILOT_SERVER/api/experiments/runs:execute" \
  -d '{"run": "churn-train-demo"}' >/dev/null
state=""
for _ in $(seq 600); do
  state=$(curl -sf -H "Authorization: Bearer $key" "$DATAPILOT_SERVER/api/experiment-runs/churn-train-demo" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["state"])')
  case "$state" in SUCCEEDED|FAILED|CANCELLED|LOST) break ;; esac
  sleep 0.2
done
curl -sf -H "Authorization: Bearer $key" "$DATAPILOT_SERVER/api/experiment-runs/churn-train-demo/metrics" >"$demo/metrics.json"
python3 - "$state" "$demo/metrics.json" <<'PY'
import json, sys
print("  run churn-train-demo: %s" % sys.argv[1])
for m in json.load(open(sys.argv[2])).get("items", []):
    print("  %-14s %.4f (step %d)" % (m["key"], m["value"], m["step"]))
PY
[ "$state" = SUCCEEDED ] || { echo "the training run did not succeed; its log:" >&2
  curl -s -H "Authorization: Bearer $key" "$DATAPILOT_SERVER/api/experiment-runs/churn-train-demo/artifacts/run.log" >&2; exit 1; }

say "the web UI: $DATAPILOT_SERVER/ui/ (sign in with the API key $key)"
if $keep; then
  cat >&2 <<MSG

The demo keeps running:
  web UI             $DATAPILOT_SERVER/ui/   (sign in with the API key $key)
  datapilot-server   $DATAPILOT_SERVER   (token: $key)
  dpctl reconcile    $DATAPILOT_RECONCILER   (dpctl status)
  Postgres           $DATAPILOT_TEST_DATABASE_URL
  git repository     $demo/repo   (commit there and watch: dpctl status)
Stop everything with: scripts/demo.sh stop
MSG
else
  say "done; stopping the server, the reconciler and Postgres (run with --keep to leave them up)"
fi
