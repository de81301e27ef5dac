#!/usr/bin/env bash
# Benchmark entry point (`npm run bench`): installs deps, brings up the local services, then runs
# bench/run.ts against the payment_center_bench database (created and migrated here).
#   scripts/bench.sh [bench args...]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

# database payment_center_bench (BENCH_DATABASE_URL overrides); the main one stays the admin connection
__admin_url="$DATABASE_URL"
prepare_services bench

# Create the database if missing, connected to the main database as the app role (it has CREATEDB).
__db_name="${DATABASE_URL%%\?*}"
__db_name="${__db_name##*/}"
if [[ ! $__db_name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
  echo "[bench] ERROR: unexpected database name '$__db_name'" >&2
  exit 1
fi
__pg() { psql -X -q -v ON_ERROR_STOP=1 -d "$__admin_url" "$@"; }
if [ "$(__pg -tA -c "SELECT 1 FROM pg_database WHERE datname = '$__db_name'")" != 1 ]; then
  echo "[bench] creating database $__db_name"
  # a concurrent run may have created it meanwhile: only fail if it is still missing
  __pg -c "CREATE DATABASE $__db_name" > /dev/null 2>&1 \
    || [ "$(__pg -tA -c "SELECT 1 FROM pg_database WHERE datname = '$__db_name'")" = 1 ] \
    || { echo "[bench] ERROR: could not create database $__db_name" >&2; exit 1; }
fi
unset __admin_url __base __query __db_name
unset -f __pg

# `--engines dev,server`: both engines up; bench/engines.ts runs each section on each of them.
__engines=""; __prev=""
for __a in "$@"; do
  case "$__a" in --engines=*) __engines="${__a#*=}" ;; esac
  [ "$__prev" = --engines ] && __engines="$__a"
  __prev="$__a"
done
if [ -n "$__engines" ]; then
  export PC_ENGINE_ADDRESS_DEV="127.0.0.1:$TEMPORAL_PORT" PC_ENGINE_ADDRESS_SERVER="127.0.0.1:$ENGINE_PORT"
  if [[ ,$__engines, == *,server,* ]] && [ "$PC_ENGINE" != server ]; then bash "$ROOT/scripts/engine.sh" up; fi
  if [[ ,$__engines, == *,dev,* ]] && [ "$PC_ENGINE" != dev ]; then
    PC_ENGINE=dev TEMPORAL_ADDRESS="$PC_ENGINE_ADDRESS_DEV" TEMPORAL_UI_URL="http://127.0.0.1:$TEMPORAL_UI_PORT" PC_EXTERNAL_TEMPORAL=0 \
      bash "$ROOT/scripts/services.sh" up
  fi
fi
unset __engines __prev __a

echo "[bench] migrating ${DATABASE_URL%%\?*}" | sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#'
tsx scripts/migrate.ts

# BENCH_RUNTIME=compiled: the API and worker processes the bench starts run from dist/ (as the Docker image runs them).
if [ "${BENCH_RUNTIME:-tsx}" = compiled ]; then npm run --silent build; fi
exec tsx bench/run.ts "$@"
