#!/usr/bin/env bash
# Test entry point (`npm test`): installs deps, brings up the local services,
# then runs Jest against the payment_center_test database.
#   scripts/test.sh [jest args...]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

# database payment_center_test (TEST_DATABASE_URL overrides)
prepare_services test
export NODE_ENV=test

# The full run (no arguments) also typechecks, lints and runs the contract test; `npm test -- <paths>` runs just those tests.
if [ "$#" -eq 0 ]; then
  echo "[test] typecheck"; tsc --noEmit -p "$ROOT/tsconfig.json"
  echo "[test] lint"; eslint --max-warnings=0 "$ROOT"
  echo "[test] web: typecheck, API types up to date"
  tsc --noEmit -p "$ROOT/web/tsconfig.json"
  bash "$ROOT/scripts/web-types.sh" --check
fi

if [ "$#" -gt 0 ]; then exec jest --runInBand "$@"; fi
# The contract against the live API: its own API, worker and tenant (scripts/schemathesis.sh).
echo "[test] contract (schemathesis)"; bash "$ROOT/scripts/schemathesis.sh"
# Jest last, and its plain closing line ("Tests: N passed, N failed, N skipped") after Jest's own summary,
# so the run's last line is that count for whoever reads the tail; Jest's exit status is the run's.
echo "[test] jest"
closing_line="$(mktemp)"
status=0
JEST_CLOSING_LINE_FILE="$closing_line" jest --runInBand || status=$?
cat "$closing_line"; rm -f "$closing_line"
exit "$status"
