#!/usr/bin/env bash
# The web app's API types (web/src/api/schema.d.ts) are generated from the OpenAPI document, so the
# screens cannot drift from the API.
#   scripts/web-types.sh          regenerate them
#   scripts/web-types.sh --check  fail (and show the diff) when the checked-in file is out of date
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

out=web/src/api/schema.d.ts
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tsx scripts/openapi.ts > "$tmp/openapi.json"
openapi-typescript "$tmp/openapi.json" --output "$tmp/schema.d.ts" > /dev/null
if [ "${1:-}" = --check ]; then
  diff -u "$out" "$tmp/schema.d.ts" || { echo "[web-types] $out is out of date: run npm run web:types" >&2; exit 1; }
  echo "[web-types] $out is up to date"
else
  cp "$tmp/schema.d.ts" "$out"
  echo "[web-types] wrote $out"
fi
