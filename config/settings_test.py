"""Small overrides for the test suite; everything else is config.settings."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a test shares the test process's media folder.
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="award-media-")
ALLOWED_HOSTS = ["*"]
# Manifest storage answers 404 under live_server; plain storage in tests.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests call tasks in-process; the Celery worker tests (Redis; the filesystem broker in
# tests/browser/test_job_progress.py) start a worker and send to it explicitly.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions in the database only (production reads them through Redis first, cached_db):
# the literal query counts of the suite count the session's query.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Serve static files from the app folders without collectstatic (no STATIC_ROOT scan).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Two-factor sign-in is off for the suite; the tests of it turn it on.
REQUIRE_STAFF_2FA = False

# The site address links in mail and on certificates use (workflow.site); tests that
# check it set their own.
SITE_URL = "http://testserver"
# The API's throttles (api/throttling.py): out of the way of the suite's many requests from
# one address; tests/api/test_throttling.py sets its own small rates.
API_THROTTLE_RATES = {"anon": "100000/min", "user": "100000/min"}
