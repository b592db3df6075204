#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL server for the test suite.
#
#   .ci/start-postgres.sh          start or reuse; the LAST stdout line is the URL
#   .ci/start-postgres.sh stop     stop the cluster this script created, if running
#
# The URL is postgres://parcours:parcours@127.0.0.1:PORT/parcours, for a role
# `parcours` (password `parcours`, LOGIN CREATEDB: the tests create and drop
# their own databases) that owns a database `parcours`.
#
# Order of preference:
#   1. a server already answering on 127.0.0.1:5432 (then 55432) with those
#      credentials and CREATEDB: reused as is;
#   2. the cluster this script made earlier in $PARCOURS_PG_ROOT: (re)started;
#   3. a new cluster there, made with initdb (PostgreSQL is installed with
#      apt-get only when no initdb can be found), listening on 127.0.0.1 only,
#      on 5432, or on 55432 when 5432 is taken by something else.
#
# Idempotent: running it again prints the same URL and changes nothing.
# Everything but the URL goes to stderr.
set -euo pipefail

ROOT="${PARCOURS_PG_ROOT:-/tmp/parcours-pg}"
DATA="$ROOT/data"
RUN="$ROOT/run"   # unix socket directory
LOG="$ROOT/postgres.log"
PORTS=(5432 55432)
ROLE=parcours
PASS=parcours
DB=parcours

log() { printf 'start-postgres: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

url_for() { printf 'postgres://%s:%s@127.0.0.1:%s/%s' "$ROLE" "$PASS" "$1" "$DB"; }

# --- locating the binaries ---------------------------------------------------

PGBIN=""
find_pgbin() {
  PGBIN=""
  local d
  # Highest version first (sort -V), Debian's layout.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then PGBIN="$d"; return 0; fi
  done
  local i
  if i="$(command -v initdb 2>/dev/null)"; then
    i="$(readlink -f "$i")"
    if [[ -x "$(dirname "$i")/pg_ctl" ]]; then PGBIN="$(dirname "$i")"; return 0; fi
  fi
  return 1
}

# A client tool (psql, pg_isready): from PGBIN if known, else from PATH.
tool() {
  local name="$1"
  if [[ -n "$PGBIN" && -x "$PGBIN/$name" ]]; then printf '%s' "$PGBIN/$name"; return 0; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [[ -x "$d/$name" ]]; then printf '%s' "$d/$name"; return 0; fi
  done
  command -v "$name" 2>/dev/null
}

# Run a command as the `postgres` system user, from a directory it can read.
as_postgres() {
  if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- "$@")
  else
    local q
    q="$(printf '%q ' "$@")"
    (cd / && su postgres -s /bin/sh -c "$q")
  fi
}

# --- probes ------------------------------------------------------------------

# Is anything at all listening on 127.0.0.1:$1?
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Does a server on 127.0.0.1:$1 accept our credentials, with CREATEDB?
credentials_work() {
  local port="$1" psql pg_isready out
  pg_isready="$(tool pg_isready)" || pg_isready=""
  if [[ -n "$pg_isready" ]]; then
    "$pg_isready" -q -h 127.0.0.1 -p "$port" -t 3 >/dev/null 2>&1 || return 1
  fi
  psql="$(tool psql)" || return 1
  out="$(PGPASSWORD="$PASS" PGCONNECT_TIMEOUT=5 "$psql" -X -w -q -tA \
          -h 127.0.0.1 -p "$port" -U "$ROLE" -d "$DB" \
          -c "select rolcreatedb from pg_roles where rolname = current_user" 2>/dev/null)" || return 1
  [[ "$out" == "t" ]]
}

# --- our own cluster -----------------------------------------------------------

cluster_running() {
  [[ -f "$DATA/PG_VERSION" ]] || return 1
  as_postgres "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

show_log() {
  if [[ -f "$LOG" ]]; then
    log "last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
  fi
}

ensure_postgres_user() {
  if ! id -u postgres >/dev/null 2>&1; then
    log "creating system user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
}

ensure_binaries() {
  if find_pgbin; then return 0; fi
  log "no initdb found: installing PostgreSQL with apt-get"
  [[ "$(id -u)" == 0 ]] || die "not root, cannot apt-get install postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends postgresql >&2
  find_pgbin || die "initdb still not found after installing postgresql"
}

init_cluster() {
  log "creating a new cluster in $DATA (PostgreSQL binaries: $PGBIN)"
  rm -rf "$DATA"
  mkdir -p "$DATA" "$RUN"
  chown -R postgres:postgres "$ROOT"
  chmod 700 "$DATA"
  chmod 755 "$ROOT" "$RUN"
  local pwfile
  pwfile="$(mktemp)"
  # Superuser `postgres` gets a random password; locally it logs in by peer.
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pwfile"
  chown postgres "$pwfile"
  as_postgres "$PGBIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 --no-sync --pwfile="$pwfile" >&2 \
    || { rm -f "$pwfile"; die "initdb failed"; }
  rm -f "$pwfile"
}

start_cluster() {
  local port="$1"
  mkdir -p "$RUN"
  chown postgres:postgres "$ROOT" "$RUN"
  touch "$LOG"
  chown postgres:postgres "$LOG"
  # A pid file left by a server that no longer exists (machine restarted).
  if [[ -f "$DATA/postmaster.pid" ]]; then
    local pid
    pid="$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true)"
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
      log "removing stale postmaster.pid"
      rm -f "$DATA/postmaster.pid"
    fi
  fi
  log "starting PostgreSQL on 127.0.0.1:$port (log: $LOG)"
  # Settings for a throwaway test server: durability off, speed on.
  local opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$RUN"
  opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  opts+=" -c max_connections=200 -c shared_buffers=128MB"
  if ! as_postgres "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "$opts" start >&2; then
    show_log
    die "pg_ctl start failed"
  fi
  printf '%s\n' "$port" >"$ROOT/port"
}

# Create or fix role and database through the unix socket, as superuser.
ensure_role_and_db() {
  local port="$1"
  as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$port" -U postgres -d postgres >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASS';
  ELSE
    ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASS';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB OWNER $ROLE ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB')
\gexec
ALTER DATABASE $DB OWNER TO $ROLE;
SQL
}

stop_cluster() {
  if find_pgbin && cluster_running; then
    log "stopping the cluster in $DATA"
    as_postgres "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
  else
    log "no cluster of ours is running in $DATA"
  fi
}

# --- main ----------------------------------------------------------------------

if [[ "${1:-}" == "stop" ]]; then
  stop_cluster
  exit 0
fi
[[ $# -eq 0 ]] || die "usage: $0 [stop]"

find_pgbin || true

# 1. Reuse a server that already works with our credentials.
for p in "${PORTS[@]}"; do
  if credentials_work "$p"; then
    log "reusing the server on 127.0.0.1:$p"
    url_for "$p"; echo
    exit 0
  fi
done

# 2./3. Our own cluster.
ensure_binaries
ensure_postgres_user
log "PostgreSQL binaries: $PGBIN ($("$PGBIN/postgres" --version))"

if [[ ! -f "$DATA/PG_VERSION" ]]; then
  init_cluster
elif [[ "$(cat "$DATA/PG_VERSION")" != "$("$PGBIN/postgres" --version | awk '{print $3}' | cut -d. -f1)" ]]; then
  log "the cluster in $DATA was made by another major version: making a new one"
  if cluster_running; then as_postgres "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >&2 || true; fi
  init_cluster
fi

if cluster_running; then
  # Running but the credentials failed (e.g. interrupted during set-up).
  PORT="$(cat "$ROOT/port" 2>/dev/null || true)"
  [[ -n "$PORT" ]] || die "a server runs on $DATA but its port is unknown; stop it: $0 stop"
  log "our cluster already runs on port $PORT"
else
  PORT=""
  for p in "${PORTS[@]}"; do
    if ! port_in_use "$p"; then PORT="$p"; break; fi
    log "port $p is taken by another server"
  done
  [[ -n "$PORT" ]] || die "ports ${PORTS[*]} are all taken"
  start_cluster "$PORT"
fi

ensure_role_and_db "$PORT"

if ! credentials_work "$PORT"; then
  show_log
  die "the server on 127.0.0.1:$PORT does not accept $ROLE/$PASS"
fi
log "ready on 127.0.0.1:$PORT"
url_for "$PORT"; echo
