#!/usr/bin/env bash
# Local backing services: Postgres, Redis, Temporal dev server (+ Web UI).
#   scripts/services.sh up|down|status
# Idempotent; services whose URL points elsewhere (PC_EXTERNAL_*=1) are left alone.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"
PGDATA_DIR="$DATA_DIR/pg"
PG_SOCK_DIR="$DATA_DIR/pgsock"
# unix socket paths are limited to ~107 bytes; fall back to /tmp for deep checkouts
if [ $(( ${#PG_SOCK_DIR} + 20 )) -gt 100 ]; then
  PG_SOCK_DIR="/tmp/pc-pgsock-$(printf '%s' "$ROOT" | md5sum | cut -c1-10)"
fi
REDIS_DIR="$DATA_DIR/redis"
TEMPORAL_DIR="$DATA_DIR/temporal"
TEMPORAL_PID="$RUN_DIR/temporal.pid"
REDIS_PID="$RUN_DIR/redis.pid"
# Name=Type of every key in workflows/definitions.ts SearchAttr (docker-compose.yml registers the same).
SEARCH_ATTRIBUTES=(PcTenantId=Keyword PcInvoiceNumber=Keyword PcInvoiceStatus=Keyword PcContactId=Keyword
  PcContactName=Text PcDueDate=Datetime PcAmountDue=Int PcAttention=Bool)

log() { echo "[services] $*"; }
die() { echo "[services] ERROR: $*" >&2; exit 1; }
tail_log() { [ -f "$1" ] && { echo "----- tail $1 -----" >&2; tail -n "${2:-40}" "$1" >&2; echo "-----" >&2; }; return 0; }
# alive = exists and is not a zombie (killed daemons may linger unreaped in containers)
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2> /dev/null || return 1
  local st; st="$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1 || true)"
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
mask() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<< "$1"; }
pid_from() { [ -f "$1" ] && tr -dc '0-9' < "$1" || true; }

# ---------------------------------------------------------------- postgres --
pg_bin() {
  local v=""
  [ -f "$PGDATA_DIR/PG_VERSION" ] && v="$(cat "$PGDATA_DIR/PG_VERSION")"
  if [ -n "$v" ] && [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then
    echo "/usr/lib/postgresql/$v/bin"
  else
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n1)"
    [ -n "$d" ] || die "postgres binaries not found; run scripts/install.sh"
    echo "$d"
  fi
}
as_pg() { runuser -u postgres -- "$@"; }
pg_ready() { "$(pg_bin)/pg_isready" -q -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres > /dev/null 2>&1; }
pg_admin() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"; }

make_traversable() {
  # postgres must be able to reach $DATA_DIR (o+x on every parent)
  local d="$1"
  while [ "$d" != "/" ] && [ -n "$d" ]; do
    if ! runuser -u postgres -- test -x "$d" 2> /dev/null; then chmod o+x "$d"; fi
    d="$(dirname "$d")"
  done
}

# What every database of the project is created with (also a cluster initialised with another locale).
PG_DB_LOCALE="TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'"

pg_up() {
  if [ "$PC_EXTERNAL_PG" = 1 ]; then log "postgres: external ($(mask "$DATABASE_URL"))"; return; fi
  id -u postgres > /dev/null 2>&1 || die "OS user 'postgres' missing; run scripts/install.sh"
  local bin; bin="$(pg_bin)"
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  make_traversable "$DATA_DIR"
  mkdir -p "$PG_SOCK_DIR"; chown postgres: "$PG_SOCK_DIR"; chmod 755 "$PG_SOCK_DIR"
  touch "$LOG_DIR/postgres.log"; chown postgres: "$LOG_DIR/postgres.log"

  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    log "postgres: initdb $PGDATA_DIR"
    rm -rf "$PGDATA_DIR" "$PGDATA_DIR.init"
    mkdir -p "$PGDATA_DIR.init"; chown postgres: "$PGDATA_DIR.init"; chmod 700 "$PGDATA_DIR.init"
    # C.UTF-8: code-point order like C, and Unicode letters for ILIKE and pg_trgm (under C, "Ü" is no
    # letter: a search for "ünïc" missed "Ünïc" and trigrams dropped every non-ASCII letter).
    as_pg "$bin/initdb" -D "$PGDATA_DIR.init" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 > "$LOG_DIR/initdb.log" 2>&1 \
      || { tail_log "$LOG_DIR/initdb.log"; die "initdb failed"; }
    mv "$PGDATA_DIR.init" "$PGDATA_DIR"
  fi
  chown -R postgres: "$PGDATA_DIR"; chmod 700 "$PGDATA_DIR"
  # our settings, rewritten on every `up` (included from postgresql.conf)
  cat > "$PGDATA_DIR/payment_center.conf" << EOF
# managed by scripts/services.sh
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
max_connections = 200
shared_buffers = 128MB
fsync = on
logging_collector = off
log_min_messages = warning
EOF
  chown postgres: "$PGDATA_DIR/payment_center.conf"
  grep -q "^include_if_exists = 'payment_center.conf'" "$PGDATA_DIR/postgresql.conf" \
    || echo "include_if_exists = 'payment_center.conf'" >> "$PGDATA_DIR/postgresql.conf"

  if ! pg_ready; then
    # stale postmaster.pid from a killed session?
    local pid; pid="$(head -n1 "$PGDATA_DIR/postmaster.pid" 2> /dev/null | tr -dc '0-9' || true)"
    if [ -n "$pid" ] && pid_alive "$pid" && grep -q postgres "/proc/$pid/comm" 2> /dev/null; then
      log "postgres: pid $pid present, waiting for it"
      for _ in $(seq 1 60); do pg_ready && break; sleep 1; done
    fi
    if ! pg_ready; then
      if [ -n "$pid" ] && pid_alive "$pid" && grep -q postgres "/proc/$pid/comm" 2> /dev/null; then
        die "postgres pid $pid is alive but not answering on $PG_SOCK_DIR:$PG_PORT"
      fi
      rm -f "$PGDATA_DIR/postmaster.pid" "$PG_SOCK_DIR/.s.PGSQL.$PG_PORT" "$PG_SOCK_DIR/.s.PGSQL.$PG_PORT.lock"
      log "postgres: starting on 127.0.0.1:$PG_PORT"
      as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$LOG_DIR/postgres.log" -w -t 60 start > /dev/null \
        || { tail_log "$LOG_DIR/postgres.log"; die "postgres failed to start"; }
      for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
      pg_ready || { tail_log "$LOG_DIR/postgres.log"; die "postgres not ready"; }
    fi
  fi

  # role + databases
  pg_admin << 'SQL' > /dev/null
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'payment_center') THEN
    CREATE ROLE payment_center LOGIN CREATEDB PASSWORD 'payment_center';
  ELSE
    ALTER ROLE payment_center LOGIN CREATEDB PASSWORD 'payment_center';
  END IF;
END
$$;
SQL
  local db
  for db in payment_center payment_center_test; do
    [ "$(pg_admin -tA -c "SELECT datctype FROM pg_database WHERE datname = '$db'")" = C ] \
      && log "postgres: WARNING: database $db was created with LC_CTYPE C (search misses non-ASCII letters in another case); recreate it (dropdb, then npm run stack)"
    if [ "$(pg_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      pg_admin -c "CREATE DATABASE $db OWNER payment_center $PG_DB_LOCALE" > /dev/null
    fi
  done
  log "postgres: ready  postgres://payment_center:payment_center@127.0.0.1:$PG_PORT/payment_center (+ payment_center_test)"
}

pg_down() {
  if [ "$PC_EXTERNAL_PG" = 1 ]; then log "postgres: external, not stopped"; return; fi
  [ -f "$PGDATA_DIR/PG_VERSION" ] || { log "postgres: not initialised"; return; }
  if as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" status > /dev/null 2>&1; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop > /dev/null
    log "postgres: stopped"
  else
    log "postgres: not running"
  fi
}

pg_status() {
  if [ "$PC_EXTERNAL_PG" = 1 ]; then
    echo "postgres: external  $(mask "$DATABASE_URL")"
  elif pg_ready; then
    echo "postgres: running   postgres://payment_center:***@127.0.0.1:$PG_PORT/payment_center"
  else
    echo "postgres: stopped"
  fi
}

# ------------------------------------------------------------------- redis --
redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2> /dev/null)" = PONG ]; }

redis_up() {
  if [ "$PC_EXTERNAL_REDIS" = 1 ]; then log "redis: external ($(mask "$REDIS_URL"))"; return; fi
  command -v redis-server > /dev/null || die "redis-server not found; run scripts/install.sh"
  if ! redis_ping; then
    mkdir -p "$REDIS_DIR" "$RUN_DIR" "$LOG_DIR"
    local pid; pid="$(pid_from "$REDIS_PID")"
    if pid_alive "$pid" && grep -q redis "/proc/$pid/comm" 2> /dev/null; then
      log "redis: pid $pid present, waiting for it"
    else
      rm -f "$REDIS_PID"
      log "redis: starting on 127.0.0.1:$REDIS_PORT"
      redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
        --dir "$REDIS_DIR" --appendonly yes --maxmemory-policy noeviction \
        --daemonize yes --pidfile "$REDIS_PID" --logfile "$LOG_DIR/redis.log" \
        || { tail_log "$LOG_DIR/redis.log"; die "redis failed to start"; }
    fi
    for _ in $(seq 1 60); do redis_ping && break; sleep 0.5; done
    redis_ping || { tail_log "$LOG_DIR/redis.log"; die "redis not answering on port $REDIS_PORT"; }
  fi
  log "redis: ready     redis://127.0.0.1:$REDIS_PORT"
}

redis_down() {
  if [ "$PC_EXTERNAL_REDIS" = 1 ]; then log "redis: external, not stopped"; return; fi
  if redis_ping; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown > /dev/null 2>&1 || true
    for _ in $(seq 1 40); do redis_ping || break; sleep 0.25; done
    log "redis: stopped"
  else
    log "redis: not running"
  fi
  local pid; pid="$(pid_from "$REDIS_PID")"
  if pid_alive "$pid" && grep -q redis "/proc/$pid/comm" 2> /dev/null; then kill "$pid" 2> /dev/null || true; fi
  rm -f "$REDIS_PID"
}

redis_status() {
  if [ "$PC_EXTERNAL_REDIS" = 1 ]; then echo "redis:    external  $(mask "$REDIS_URL")"
  elif redis_ping; then echo "redis:    running   redis://127.0.0.1:$REDIS_PORT"
  else echo "redis:    stopped"; fi
}

# ---------------------------------------------------------------- temporal --
temporal_healthy() {
  temporal operator cluster health --address "$TEMPORAL_ADDRESS" 2> /dev/null | grep -q SERVING
}
temporal_pid_alive() {
  local pid; pid="$(pid_from "$TEMPORAL_PID")"
  pid_alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q 'temporal server start-dev'
}

temporal_up() {
  if [ "$PC_EXTERNAL_TEMPORAL" = 1 ]; then log "temporal: external ($TEMPORAL_ADDRESS)"; return; fi
  command -v temporal > /dev/null || die "temporal CLI not found; run scripts/install.sh"
  if ! temporal_healthy; then
    mkdir -p "$TEMPORAL_DIR" "$RUN_DIR" "$LOG_DIR"
    if temporal_pid_alive; then
      log "temporal: pid $(pid_from "$TEMPORAL_PID") present, waiting for it"
    else
      rm -f "$TEMPORAL_PID"
      log "temporal: starting dev server on $TEMPORAL_ADDRESS (UI $TEMPORAL_UI_URL)"
      local sa=() a
      for a in "${SEARCH_ATTRIBUTES[@]}"; do sa+=(--search-attribute "$a"); done
      echo "=== $(date -Is) start-dev" >> "$LOG_DIR/temporal.log"
      setsid nohup temporal server start-dev \
        --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
        --ui-ip 127.0.0.1 --ui-port "$TEMPORAL_UI_PORT" \
        --db-filename "$TEMPORAL_DIR/temporal.db" \
        --namespace default "${sa[@]}" \
        --dynamic-config-value system.enableActivityEagerExecution=true \
        --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
        --log-level warn \
        >> "$LOG_DIR/temporal.log" 2>&1 < /dev/null &
      echo $! > "$TEMPORAL_PID"
    fi
    local i
    for i in $(seq 1 120); do
      temporal_healthy && break
      if [ $(( i % 4 )) = 0 ] && ! temporal_pid_alive; then
        tail_log "$LOG_DIR/temporal.log"; die "temporal dev server exited"
      fi
      sleep 0.5
    done
    temporal_healthy || { tail_log "$LOG_DIR/temporal.log"; die "temporal not SERVING on $TEMPORAL_ADDRESS after 60s"; }
    # the Web UI comes up a moment after the frontend
    for _ in $(seq 1 40); do curl -fsS -o /dev/null "$TEMPORAL_UI_URL" 2> /dev/null && break; sleep 0.25; done
  fi
  temporal_search_attributes
  log "temporal: ready  $TEMPORAL_ADDRESS (namespace $TEMPORAL_NAMESPACE), UI $TEMPORAL_UI_URL"
}

# A dev server started before a key was added gets it now (starting one registers them all).
temporal_search_attributes() {
  local have a
  have="$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" 2> /dev/null)" \
    || die "temporal: cannot list search attributes on $TEMPORAL_ADDRESS"
  for a in "${SEARCH_ATTRIBUTES[@]}"; do
    grep -qw -- "${a%%=*}" <<< "$have" && continue
    log "temporal: registering search attribute ${a%%=*} (${a#*=})"
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
      --name "${a%%=*}" --type "${a#*=}" > /dev/null || die "temporal: could not register search attribute ${a%%=*}"
  done
}

temporal_down() {
  if [ "$PC_EXTERNAL_TEMPORAL" = 1 ]; then log "temporal: external, not stopped"; return; fi
  if temporal_pid_alive; then
    local pid; pid="$(pid_from "$TEMPORAL_PID")"
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 1 80); do pid_alive "$pid" || break; sleep 0.25; done
    if pid_alive "$pid"; then kill -KILL "$pid" 2> /dev/null || true; fi
    log "temporal: stopped"
  elif temporal_healthy; then
    log "temporal: a server answers on $TEMPORAL_ADDRESS but was not started by us; left alone"
  else
    log "temporal: not running"
  fi
  rm -f "$TEMPORAL_PID"
}

temporal_status() {
  if [ "$PC_EXTERNAL_TEMPORAL" = 1 ]; then echo "temporal: external  $TEMPORAL_ADDRESS"
  elif temporal_healthy; then echo "temporal: running   $TEMPORAL_ADDRESS  UI $TEMPORAL_UI_URL"
  else echo "temporal: stopped"; fi
}

# -------------------------------------------------------------------- main --
# PC_ENGINE=server: the multi-service Temporal server (scripts/engine.sh) instead of the dev server.
engine() { if [ "$PC_ENGINE" = server ] && [ "$PC_EXTERNAL_TEMPORAL" != 1 ]; then bash "$ROOT/scripts/engine.sh" "$1"; else "temporal_$1"; fi; }
case "${1:-}" in
  up) pg_up; redis_up; engine up ;;
  down) engine down; redis_down; pg_down ;;
  status) pg_status; redis_status; engine status ;;
  # for scripts/engine.sh: Postgres alone; the search attributes on $TEMPORAL_ADDRESS; the list itself
  pg-up) pg_up ;;
  search-attributes) temporal_search_attributes ;;
  search-attribute-names) printf '%s\n' "${SEARCH_ATTRIBUTES[@]%%=*}" ;;
  search-attribute-pairs) printf '%s\n' "${SEARCH_ATTRIBUTES[@]}" ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
