#!/usr/bin/env bash
# Benchmark drift and plan on the 10,000-manifest repository of bench/apply: a drift scan of
# 10,000 live objects with 10 changed out of band (seconds, requests the scan sent, peak RSS),
# and `dpctl plan` between two commits of the repository (100 datasets changed) against the
# live server. Target: a drift scan under 2 s with a constant number of list requests per kind.
#
#   bench/drift/run.sh      # BENCH_COUNT=10000 BENCH_NO_RESULTS=1
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
count="${BENCH_COUNT:-10000}"
scratch="${BENCH_SCRATCH:-$root/.build/bench-release}"

bench_with_server drift "curl time" datapilot-server dpctl
api() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }

log "generating $count manifests and applying them (apply set bench)"
python3 "$root/bench/apply/generate.py" "$work/repo/manifests" "$count"
g() { bench_git "$work/repo" "$@"; }
g init -q -b main && g add -A && g commit -qm manifests
"$bin/dpctl" apply -f "$work/repo/manifests" -R --applyset bench --root "$work/repo" >"$work/apply.log" 2>&1 \
  || { tail -20 "$work/apply.log" >&2; exit 1; }

log "10 datasets changed out of band by another user"
other=$(api "$key" -X POST "$DATAPILOT_SERVER/auth/api-keys" -d '{"name": "someone else", "role": "editor"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
for i in $(seq 0 9); do
  name=$(printf 'ds-%05d' "$((i * 7))")
  api "$key" "$DATAPILOT_SERVER/api/datasets/$name" | python3 -c '
import json, sys
o = json.load(sys.stdin)
o["spec"]["owner"] = "rogue@example.com"
print(json.dumps({"metadata": {k: o["metadata"].get(k, {}) for k in ("name", "labels", "annotations")}, "spec": o["spec"]}))' \
    | api "$other" -X PUT "$DATAPILOT_SERVER/api/datasets/$name" --data-binary @- >/dev/null
done

# Requests the server answered, from its own metrics (http_server_requests_total; hb_requests
# on builds before 2026-11-30, for a BEFORE server).
requests() { curl -sf "$DATAPILOT_SERVER/metrics" | awk '/^(http_server_requests_total|hb_requests)\{/ {s += $NF} END {printf "%d", s}'; }

log "drift scan (dpctl drift --repo, apply set bench)"
before=$(requests)
t0=$(now)
set +e
/usr/bin/time -f '%M' -o "$work/rss-drift" "$bin/dpctl" drift --repo "$work/repo" --path manifests --applyset bench -o json >"$work/drift.json" 2>"$work/drift.err"
status=$?
set -e
drift_s=$(since "$t0")
after=$(requests)
[ "$status" = 1 ] || { cat "$work/drift.err" >&2; echo "expected exit 1 (drift), got $status" >&2; exit 1; }
drifted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["drifted"])' "$work/drift.json")
drift_requests=$((after - before))
drift_rss=$(( $(tail -1 "$work/rss-drift") / 1024 ))   # GNU time adds a "Command exited" line on exit 1

log "plan between two commits (100 datasets changed) against the server"
python3 - "$work/repo/manifests" <<'PY'
import os, re, sys
changed = 0
for name in sorted(os.listdir(sys.argv[1])):
    path = os.path.join(sys.argv[1], name)
    if not name.endswith(".yaml") or changed >= 100:
        continue
    text = open(path).read()
    new, n = re.subn(r"description: Synthetic dataset (\d+) ", lambda m: f"description: Synthetic dataset {m.group(1)} (revised) ", text, count=100 - changed)
    changed += n
    open(path, "w").write(new)
PY
g commit -qam "100 datasets described anew"
t0=$(now)
set +e
/usr/bin/time -f '%M' -o "$work/rss-plan" "$bin/dpctl" plan --repo "$work/repo" --base HEAD~1 --head HEAD --path manifests \
  --server "$DATAPILOT_SERVER" --applyset bench -o markdown >"$work/plan.md" 2>"$work/plan.err"
status=$?
set -e
plan_s=$(since "$t0")
[ "$status" = 1 ] || { cat "$work/plan.err" >&2; echo "expected exit 1 (changes), got $status" >&2; exit 1; }
plan_rss=$(( $(tail -1 "$work/rss-plan") / 1024 ))
plan_bytes=$(wc -c <"$work/plan.md")

summary="| drift scan of $count live objects, $drifted drifted | $drift_s s | $drift_requests requests | $drift_rss MiB |
| plan of two commits, 100 objects changed, against the server | $plan_s s | markdown $plan_bytes bytes | $plan_rss MiB |"
printf '%s\n' "$summary"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    printf '\n## dpctl drift and plan — %s\n\n' "$(date +%F)"
    printf 'Machine: %s; Postgres 15. Release build.\n\n' "$(machine_summary)"
    printf '| what | time | requests / size | peak RSS |\n|---|---|---|---|\n%s\n' "$summary"
  } >>"$results"
  log "appended to $results"
fi
