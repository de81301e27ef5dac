#!/usr/bin/env bash
# Full local stack (`npm run stack`): services, migrations, demo tenant,
# worker + API in the background.
#   scripts/stack.sh [up]   start everything (idempotent)
#   scripts/stack.sh down   stop API, worker, then the services
#   scripts/stack.sh status
#   scripts/stack.sh --engine server [up|down|status]   the same on the multi-service Temporal server
set -euo pipefail
# --engine dev|server (any position): which Temporal runs the stack (default dev, or $PC_ENGINE);
# server = the multi-service Temporal server on our Postgres (scripts/engine.sh).
__args=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --engine) [ "$#" -ge 2 ] || { echo "[stack] --engine needs dev or server" >&2; exit 2; }; export PC_ENGINE="$2"; shift 2 ;;
    --engine=*) export PC_ENGINE="${1#*=}"; shift ;;
    *) __args+=("$1"); shift ;;
  esac
done
set -- "${__args[@]}"
unset __args
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
# The local stack may send webhooks to receivers on this machine (loopback); production config never sets this.
export WEBHOOK_ALLOW_PRIVATE_URLS="${WEBHOOK_ALLOW_PRIVATE_URLS:-true}"

RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"
DEMO_JSON="$DATA_DIR/demo.json"
STACK_ENGINE="$RUN_DIR/stack.engine"
# On the server engine the stack has its own database and demo tenant: invoices created on one
# engine have no workflows on the other.
if [ "$PC_ENGINE" = server ]; then
  __admin_url="$DATABASE_URL"
  DEMO_JSON="$DATA_DIR/demo-engine.json"
  DATABASE_URL="$(database_url_for payment_center_engine)"
  export DATABASE_URL
fi

log() { echo "[stack] $*"; }
die() { echo "[stack] ERROR: $*" >&2; exit 1; }
tail_log() { [ -f "$1" ] && { echo "----- tail $1 -----" >&2; tail -n "${2:-40}" "$1" >&2; echo "-----" >&2; }; return 0; }
pid_from() { [ -f "$1" ] && tr -dc '0-9' < "$1" || true; }
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2> /dev/null || return 1
  local st; st="$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1 || true)"
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
# a pid file is ours if the process is alive and runs from this checkout
app_alive() {
  local pid; pid="$(pid_from "$RUN_DIR/$1.pid")"
  pid_alive "$pid" && [ "$(readlink "/proc/$pid/cwd" 2> /dev/null)" = "$ROOT" ]
}

# start_app NAME ENTRYPOINT.ts  (own session => own process group, killed as a group)
start_app() {
  local name="$1" entry="$2"
  if app_alive "$name"; then
    log "$name: already running (pid $(pid_from "$RUN_DIR/$name.pid"))"
    return
  fi
  [ -f "$entry" ] || die "$entry not found"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  echo "=== $(date -Is) start $name" >> "$LOG_DIR/$name.log"
  setsid nohup tsx "$entry" >> "$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$name.pid"
  log "$name: started (pid $!, log $LOG_DIR/$name.log)"
}

stop_app() {
  local name="$1"
  if app_alive "$name"; then
    local pid; pid="$(pid_from "$RUN_DIR/$name.pid")"
    kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 1 60); do pid_alive "$pid" || break; sleep 0.25; done
    if pid_alive "$pid"; then kill -KILL -- "-$pid" 2> /dev/null || kill -KILL "$pid" 2> /dev/null || true; fi
    log "$name: stopped"
  else
    log "$name: not running"
  fi
  rm -f "$RUN_DIR/$name.pid"
}

healthz() { curl -fsS -o /dev/null --max-time 2 "http://$HOST:$PORT/healthz" 2> /dev/null; }

# Temporal UI's workflow list filtered by a visibility query (URL-encoded).
ui_workflows() { printf '%s/namespaces/%s/workflows?query=%s' "$TEMPORAL_UI_URL" "$TEMPORAL_NAMESPACE" "$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1")"; }

json_field() { node -e 'const o=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));process.stdout.write(String(o[process.argv[2]]??""))' "$1" "$2"; }

up() {
  bash "$ROOT/scripts/install.sh"
  bash "$ROOT/scripts/services.sh" up
  local n
  for n in api worker; do
    if app_alive "$n" && [ "$(cat "$STACK_ENGINE" 2> /dev/null || echo dev)" != "$PC_ENGINE" ]; then
      die "the stack runs on the $(cat "$STACK_ENGINE" 2> /dev/null || echo dev) engine; npm run stack -- down first"
    fi
  done
  if [ "$PC_ENGINE" = server ] && [ "$(psql -X -tA -d "$__admin_url" -c "SELECT 1 FROM pg_database WHERE datname = 'payment_center_engine'")" != 1 ]; then
    log "creating database payment_center_engine"
    psql -X -q -d "$__admin_url" -c "CREATE DATABASE payment_center_engine" > /dev/null
  fi

  log "migrations"
  tsx scripts/migrate.ts

  if [ ! -s "$DEMO_JSON" ]; then
    log "creating demo tenant"
    local out last
    out="$(tsx cli/main.ts tenants create --name Demo --plan professional)" || die "tenant creation failed"
    last="$(printf '%s\n' "$out" | sed '/^[[:space:]]*$/d' | tail -n1)"
    printf '%s\n' "$last" > "$DEMO_JSON.tmp"
    if ! node -e 'const o=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));if(!o.tenantId||!o.apiKey)process.exit(1)' "$DEMO_JSON.tmp" 2> /dev/null; then
      rm -f "$DEMO_JSON.tmp"
      printf '%s\n' "$out" >&2
      die "unexpected output from 'tenants create' (last line must be JSON {tenantId, apiKey})"
    fi
    chmod 600 "$DEMO_JSON.tmp"
    mv -f "$DEMO_JSON.tmp" "$DEMO_JSON"
  fi

  start_app worker worker/main.ts
  start_app api api/main.ts
  echo "$PC_ENGINE" > "$STACK_ENGINE"

  log "waiting for http://$HOST:$PORT/healthz"
  local i
  for i in $(seq 1 120); do
    healthz && break
    if [ $(( i % 4 )) = 0 ] && ! app_alive api; then tail_log "$LOG_DIR/api.log"; die "API exited"; fi
    sleep 0.5
  done
  healthz || { tail_log "$LOG_DIR/api.log"; die "API not healthy after 60s"; }
  app_alive worker || { tail_log "$LOG_DIR/worker.log"; die "worker exited"; }

  local tenant key
  tenant="$(json_field "$DEMO_JSON" tenantId)"
  key="$(json_field "$DEMO_JSON" apiKey)"
  # A one-time sign-in link for the web app (15 minutes); the demo API key signs in too.
  local signin
  signin="$(tsx cli/main.ts sessions link --tenant "$tenant" 2> /dev/null | tail -n1 | node -e 'let s="";process.stdin.on("data",(c)=>(s+=c)).on("end",()=>{try{process.stdout.write(JSON.parse(s).url)}catch{}})' || true)"
  local overdue attention
  overdue="$(ui_workflows "PcTenantId = \"$tenant\" AND PcInvoiceStatus = \"overdue\"")"
  attention="$(ui_workflows "PcAttention = true AND ExecutionStatus = \"Running\"")"
  cat << EOF

Payment Center is up.
  API            http://$HOST:$PORT
  Web app        http://$HOST:$PORT/app   (sign in with the demo API key below; customers' pay pages at /i/<token>)
    one-time sign-in link (15 min)        ${signin:-npx payment-center sessions link --tenant $tenant}
  OpenAPI docs   http://$HOST:$PORT/docs
  Temporal UI    $TEMPORAL_UI_URL   (engine: $PC_ENGINE, $TEMPORAL_ADDRESS)
    overdue invoices of the demo tenant   $overdue
    invoices needing attention            $attention
  Metrics        http://$HOST:$PORT/metrics (API)   http://$HOST:${WORKER_METRICS_PORT:-9464}/metrics (worker)
  Bull Board     http://$HOST:$PORT/admin/queues   (admin: ADMIN_TOKEN=$ADMIN_TOKEN, from \$ADMIN_TOKEN / $DATA_DIR/secrets.env)
  Demo tenant    $tenant
  Demo API key   $key
  Logs           $LOG_DIR/{api,worker,postgres,redis,temporal}.log

Try:
  curl -s -H "Authorization: Bearer $key" http://$HOST:$PORT/v1/invoices

Stop with: npm run stack -- down   (or bash scripts/stack.sh down)
EOF
}

down() {
  stop_app api
  stop_app worker
  # a stack started with --engine server is stopped with its engine, with or without the flag
  if [ "$(cat "$STACK_ENGINE" 2> /dev/null || echo dev)" = server ] && [ "$PC_ENGINE" != server ]; then bash "$ROOT/scripts/engine.sh" down; fi
  rm -f "$STACK_ENGINE"
  bash "$ROOT/scripts/services.sh" down
}

status() {
  local n
  for n in api worker; do
    if app_alive "$n"; then echo "$n: running (pid $(pid_from "$RUN_DIR/$n.pid"))"; else echo "$n: stopped"; fi
  done
  bash "$ROOT/scripts/services.sh" status
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 [up|down|status]" >&2; exit 2 ;;
esac
