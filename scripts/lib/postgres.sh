# A private, throwaway Postgres cluster: its own data directory, socket directory and port,
# room for 1,000 connections (Swift Testing starts every test at once: about a hundred servers,
# each with its pool),
# never the machine's own server. Root-safe: as root the server runs as the `postgres` user.
# Sourced; sets DATAPILOT_PG_DIR, DATAPILOT_PG_PORT and DATAPILOT_TEST_DATABASE_URL.
# DATAPILOT_PG_FSYNC=on makes it durable (fsync and full_page_writes on; off by default, for speed).

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  echo "error: no PostgreSQL server binaries (initdb) found; install the postgresql package" >&2
  return 1
}

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start() {
  local bindir
  bindir=$(pg_bindir) || return 1
  DATAPILOT_PG_DIR=$(mktemp -d /tmp/datapilot-pg.XXXXXX)
  chmod 755 "$DATAPILOT_PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATAPILOT_PG_DIR"
  DATAPILOT_PG_PORT=$(pg_free_port)
  pg_as_owner "$bindir/initdb" -D "$DATAPILOT_PG_DIR/data" -U datapilot --auth=trust -E UTF8 --no-locale --no-sync >"$DATAPILOT_PG_DIR/initdb.log" 2>&1 \
    || { cat "$DATAPILOT_PG_DIR/initdb.log" >&2; return 1; }
  pg_as_owner "$bindir/pg_ctl" -D "$DATAPILOT_PG_DIR/data" -l "$DATAPILOT_PG_DIR/server.log" -w -t 60 \
    -o "-p $DATAPILOT_PG_PORT -k $DATAPILOT_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${DATAPILOT_PG_FSYNC:-off} -c full_page_writes=${DATAPILOT_PG_FSYNC:-off} -c max_connections=1000" start >/dev/null \
    || { cat "$DATAPILOT_PG_DIR/server.log" >&2; return 1; }
  pg_as_owner "$bindir/createdb" -h 127.0.0.1 -p "$DATAPILOT_PG_PORT" -U datapilot datapilot_test
  DATAPILOT_TEST_DATABASE_URL="postgres://datapilot@127.0.0.1:$DATAPILOT_PG_PORT/datapilot_test"
  export DATAPILOT_PG_DIR DATAPILOT_PG_PORT DATAPILOT_TEST_DATABASE_URL
  echo ">> private Postgres on 127.0.0.1:$DATAPILOT_PG_PORT (data in $DATAPILOT_PG_DIR)" >&2
}

pg_stop() {
  [ -n "${DATAPILOT_PG_DIR:-}" ] && [ -d "$DATAPILOT_PG_DIR/data" ] || return 0
  local bindir
  bindir=$(pg_bindir) || return 0
  pg_as_owner "$bindir/pg_ctl" -D "$DATAPILOT_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DATAPILOT_PG_DIR"
  unset DATAPILOT_PG_DIR
}
