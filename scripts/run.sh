#!/usr/bin/env bash
# Set up, migrate, load the demo award cycles and serve the app on http://127.0.0.1:8000/.
# Embedded defaults: SQLite, and a Celery worker (with beat) beside the web server on a
# broker that needs no server (kombu's filesystem transport, messages under .run/broker/),
# so background jobs run in their own process and pages show their progress. With
# REDIS_URL set, the worker uses Redis; with DATABASE_URL set, that database is used.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The demo runs as production does (DEBUG off: the site's own error pages, never Django's
# debug pages), over plain HTTP on this machine, with a secret key kept in .env.
export DEBUG=${DEBUG:-false}
if [ -z "${SECRET_KEY:-}" ] && ! grep -qs '^SECRET_KEY=' .env; then
  echo "SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
fi
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-false}
export CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-false}
export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
# The demo signs in with a password alone; set REQUIRE_STAFF_2FA=true to try the 2FA set-up.
export REQUIRE_STAFF_2FA=${REQUIRE_STAFF_2FA:-false}
# Links in mail and on certificates point where this server listens (HOST, PORT).
export SITE_URL=${SITE_URL:-http://${HOST:-127.0.0.1}:${PORT:-8000}}
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --noinput -v0  # WhiteNoise serves them with DEBUG off
.venv/bin/python manage.py load_demo
.venv/bin/python manage.py load_poll_demo
.venv/bin/python manage.py load_review_demo
.venv/bin/python manage.py load_hk_demo  # before load_results_demo: its winners join the programme
.venv/bin/python manage.py load_results_demo
mkdir -p .run
if [ -n "${REDIS_URL:-}" ]; then
  echo ">> starting a Celery worker (with beat) against $REDIS_URL"
  .venv/bin/celery -A config worker --beat --pool=solo --loglevel=INFO &
else
  export CELERY_BROKER_DIR=${CELERY_BROKER_DIR:-$PWD/.run/broker}
  mkdir -p "$CELERY_BROKER_DIR/queue" "$CELERY_BROKER_DIR/control" "$CELERY_BROKER_DIR/results"
  echo ">> starting a Celery worker (with beat) on the filesystem broker in $CELERY_BROKER_DIR"
  .venv/bin/celery -A config worker --beat --schedule .run/celerybeat-schedule --pool=solo \
    --without-gossip --without-mingle --loglevel=INFO &
fi
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT
echo ">> open http://127.0.0.1:${PORT:-8000}/ and sign in with a demo user above"
.venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
