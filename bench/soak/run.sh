#!/usr/bin/env bash
# Soak: a reconciler and a server under a commit a second (datasets added, edited and deleted)
# and concurrent API readers for BENCH_DURATION seconds, with faults on a schedule; reports
# commits pushed and applied, commit -> converged p50/p99 by minute, RSS and open descriptors
# of each process at start and end (growth per hour), errors by kind, and the final invariants.
#
#   bench/soak/run.sh        # BENCH_DURATION=600 (BENCH_CI=1: 60), BENCH_CLIENTS=4, BENCH_FAULT_EVERY=60 (CI: 20),
#                            # BENCH_FAULTS=git,postgres (or none), BENCH_BIN=DIR, BENCH_NO_RESULTS=1
#
# Faults: `git` stops git daemon for 5 s; `postgres` stops the private cluster (fast) for 3 s
# and starts it again; `reconciler` kills the reconciler (SIGKILL) and starts another. The
# measured processes survive the first two, so their RSS and descriptors are comparable from
# start to end; `reconciler` restarts it (its figures are then for the last one started).
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
if [ -n "${BENCH_CI:-}" ]; then duration="${BENCH_DURATION:-60}"; every="${BENCH_FAULT_EVERY:-20}"
else duration="${BENCH_DURATION:-600}"; every="${BENCH_FAULT_EVERY:-60}"; fi
clients="${BENCH_CLIENTS:-4}"
faults="${BENCH_FAULTS:-git,postgres}"

if [ -n "${BENCH_BIN:-}" ]; then
  datapilot_packages+=(curl)
  ensure_packages
  bin="$BENCH_BIN"
  bench_start soak
  start_server
else
  bench_with_server soak curl datapilot-server dpctl datapilot-reconciler
fi

log "a repository of 20 datasets served by git daemon"
mkdir -p "$work/work/manifests"
for i in $(seq -f '%06g' 1 20); do
  printf 'apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: soak-%s, labels: {soak: "yes"}}\nspec: {format: csv, owner: soak@example.com}\n' \
    "$i" >"$work/work/manifests/soak-$i.yaml"
done
g() { bench_git "$work/work" "$@"; }
g init -q -b main && g add -A && g commit -qm "20 datasets"
git init -q --bare "$work/served/repo.git"
g push -q "$work/served/repo.git" main
daemon_port=$(free_port)
cat >"$work/start-daemon.sh" <<DAEMON
"$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port=$daemon_port --base-path="$work/served" --export-all \
  --enable=receive-pack "$work/served" >>"$work/daemon.log" 2>&1 &
echo \$! >"$work/daemon.pid"
for _ in \$(seq 50); do git ls-remote git://127.0.0.1:$daemon_port/repo.git >/dev/null 2>&1 && break; sleep 0.1; done
DAEMON
bash "$work/start-daemon.sh"
remote="git://127.0.0.1:$daemon_port/repo.git"
g remote add origin "$remote"

rport=$(free_port)
cat >"$work/start-reconciler.sh" <<RECONCILER
DATAPILOT_SERVER="$DATAPILOT_SERVER" DATAPILOT_TOKEN="$DATAPILOT_TOKEN" "$bin/datapilot-reconciler" --repo "$remote" --name soak \
  --path manifests --interval 1s --prune --max-deletes 1000 --database-url "$DATAPILOT_TEST_DATABASE_URL" --cache-dir "$work/cache" \
  --listen "127.0.0.1:$rport" >>"$work/reconciler.log" 2>&1 &
echo \$! >"$work/reconciler.pid"
RECONCILER
bash "$work/start-reconciler.sh"
rbase="http://127.0.0.1:$rport"
wait_for "$rbase/healthz" || { tail -20 "$work/reconciler.log" >&2; exit 1; }
bench_stop_more() {
  kill -9 "$(cat "$work/daemon.pid" 2>/dev/null)" "$(cat "$work/reconciler.pid" 2>/dev/null)" 2>/dev/null || true
}
write_pids() { printf 'server %s\nreconciler %s\n' "$server_pid" "$(cat "$work/reconciler.pid")" >"$work/pids"; }
write_pids

bindir=$(pg_bindir)
cat >"$work/fault-git.sh" <<FAULT
kill -9 "\$(cat "$work/daemon.pid")"; sleep 5; bash "$work/start-daemon.sh"
FAULT
cat >"$work/fault-postgres.sh" <<FAULT
source "$root/scripts/lib/postgres.sh"
pg_as_owner "$bindir/pg_ctl" -D "$DATAPILOT_PG_DIR/data" -m fast -w stop >/dev/null
sleep 3
pg_as_owner "$bindir/pg_ctl" -D "$DATAPILOT_PG_DIR/data" -l "$DATAPILOT_PG_DIR/server.log" -w -t 60 \
  -o "-p $DATAPILOT_PG_PORT -k $DATAPILOT_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${DATAPILOT_PG_FSYNC:-off} -c full_page_writes=${DATAPILOT_PG_FSYNC:-off} -c max_connections=1000" start >/dev/null
FAULT
cat >"$work/fault-reconciler.sh" <<FAULT
kill -9 "\$(cat "$work/reconciler.pid")"; bash "$work/start-reconciler.sh"
printf 'server %s\nreconciler %s\n' "$server_pid" "\$(cat "$work/reconciler.pid")" >"$work/pids"
FAULT

log "first sync"
until curl -sf "$rbase/status" | grep -q '"result":"synced"'; do sleep 0.2; done
log "soak: $duration s, a commit a second, $clients API readers, faults ($faults) every $every s"
python3 "$here/soak.py" "$work" "$duration" "$every" "$clients" "$rbase" "$DATAPILOT_SERVER" "$DATAPILOT_TOKEN" "$faults"

log "final invariants"
head=$(g rev-parse HEAD)
converged=no
for _ in $(seq 600); do
  [ "$(curl -sf "$rbase/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sources"][0]["lastAppliedCommit"] or "")')" = "$head" ] \
    && { converged=yes; break; }
  sleep 0.1
done
diff_status=0
"$bin/dpctl" diff -R -f "$work/work/manifests" --applyset soak --prune >"$work/diff.txt" 2>&1 || diff_status=$?
verify=$(curl -sf -H "Authorization: Bearer $DATAPILOT_TOKEN" "$DATAPILOT_SERVER/api/audit/verify" \
  | python3 -c 'import json,sys; print("valid" if json.load(sys.stdin).get("valid") else "INVALID")' || echo "unreadable")
duplicates=$(python3 - "$DATAPILOT_SERVER" "$DATAPILOT_TOKEN" <<'PY'
import collections, json, sys, urllib.request
base, token = sys.argv[1:3]
seen, page = collections.Counter(), None
while True:
    url = base + "/api/audit/events?action=create&page_size=1000" + (f"&page_token={page}" if page else "")
    body = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + token})))
    seen.update(e.get("resource") for e in body["items"])
    page = body.get("next_page_token")
    if not page:
        break
print(sum(1 for n in seen.values() if n > 1))
PY
)
metric() { curl -sf "$1/metrics" | awk -v m="$2" '$1 ~ "^"m {s += $NF} END {printf "%d", s}'; }
syncs=$(curl -sf "$rbase/metrics" | awk '/^datapilot_syncs_total\{/ {split($0, a, "result=\""); split(a[2], b, "\""); n[b[1]] += $NF}
  END {for (k in n) printf "%s %d, ", k, n[k]}')
server_5xx=$(curl -sf "$DATAPILOT_SERVER/metrics" | awk '/^http_server_requests_total\{/ && /status_code="5/ {s += $NF} END {printf "%d", s}')

table=$(python3 - "$work/soak.json" "$converged" "$diff_status" "$verify" "$duplicates" "${syncs%, }" "$server_5xx" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
converged, diff, verify, duplicates, syncs, server_5xx = sys.argv[2:8]
def pick(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(q * len(xs))) - 1))] if xs else float("nan")
lat = data["latencies"]
print(f"| commits pushed | {data['commits']} (applied: {len(lat)}; not applied when the run ended: {data['unconverged']}) |")
print(f"| commit -> converged, whole run | p50 {pick([s for _, s in lat], 0.5):.2f} s, p99 {pick([s for _, s in lat], 0.99):.2f} s |")
minutes = sorted({int(t // 60) for t, _ in lat})
print("| ... by minute | " + "; ".join(
    f"{m}: p50 {pick([s for t, s in lat if int(t // 60) == m], 0.5):.2f} / p99 {pick([s for t, s in lat if int(t // 60) == m], 0.99):.2f}"
    for m in minutes) + " |")
first, last = data["samples"][0], data["samples"][-1]
hours = max(1e-9, (last["t"] - first["t"]) / 3600)
for name in ("server", "reconciler"):
    a, b = first.get(name), last.get(name)
    if not a or not b:
        print(f"| {name} | not sampled |")
        continue
    note = "" if a["pid"] == b["pid"] else " (restarted by a fault: the end is another process)"
    print(f"| {name} RSS | {a['rss_kib'] // 1024} MiB -> {b['rss_kib'] // 1024} MiB ({(b['rss_kib'] - a['rss_kib']) / 1024 / hours:+.0f} MiB/h){note} |")
    print(f"| {name} RSS: heap / mapped files / pack maps | {a.get('anon_kib', 0) // 1024} / {a.get('file_kib', 0) // 1024} MiB / {a.get('pack_maps', 0)} -> "
          f"{b.get('anon_kib', 0) // 1024} / {b.get('file_kib', 0) // 1024} MiB / {b.get('pack_maps', 0)} |")
    kinds = lambda x: ", ".join(f"{k} {v}" for k, v in sorted(x.get("kinds", {}).items()))
    print(f"| {name} open fds | {a['fds']} -> {b['fds']} ({(b['fds'] - a['fds']) / hours:+.0f}/h); at the end: {kinds(b)} |")
print("| faults | " + ", ".join(f"{f['fault']} at {f['at']:.0f} s" + ("" if f["status"] == 0 else " (FAILED)") for f in data["faults"]) + " |")
print(f"| API reads | {sum(data['requests'].values())} |")
print("| errors by kind | " + (", ".join(f"{k}: {v}" for k, v in sorted(data["errors"].items())) or "none") + f"; server 5xx answers: {server_5xx} |")
print(f"| reconciler syncs by result | {syncs} |")
print(f"| final invariants | head applied: {converged}; dpctl diff --prune: {'no difference' if diff == '0' else 'DIFFERS (exit ' + diff + ')'}; "
      f"audit chain: {verify}; objects created twice: {duplicates} |")
PY
)
echo "$table"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## Soak: reconciler and server under faults — $(date -u +%Y-%m-%d)"
    echo
    machine_items "none (a soak has no peer)"
    echo "- ${duration} s, a commit a second (two edits, an add, a delete past 50 datasets), $clients API readers, faults $faults every $every s; Postgres fsync ${DATAPILOT_PG_FSYNC:-off}; ${BENCH_BIN:+binaries: $BENCH_BIN}${BENCH_BIN:-release build}"
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "$table"
  } >>"$results"
  log "appended to bench/RESULTS.md"
fi
