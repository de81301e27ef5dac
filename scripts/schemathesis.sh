#!/usr/bin/env bash
# Contract test (`npm test` runs it after jest): Schemathesis against the live API on the test
# database. Starts its own worker and API on a free port and task queue, creates a Professional
# tenant, runs every check against /docs/json, then stops what it started.
#   scripts/schemathesis.sh [extra schemathesis args, e.g. --include-path-regex invoices]
# SCHEMATHESIS_MAX_EXAMPLES bounds the cases per operation and phase.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

log() { echo "[schemathesis] $*"; }
die() { echo "[schemathesis] ERROR: $*" >&2; exit 1; }

prepare_services test
ST="$TOOLS_DIR/schemathesis/bin/st"
[ -x "$ST" ] || die "$ST missing; scripts/install.sh installs it"

WORK_DIR="$DATA_DIR/schemathesis"
mkdir -p "$WORK_DIR"
rm -rf "$WORK_DIR/report"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT="$(free_port)"
export PORT HOST=127.0.0.1 PUBLIC_BASE_URL="http://127.0.0.1:$PORT" NODE_ENV=test LOG_LEVEL=warn
# A task queue of its own, so no other worker on the dev server picks up these invoices.
export TEMPORAL_TASK_QUEUE="schemathesis-$$-$(date +%s)"
# Its worker's metrics on a free port: a running stack holds the default one.
export WORKER_METRICS_PORT=0
# Stripe calls go to the tests' local fake of the Stripe API (no traffic leaves the machine).
export STRIPE_API_HOST=127.0.0.1 STRIPE_API_PORT="$(free_port)" STRIPE_API_PROTOCOL=http

pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2> /dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2> /dev/null || true
  done
}
trap stop_all EXIT

tsx scripts/migrate.ts > /dev/null
# own session => own process group, stopped as a group
setsid tsx scripts/fake-stripe.ts "$STRIPE_API_PORT" > "$WORK_DIR/fake-stripe.log" 2>&1 < /dev/null &
pids+=("$!")
setsid tsx worker/main.ts > "$WORK_DIR/worker.log" 2>&1 < /dev/null &
pids+=("$!")
setsid tsx api/main.ts > "$WORK_DIR/api.log" 2>&1 < /dev/null &
pids+=("$!")

key="$(tsx cli/main.ts tenants create --name "Schemathesis $(date -Is)" --plan professional | tail -n1 \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const o=JSON.parse(s);if(!o.apiKey)process.exit(1);process.stdout.write(o.apiKey)})')" \
  || die "tenant creation failed"

for _ in $(seq 1 120); do
  curl -fsS -o /dev/null --max-time 2 "$PUBLIC_BASE_URL/healthz" 2> /dev/null && break
  kill -0 "${pids[2]}" 2> /dev/null || { tail -n 40 "$WORK_DIR/api.log" >&2; die "API exited"; }
  sleep 0.5
done
for _ in $(seq 1 60); do grep -q 'worker listening' "$WORK_DIR/worker.log" 2> /dev/null && break; sleep 0.5; done
grep -q 'worker listening' "$WORK_DIR/worker.log" || { tail -n 40 "$WORK_DIR/worker.log" >&2; die "worker did not start"; }
grep -q '^listening' "$WORK_DIR/fake-stripe.log" || die "fake Stripe did not start"

log "API, worker and tenant ready after ${SECONDS}s; running against $PUBLIC_BASE_URL/docs/json"
started=$SECONDS
status=0
# Rules JSON Schema cannot state (cross-field, server-issued cursors) are kept by these hooks.
# Schemathesis frames its sections as pytest does ("=== 2 warnings in 69.79s ==="): a CI that reads
# the run's output for a pytest closing line takes that one for a run of no test, so the frames are
# rewritten ("--- 2 warnings (69.79s) ---"); the exit status is still Schemathesis's (pipefail).
PC_API_KEY="$key" PYTHONPATH="$ROOT/scripts" SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$ST" --config-file "$ROOT/scripts/schemathesis.toml" run "$PUBLIC_BASE_URL/docs/json" \
  --checks all \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-10}" \
  --workers 2 \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --generation-database none \
  --request-timeout 30 \
  --no-color \
  --report junit --report-dir "$WORK_DIR/report" \
  "$@" 2>&1 | sed -u -E -e 's/^=+ (.*[^ ]) =+$/--- \1 ---/' -e 's/^(--- .*) in ([0-9.]+s) ---$/\1 (\2) ---/' || status=$?
log "finished in $(( SECONDS - started ))s (exit $status); API log $WORK_DIR/api.log"
if [ "$status" != 0 ]; then
  grep -E '"level":(50|60)' "$WORK_DIR/api.log" | tail -n 20 >&2 || true
fi
exit "$status"
