# shellcheck shell=bash
# Common environment for the local stack. Source it:  . "$(dirname "$0")/env.sh"
#
# - ROOT, DATA_DIR, TOOLS_DIR, PATH (project node 24 + temporal CLI first)
# - loads $ROOT/.env (values already exported in the environment win)
# - defaults for every connection setting (exported)
# - PC_EXTERNAL_PG / PC_EXTERNAL_REDIS / PC_EXTERNAL_TEMPORAL = 1 when the
#   corresponding URL points somewhere else than our local service, so
#   services.sh will not start (or stop) our own for it
# - ADMIN_TOKEN / ENCRYPTION_KEY / PAY_LINK_SECRET generated once into $DATA_DIR/secrets.env

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
export ROOT
export DATA_DIR="$ROOT/.data"
export TOOLS_DIR="$ROOT/.tools"

case ":$PATH:" in
  *":$ROOT/node_modules/.bin:$TOOLS_DIR/temporal/bin:"*) ;;
  *) export PATH="$ROOT/node_modules/.bin:$TOOLS_DIR/temporal/bin:$PATH" ;;
esac

# --- .env (existing environment variables take precedence, like dotenv) ---
if [ -f "$ROOT/.env" ]; then
  __pc_keep=()
  while IFS= read -r __pc_line || [ -n "$__pc_line" ]; do
    if [[ $__pc_line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)= ]]; then
      __pc_name="${BASH_REMATCH[2]}"
      if [ -n "${!__pc_name+x}" ]; then __pc_keep+=("$__pc_name=${!__pc_name}"); fi
    fi
  done < "$ROOT/.env"
  set -a
  # shellcheck disable=SC1091
  . "$ROOT/.env"
  set +a
  for __pc_kv in "${__pc_keep[@]}"; do export "${__pc_kv?}"; done
  unset __pc_keep __pc_line __pc_name __pc_kv
fi

# --- defaults (only if unset) ---
: "${PG_PORT:=55432}"
: "${REDIS_PORT:=56379}"
: "${TEMPORAL_PORT:=7233}"
: "${TEMPORAL_UI_PORT:=8233}"
# Engine: dev (temporal server start-dev, the default) or server (the multi-service Temporal
# server from its Go module on our Postgres, scripts/engine.sh), beside the dev server on its own ports.
: "${PC_ENGINE:=dev}"
TEMPORAL_SERVER_VERSION=1.32.2      # docker-compose.yml's temporalio/server tag must match (engine.sh check)
TEMPORAL_SERVER_GO_TOOLCHAIN=go1.27.3
TEMPORAL_UI_VERSION=2.56.4          # its Web UI (github.com/temporalio/ui-server/v2; compose's temporalio/ui tag)
: "${ENGINE_PORT:=7333}"            # frontend gRPC; the other services take the ports just above it
: "${ENGINE_UI_PORT:=8333}"
if [ "$PC_ENGINE" = server ]; then
  : "${TEMPORAL_ADDRESS:=127.0.0.1:$ENGINE_PORT}"
  : "${TEMPORAL_UI_URL:=http://127.0.0.1:$ENGINE_UI_PORT}"
elif [ "$PC_ENGINE" != dev ]; then
  echo "PC_ENGINE must be dev or server (got '$PC_ENGINE')" >&2; return 1 2> /dev/null || exit 1
fi
: "${PORT:=3000}"
: "${HOST:=127.0.0.1}"
: "${DATABASE_URL:=postgres://payment_center:payment_center@127.0.0.1:$PG_PORT/payment_center}"
: "${REDIS_URL:=redis://127.0.0.1:$REDIS_PORT}"
: "${TEMPORAL_ADDRESS:=127.0.0.1:$TEMPORAL_PORT}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${TEMPORAL_TASK_QUEUE:=payment-center}"
: "${TEMPORAL_UI_URL:=http://127.0.0.1:$TEMPORAL_UI_PORT}"
: "${TEMPORAL_TEST_SERVER_PATH:=$TOOLS_DIR/temporal/bin/temporal-test-server}"
: "${PUBLIC_BASE_URL:=http://$HOST:$PORT}"
export PG_PORT REDIS_PORT TEMPORAL_PORT TEMPORAL_UI_PORT PORT HOST DATABASE_URL REDIS_URL \
  TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_TASK_QUEUE TEMPORAL_UI_URL \
  TEMPORAL_TEST_SERVER_PATH PUBLIC_BASE_URL PC_ENGINE TEMPORAL_SERVER_VERSION TEMPORAL_SERVER_GO_TOOLCHAIN \
  TEMPORAL_UI_VERSION ENGINE_PORT ENGINE_UI_PORT

# --- external services ---
# A service is "external" when its URL (exported by the user or set in .env)
# does not point at our local instance. The decision made by the first
# sourcing is inherited by nested scripts (the PC_EXTERNAL_* are exported).
if [ -z "${PC_EXTERNAL_PG+x}" ]; then
  if [[ $DATABASE_URL =~ ^postgres(ql)?://([^@/]*@)?(127\.0\.0\.1|localhost):${PG_PORT}(/|$) ]]; then
    PC_EXTERNAL_PG=0; else PC_EXTERNAL_PG=1; fi
fi
if [ -z "${PC_EXTERNAL_REDIS+x}" ]; then
  if [[ $REDIS_URL =~ ^redis://([^@/]*@)?(127\.0\.0\.1|localhost):${REDIS_PORT}(/|$) ]]; then
    PC_EXTERNAL_REDIS=0; else PC_EXTERNAL_REDIS=1; fi
fi
if [ -z "${PC_EXTERNAL_TEMPORAL+x}" ]; then
  __pc_tport="$TEMPORAL_PORT"; [ "$PC_ENGINE" = server ] && __pc_tport="$ENGINE_PORT"
  if [[ $TEMPORAL_ADDRESS =~ ^(127\.0\.0\.1|localhost):${__pc_tport}$ ]]; then
    PC_EXTERNAL_TEMPORAL=0; else PC_EXTERNAL_TEMPORAL=1; fi
  unset __pc_tport
fi
export PC_EXTERNAL_PG PC_EXTERNAL_REDIS PC_EXTERNAL_TEMPORAL

# --- secrets (local-stack convenience; the app itself has no fallback) ---
if [ -z "${ADMIN_TOKEN:-}" ] || [ -z "${ENCRYPTION_KEY:-}" ] || [ -z "${PAY_LINK_SECRET:-}" ]; then
  __pc_secrets="$DATA_DIR/secrets.env"
  mkdir -p "$DATA_DIR"
  if [ ! -s "$__pc_secrets" ]; then
    (
      umask 077
      printf 'ADMIN_TOKEN=%s\nENCRYPTION_KEY=%s\n' \
        "$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')" \
        "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" > "$__pc_secrets.tmp"
      mv -f "$__pc_secrets.tmp" "$__pc_secrets"
    )
  fi
  # A secrets file from before PAY_LINK_SECRET existed gets one added (the others stay as they are).
  if ! grep -q '^PAY_LINK_SECRET=' "$__pc_secrets"; then
    (umask 077; printf 'PAY_LINK_SECRET=%s\n' "$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')" >> "$__pc_secrets")
  fi
  chmod 600 "$__pc_secrets"
  __pc_admin="$(sed -n 's/^ADMIN_TOKEN=//p' "$__pc_secrets" | tail -n1)"
  __pc_key="$(sed -n 's/^ENCRYPTION_KEY=//p' "$__pc_secrets" | tail -n1)"
  __pc_pay="$(sed -n 's/^PAY_LINK_SECRET=//p' "$__pc_secrets" | tail -n1)"
  : "${ADMIN_TOKEN:=$__pc_admin}"
  : "${ENCRYPTION_KEY:=$__pc_key}"
  : "${PAY_LINK_SECRET:=$__pc_pay}"
  unset __pc_secrets __pc_admin __pc_key __pc_pay
fi
export ADMIN_TOKEN ENCRYPTION_KEY PAY_LINK_SECRET

# DATABASE_URL with its database name replaced (same host, port, user and ?params).
database_url_for() {
  local base="${DATABASE_URL%%\?*}" query=""
  [ "$base" != "$DATABASE_URL" ] && query="?${DATABASE_URL#*\?}"
  printf '%s/%s%s' "${base%/*}" "$1" "$query"
}

# Shared start of the npm entry points on a purpose-specific database:
#   prepare_services PURPOSE   (e.g. test, bench)
# installs dependencies, brings up the local services, then exports DATABASE_URL pointing at the
# database payment_center_PURPOSE (same host, port, user and ?params); PURPOSE_DATABASE_URL in
# upper case (TEST_DATABASE_URL, BENCH_DATABASE_URL) overrides it.
prepare_services() {
  local override="${1^^}_DATABASE_URL"
  bash "$ROOT/scripts/install.sh"
  bash "$ROOT/scripts/services.sh" up
  DATABASE_URL="${!override:-$(database_url_for "payment_center_$1")}"
  export DATABASE_URL
}
