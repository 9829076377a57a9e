#!/usr/bin/env bash
# The web UI's server time per page (p50/p95) and page weight with 10,000 datasets and 100,000
# audit events, beside the JSON API routes each page reads (the UI reads through the gateway's API
# with the user's token, so a page costs at least those). Release build, one server, its own
# listener as the UI's gateway.
#
#   bench/ui/run.sh        # BENCH_DATASETS=10000 BENCH_EVENTS=100000 BENCH_RUNS=20 BENCH_NO_RESULTS=1
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
datasets="${BENCH_DATASETS:-10000}" events="${BENCH_EVENTS:-100000}" runs="${BENCH_RUNS:-20}"
results="$root/bench/RESULTS.md"

# The checkpoint and the tail after it stay as set up below while the pages are timed.
export DATAPILOT_AUDIT_CHECKPOINT_SECONDS=3600 DATAPILOT_AUDIT_CHECKPOINT_EVENTS=1000000
bench_with_server ui "" datapilot-server
log "seeding $datasets datasets through the API"
python3 "$root/bench/ui/measure.py" seed "$base" "$key" "$datasets"
# The rest of the audit log in SQL, unsealed: the server's sealer chains them as it does any write.
have=$(psql -qAt "$DATAPILOT_TEST_DATABASE_URL" -c "select count(*) from audit_events")
more=$((events > have ? events - have : 0))
log "adding $more audit events (updates of the datasets) and waiting for the sealer"
psql -qAt "$DATAPILOT_TEST_DATABASE_URL" -c "
  insert into audit_events (occurred_at, time_text, actor, action, resource, request_id, outcome, diff, source)
  select now(), to_char(now() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'apikey:bench', 'update',
         'dataset/ds-' || lpad((i % $datasets)::text, 5, '0'), 'bench-' || i, 'success',
         '[{\"op\": \"replace\", \"path\": \"/spec/description\", \"old\": \"a\", \"new\": \"b\"}]'::jsonb, '{}'::jsonb
  from generate_series(1, $more) as i" >/dev/null
t0=$(now)
until [ "$(psql -qAt "$DATAPILOT_TEST_DATABASE_URL" -c 'select count(*) from audit_events where sequence is null')" = 0 ]; do sleep 0.5; done
log "sealed in $(since "$t0") s"
# As a running server stands: a checkpoint signed, then up to audit-checkpoint-events (1000) entries
# after it, which every page's chain status walks. 900 more here, the near-worst case.
curl -fsS -X POST -H "Authorization: Bearer $key" "$base/api/audit/checkpoints" >/dev/null
psql -qAt "$DATAPILOT_TEST_DATABASE_URL" -c "
  insert into audit_events (occurred_at, time_text, actor, action, resource, request_id, outcome, diff, source)
  select now(), to_char(now() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'apikey:bench', 'update',
         'dataset/ds-00001', 'bench-tail-' || i, 'success', '[]'::jsonb, '{}'::jsonb
  from generate_series(1, 900) as i" >/dev/null
until [ "$(psql -qAt "$DATAPILOT_TEST_DATABASE_URL" -c 'select count(*) from audit_events where sequence is null')" = 0 ]; do sleep 0.5; done
log "timing the pages, $runs requests each after 3 warm-up ones"
table=$(python3 "$root/bench/ui/measure.py" pages "$base" "$key" "$runs")
echo "$table"
if [ -z "${BENCH_NO_RESULTS:-}" ]; then
  {
    echo
    echo "## Web UI pages — $(date -u +%Y-%m-%d)"
    echo
    machine_items "the JSON API routes each page reads, timed in the same run"
    echo "- Postgres 15, fsync ${DATAPILOT_PG_FSYNC:-off}; release build; $datasets datasets, $events audit events (chain sealed);"
    echo "  a checkpoint signed, then 900 entries after it (the pages' chain status walks those; the checkpointer signs every 1000)."
    echo "  The UI sends a page's API reads at once; the API column sums them timed one by one."
    echo "  $runs sequential requests per row on one kept-alive connection, after 3 warm-up ones. The machine was shared"
    echo "  and loaded (other builds and tests running): absolute figures are noisy, compare within the table."
    echo
    echo "$table"
  } >>"$results"
  log "appended to bench/RESULTS.md"
fi
