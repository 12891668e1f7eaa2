#!/usr/bin/env bash
# Runs Cordon's browser journeys (Playwright + axe-core) against `cordon demo`.
#
#   e2e/run.sh                     all journeys
#   e2e/run.sh tests/layout.spec.ts --headed ...   (arguments go to `playwright test`)
#
# Needs: Node 20+, a built server (`cargo build`, or CORDON_BIN), and Chromium
# at /usr/bin/chromium (Debian: apt-get install chromium; or CORDON_E2E_CHROMIUM).
# CORDON_E2E_DATABASE_URL runs the server against that database (e.g. PostgreSQL)
# instead of a fresh temporary SQLite one.
set -euo pipefail
cd "$(dirname "$0")"

# Playwright must not try to download its own browsers: we drive Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

chromium="${CORDON_E2E_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "e2e: no Chromium at $chromium: install it (apt-get install chromium) or set CORDON_E2E_CHROMIUM" >&2
  exit 1
fi
bin="${CORDON_BIN:-../target/debug/cordon}"
if [[ -z "${CORDON_E2E_BASE_URL:-}" && ! -x "$bin" ]]; then
  echo "e2e: no cordon binary at $bin: run \`cargo build\` first, or set CORDON_BIN" >&2
  exit 1
fi

# Install the locked dependencies when they are missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "e2e: installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

exec npx --no-install playwright test "$@"
