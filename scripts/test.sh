#!/usr/bin/env bash
# Set up (including Chromium for the browser tests) and run the whole test suite.
# Uses DATABASE_URL / REDIS_URL when given (CI gives PostgreSQL and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
export DJANGO_ALLOW_ASYNC_UNSAFE=true
exec .venv/bin/pytest "$@"
