#!/usr/bin/env bash
# Set up, migrate, load the demo award cycles and serve the app on http://127.0.0.1:8000/.
# Embedded defaults: SQLite and in-process tasks. With REDIS_URL set, a Celery worker
# (with beat) runs beside the web server; with DATABASE_URL set, that database is used.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DEBUG=${DEBUG:-true}
# The demo signs in with a password alone; set REQUIRE_STAFF_2FA=true to try the 2FA set-up.
export REQUIRE_STAFF_2FA=${REQUIRE_STAFF_2FA:-false}
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo
.venv/bin/python manage.py load_poll_demo
.venv/bin/python manage.py load_review_demo
.venv/bin/python manage.py load_results_demo
if [ -n "${REDIS_URL:-}" ]; then
  echo ">> starting a Celery worker (with beat) against $REDIS_URL"
  .venv/bin/celery -A config worker --beat --pool=solo --loglevel=INFO &
  worker=$!
  trap 'kill $worker 2>/dev/null || true' EXIT
fi
echo ">> open http://127.0.0.1:${PORT:-8000}/ and sign in with a demo user above"
.venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
