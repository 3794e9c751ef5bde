#!/usr/bin/env bash
# Set up (including Chromium for the browser tests) and run the whole test suite.
# Uses DATABASE_URL / REDIS_URL when given (CI gives PostgreSQL and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# Two workers (pytest-xdist, --dist loadgroup from pyproject.toml: the access matrix runs
# as two groups, one per worker) by default: this machine class has 2 cores; the suite takes
# about half the time. Give -n 0 (or TEST_WORKERS=0) to run in one process.
exec .venv/bin/pytest -n "${TEST_WORKERS:-2}" "$@"
