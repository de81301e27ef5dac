#!/usr/bin/env bash
# The production engine: the real multi-service Temporal server (go.temporal.io/server: frontend,
# history, matching, worker in one process) on the local Postgres for persistence and visibility,
# beside the dev server (which keeps 7233/8233 for everyone else).
#   scripts/engine.sh build          build the server + schema tool once into .tools/ (no-op when present)
#   scripts/engine.sh up             build; schema (create/setup/update only as needed); config; start;
#                                    namespace + the project's search attributes; the UI if built
#   scripts/engine.sh down|status
#   scripts/engine.sh schema         just the schema step (ENGINE_DB / ENGINE_VISIBILITY_DB name other databases)
#   scripts/engine.sh check-compose  docker-compose.yml names the same version and search attributes
# Chosen with PC_ENGINE=server (scripts/env.sh points TEMPORAL_ADDRESS at it, services.sh calls `up`).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

log() { echo "[engine] $*"; }
die() { echo "[engine] ERROR: $*" >&2; exit 1; }
tail_log() { [ -f "$1" ] && { echo "----- tail $1 -----" >&2; tail -n "${2:-40}" "$1" >&2; echo "-----" >&2; }; return 0; }
pid_from() { [ -f "$1" ] && tr -dc '0-9' < "$1" || true; }
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2> /dev/null || return 1
  local st; st="$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1 || true)"
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

ENGINE_TOOLS="$TOOLS_DIR/temporal-server"
ENGINE_BIN="$ENGINE_TOOLS/$TEMPORAL_SERVER_VERSION/bin"
SERVER="$ENGINE_BIN/temporal-server"
SQL_TOOL="$ENGINE_BIN/temporal-sql-tool"
UI_BIN="$ENGINE_TOOLS/ui-$TEMPORAL_UI_VERSION/temporal-ui-server"
SCHEMA_DIR="$ENGINE_TOOLS/$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
# Go's caches (3 GB, ~100k files) stay outside the work tree, where jest and eslint would crawl them;
# the binaries and the schema files they need come into .tools/.
GO_CACHE_DIR="${PC_ENGINE_GO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/payment-center-engine/go}"
export GOPATH="$GO_CACHE_DIR" GOMODCACHE="$GO_CACHE_DIR/pkg/mod" GOCACHE="$GO_CACHE_DIR/cache"
# The server module needs a newer Go than the machine's: the go command fetches this toolchain.
export GOTOOLCHAIN="$TEMPORAL_SERVER_GO_TOOLCHAIN" GOFLAGS=-mod=mod
ENGINE_DIR="$DATA_DIR/engine"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"
ENGINE_PID="$RUN_DIR/engine.pid"
ENGINE_LOG="$LOG_DIR/engine.log"
UI_PID="$RUN_DIR/engine-ui.pid"
UI_LOG="$LOG_DIR/engine-ui.log"
# The frontend takes ENGINE_PORT; the other services the ports next to it (dev server: 7233–7239).
P=$ENGINE_PORT
FRONTEND_HTTP=$((P + 10)) HISTORY_GRPC=$((P + 1)) MATCHING_GRPC=$((P + 2)) WORKER_GRPC=$((P + 6))
FRONTEND_MEMBERSHIP=$((P + 20)) HISTORY_MEMBERSHIP=$((P + 21)) MATCHING_MEMBERSHIP=$((P + 22)) WORKER_MEMBERSHIP=$((P + 26))
METRICS_PORT=$((P + 30))
# Databases on the project's Postgres, as the app role (it has CREATEDB); from DATABASE_URL.
TEMPORAL_DB="${ENGINE_DB:-temporal}"
VISIBILITY_DB="${ENGINE_VISIBILITY_DB:-temporal_visibility}"
[[ $DATABASE_URL =~ ^postgres(ql)?://([^:@/]+):([^@/]*)@([^:/]+):([0-9]+)/ ]] \
  || die "cannot read user, password, host and port from DATABASE_URL"
DB_USER="${BASH_REMATCH[2]}" DB_PASS="${BASH_REMATCH[3]}" DB_HOST="${BASH_REMATCH[4]}" DB_PORT="${BASH_REMATCH[5]}"

# ------------------------------------------------------------------ build --
build() {
  if [ -x "$SERVER" ] && [ -x "$SQL_TOOL" ] && [ -d "$SCHEMA_DIR" ]; then return; fi
  command -v go > /dev/null || die "go not found (the polyglot machine ships it in /usr/local/go/bin)"
  log "building go.temporal.io/server@v$TEMPORAL_SERVER_VERSION (cmd/server, cmd/tools/sql) with $GOTOOLCHAIN; ~5 min on 2 quiet cores"
  local t0=$SECONDS tmp="$ENGINE_BIN.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  GOBIN="$tmp" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION"
  GOBIN="$tmp" go install "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
  mkdir -p "$ENGINE_BIN"
  mv "$tmp/sql" "$SQL_TOOL"
  mv "$tmp/server" "$SERVER"
  rm -rf "$tmp" "$SCHEMA_DIR"
  # the versioned schema the sql tool applies, from the module source
  mkdir -p "$(dirname "$SCHEMA_DIR")"
  cp -r "$GOMODCACHE/go.temporal.io/server@v$TEMPORAL_SERVER_VERSION/schema/postgresql/v12" "$SCHEMA_DIR"
  chmod -R u+w "$SCHEMA_DIR"
  log "built in $(( SECONDS - t0 )) s: $ENGINE_BIN"
}
# The Web UI server (the same one the dev server embeds, pointed at our frontend); optional:
# the engine runs without it if it cannot be built.
build_ui() {
  if [ -x "$UI_BIN" ]; then return 0; fi
  log "building github.com/temporalio/ui-server/v2@v$TEMPORAL_UI_VERSION (the Web UI)"
  local tmp="$ENGINE_TOOLS/ui-$TEMPORAL_UI_VERSION.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  if GOBIN="$tmp" go install "github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION"; then
    mkdir -p "$(dirname "$UI_BIN")"; mv "$tmp/server" "$UI_BIN"; rm -rf "$tmp"
  else
    rm -rf "$tmp"; log "UI: build failed; the engine runs without a Web UI"; return 1
  fi
}

# ----------------------------------------------------------------- schema --
psql_db() { PGPASSWORD="$DB_PASS" psql -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$1" -tA -c "$2"; }
# its (debug-level) output goes to a log, shown when a step fails
sql_tool() {
  mkdir -p "$LOG_DIR"
  SQL_PASSWORD="$DB_PASS" "$SQL_TOOL" --plugin postgres12 --ep "$DB_HOST" -p "$DB_PORT" -u "$DB_USER" --db "$1" "${@:2}" \
    >> "$LOG_DIR/engine-schema.log" 2>&1 || { tail_log "$LOG_DIR/engine-schema.log" 20; die "temporal-sql-tool --db $1 ${*:2} failed"; }
}
# The newest version under a versioned schema dir (v1.9 < v1.10).
latest_version() { ls "$1" | sed 's/^v//' | sort -V | tail -n1; }

# schema DB KIND(temporal|visibility): each step only when needed; the same commands as
# docker-compose.yml's temporal-schema service.
schema() {
  local db="$1" dir="$SCHEMA_DIR/$2/versioned"
  [ -d "$dir" ] || die "schema dir $dir missing (scripts/engine.sh build copies it)"
  if [ "$(psql_db "$DB_USER" "SELECT 1 FROM pg_database WHERE datname = '$db'" 2> /dev/null || psql_db postgres "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    log "schema: create-database $db"
    sql_tool "$db" create-database
  fi
  if [ "$(psql_db "$db" "SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'")" != 1 ]; then
    log "schema: setup-schema -v 0.0 on $db"
    sql_tool "$db" setup-schema -v 0.0
  fi
  local have want
  have="$(psql_db "$db" "SELECT curr_version FROM schema_version LIMIT 1")"
  want="$(latest_version "$dir")"
  if [ "$have" != "$want" ]; then
    log "schema: update-schema $db ${have:-0.0} -> $want"
    sql_tool "$db" update-schema -d "$dir"
  fi
  log "schema: $db at $want"
}

# ----------------------------------------------------------------- config --
# Rewritten on every `up` from the module's development-postgres12.yaml layout: our ports,
# our database, warn-level logs (the server logs every shard move at info).
write_config() {
  mkdir -p "$ENGINE_DIR/config/dynamicconfig"
  cat > "$ENGINE_DIR/config/development.yaml" << YAML
# managed by scripts/engine.sh (Temporal server $TEMPORAL_SERVER_VERSION)
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
      sql:
        pluginName: postgres12
        databaseName: $TEMPORAL_DB
        connectAddr: "$DB_HOST:$DB_PORT"
        connectProtocol: tcp
        user: "$DB_USER"
        password: "$DB_PASS"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
    postgres-visibility:
      sql:
        pluginName: postgres12
        databaseName: $VISIBILITY_DB
        connectAddr: "$DB_HOST:$DB_PORT"
        connectProtocol: tcp
        user: "$DB_USER"
        password: "$DB_PASS"
        maxConns: 4
        maxIdleConns: 4
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:$METRICS_PORT"
services:
  frontend:
    rpc: { grpcPort: $P, membershipPort: $FRONTEND_MEMBERSHIP, bindOnLocalHost: true, httpPort: $FRONTEND_HTTP }
  history:
    rpc: { grpcPort: $HISTORY_GRPC, membershipPort: $HISTORY_MEMBERSHIP, bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: $MATCHING_GRPC, membershipPort: $MATCHING_MEMBERSHIP, bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $WORKER_GRPC, membershipPort: $WORKER_MEMBERSHIP, bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:$P"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "$ENGINE_DIR/config/dynamicconfig/development-sql.yaml"
  pollInterval: 10s
YAML
  cat > "$ENGINE_DIR/config/dynamicconfig/development-sql.yaml" << YAML
# managed by scripts/engine.sh: the server's defaults, plus what the dev server is started with
system.enableActivityEagerExecution:
  - value: true
limit.maxIDLength:
  - value: 255
component.nexusoperations.callback.endpoint.template:
  - value: "http://127.0.0.1:$FRONTEND_HTTP/namespaces/{{.NamespaceName}}/nexus/callback"
YAML
}

# ------------------------------------------------------------------ server --
healthy() { temporal operator cluster health --address "127.0.0.1:$P" 2> /dev/null | grep -q SERVING; }
server_alive() {
  local pid; pid="$(pid_from "$ENGINE_PID")"
  pid_alive "$pid" && [ "$(readlink "/proc/$pid/exe" 2> /dev/null)" = "$(readlink -f "$SERVER")" ]
}
T() { temporal "$@" --address "127.0.0.1:$P"; }

start_server() {
  if healthy; then return; fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  if server_alive; then
    log "server: pid $(pid_from "$ENGINE_PID") present, waiting for it"
  else
    rm -f "$ENGINE_PID"
    log "server: starting Temporal $TEMPORAL_SERVER_VERSION, frontend 127.0.0.1:$P (log $ENGINE_LOG)"
    echo "=== $(date -Is) start $TEMPORAL_SERVER_VERSION" >> "$ENGINE_LOG"
    setsid nohup "$SERVER" --root "$ENGINE_DIR" --config config --env development --allow-no-auth start \
      >> "$ENGINE_LOG" 2>&1 < /dev/null &
    echo $! > "$ENGINE_PID"
  fi
  local i
  for i in $(seq 1 240); do
    healthy && break
    if [ $(( i % 4 )) = 0 ] && ! server_alive; then tail_log "$ENGINE_LOG"; die "server exited"; fi
    sleep 0.5
  done
  healthy || { tail_log "$ENGINE_LOG"; die "server not SERVING on 127.0.0.1:$P after 120 s"; }
}

ui_up() {
  build_ui || return 0
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$ENGINE_UI_PORT/" 2> /dev/null && return 0
  local pid; pid="$(pid_from "$UI_PID")"
  if ! { pid_alive "$pid" && [ "$(readlink "/proc/$pid/exe" 2> /dev/null)" = "$(readlink -f "$UI_BIN")" ]; }; then
    mkdir -p "$ENGINE_DIR/ui/config"
    cat > "$ENGINE_DIR/ui/config/development.yaml" << YAML
# managed by scripts/engine.sh (ui-server $TEMPORAL_UI_VERSION)
temporalGrpcAddress: "127.0.0.1:$P"
host: 127.0.0.1
port: $ENGINE_UI_PORT
enableUi: true
defaultNamespace: $TEMPORAL_NAMESPACE
disableNewsFetch: true    # this machine reaches no network beyond the package registries
notifyOnNewVersion: false
cors:
  allowOrigins:
    - "http://$HOST:$PORT"
YAML
    : > "$ENGINE_DIR/ui/config/base.yaml"
    echo "=== $(date -Is) start ui $TEMPORAL_UI_VERSION" >> "$UI_LOG"
    setsid nohup "$UI_BIN" --root "$ENGINE_DIR/ui" --config config --env development start >> "$UI_LOG" 2>&1 < /dev/null &
    echo $! > "$UI_PID"
  fi
  for _ in $(seq 1 40); do curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$ENGINE_UI_PORT/" 2> /dev/null && return 0; sleep 0.25; done
  tail_log "$UI_LOG" 10; log "UI: not answering on $ENGINE_UI_PORT (the engine itself is up)"
}

ui_down() {
  local pid; pid="$(pid_from "$UI_PID")"
  if pid_alive "$pid" && [ "$(readlink "/proc/$pid/exe" 2> /dev/null)" = "$(readlink -f "$UI_BIN")" ]; then
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 1 40); do pid_alive "$pid" || break; sleep 0.25; done
    log "UI: stopped"
  fi
  rm -f "$UI_PID"
}

# `default` namespace, then the search attributes through services.sh's own list and code.
namespace_and_search_attributes() {
  if ! T operator namespace describe --namespace "$TEMPORAL_NAMESPACE" > /dev/null 2>&1; then
    log "namespace: creating $TEMPORAL_NAMESPACE"
    T operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention 72h > /dev/null
  fi
  # A new namespace reaches every service's cache within the registry's refresh (~10 s).
  local i
  for i in $(seq 1 60); do T workflow count --namespace "$TEMPORAL_NAMESPACE" > /dev/null 2>&1 && break; sleep 0.5; done
  TEMPORAL_ADDRESS="127.0.0.1:$P" bash "$ROOT/scripts/services.sh" search-attributes
  # Registered search attributes are served from a cache too: wait until a query naming them all is accepted.
  local names q=""
  names="$(bash "$ROOT/scripts/services.sh" search-attribute-names)"
  for a in $names; do q+="${q:+ OR }$a IS NOT NULL"; done
  for i in $(seq 1 60); do T workflow count --namespace "$TEMPORAL_NAMESPACE" --query "$q" > /dev/null 2>&1 && return; sleep 0.5; done
  die "search attributes not usable on 127.0.0.1:$P after 30 s"
}

up() {
  command -v temporal > /dev/null || die "temporal CLI not found (health checks, namespace); run scripts/install.sh"
  build
  # our Postgres (services.sh up starts it before calling us; `engine.sh up` alone starts it here)
  if [ "$PC_EXTERNAL_PG" != 1 ] && ! pg_isready -q -h "$DB_HOST" -p "$DB_PORT" > /dev/null 2>&1; then
    bash "$ROOT/scripts/services.sh" pg-up
  fi
  schema "$TEMPORAL_DB" temporal
  schema "$VISIBILITY_DB" visibility
  write_config
  start_server
  namespace_and_search_attributes
  ui_up
  log "ready  127.0.0.1:$P (namespace $TEMPORAL_NAMESPACE; history $HISTORY_GRPC, matching $MATCHING_GRPC, worker $WORKER_GRPC, metrics $METRICS_PORT)"
}

down() {
  ui_down
  local pid; pid="$(pid_from "$ENGINE_PID")"
  if server_alive; then
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 1 120); do pid_alive "$pid" || break; sleep 0.25; done
    if pid_alive "$pid"; then kill -KILL "$pid" 2> /dev/null || true; fi
    log "server: stopped"
  elif healthy; then
    log "server: something answers on 127.0.0.1:$P but was not started by us; left alone"
  else
    log "server: not running"
  fi
  rm -f "$ENGINE_PID"
}

status() {
  local ui="no UI"
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$ENGINE_UI_PORT/" 2> /dev/null && ui="UI http://127.0.0.1:$ENGINE_UI_PORT"
  if healthy; then echo "engine:   running   127.0.0.1:$P (Temporal $TEMPORAL_SERVER_VERSION on postgres $DB_HOST:$DB_PORT/$TEMPORAL_DB), $ui"
  else echo "engine:   stopped"; fi
}

# docker-compose.yml cannot run here (no Docker engine): check that it names this version and
# registers exactly services.sh's search attributes.
check_compose() {
  local f="$ROOT/docker-compose.yml" ok=1 want got
  for img in server admin-tools; do
    grep -Eq "image: temporalio/$img:\\\$\\{TEMPORAL_VERSION:-$TEMPORAL_SERVER_VERSION\\}" "$f" \
      || { echo "docker-compose.yml: temporalio/$img is not at $TEMPORAL_SERVER_VERSION" >&2; ok=0; }
  done
  grep -Eq "image: temporalio/ui:\\\$\\{TEMPORAL_UI_VERSION:-$TEMPORAL_UI_VERSION\\}" "$f" \
    || { echo "docker-compose.yml: temporalio/ui is not at $TEMPORAL_UI_VERSION" >&2; ok=0; }
  want="$(bash "$ROOT/scripts/services.sh" search-attribute-pairs | sort)"
  got="$(sed -n 's/^ *PC_SEARCH_ATTRIBUTES: *//p' "$f" | tr ' ' '\n' | sed '/^$/d' | sort)"
  [ "$want" = "$got" ] || { echo "docker-compose.yml: PC_SEARCH_ATTRIBUTES differ from scripts/services.sh:" >&2; diff <(echo "$want") <(echo "$got") >&2 || true; ok=0; }
  [ "$ok" = 1 ] && log "docker-compose.yml matches: Temporal $TEMPORAL_SERVER_VERSION, UI $TEMPORAL_UI_VERSION, $(wc -l <<< "$want") search attributes"
  [ "$ok" = 1 ]
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  status) status ;;
  schema) build; schema "$TEMPORAL_DB" temporal; schema "$VISIBILITY_DB" visibility ;;
  check-compose) check_compose ;;
  *) echo "usage: $0 build|up|down|status|check-compose" >&2; exit 2 ;;
esac
