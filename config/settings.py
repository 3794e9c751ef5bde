"""One settings module, configured from the environment (django-environ).

Defaults are the embedded ones: SQLite in the project folder, no Redis (Celery tasks
run in-process), console e-mail, media on local disk. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false; see docs/deploy.md.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "workflow",
    "agencies",
    "rubrics",
    "awards",
    "scoring",
    "surveys",
    "awards.results",
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",  # before WhiteNoise: static files too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "agencies.middleware.TwoFactorMiddleware",
    # Last, so that it sees the sign-in view's response and can replace it on lock-out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Templates are compiled once per process and kept (the cached loader), spelled out rather
# than left to Django's default so that no one turns it off by adding a loader; under
# `make run` the autoreloader empties the cache when a template changes.
_TEMPLATE_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "loaders": [("django.template.loaders.cached.Loader", _TEMPLATE_LOADERS)],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "agencies.context_processors.two_factor",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: a new PostgreSQL connection per request costs about 5 ms of
    # a 6 ms page (bench.load, issue 15). Each gunicorn worker and each Celery process
    # keeps one; a connection the server dropped is replaced at the next request.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded defaults: the web server and the worker process share the file.
    # WAL lets pages read while the worker writes progress; IMMEDIATE takes the write
    # lock at the start of a transaction, and a writer waits (timeout) rather than fails.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Client address behind reverse proxies: the number of proxies in front of the app that
# each append to X-Forwarded-For (nginx alone: 1). 0 means REMOTE_ADDR is the client.
# Every rate limit keys on agencies.client_ip.client_ip(), which reads this.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sign-in throttling (django-axes, see docs/security.md): an account locks after
# SIGN_IN_FAILURES_PER_ACCOUNT failures from any addresses, an address after
# SIGN_IN_FAILURES_PER_ADDRESS failures for any accounts, each for the cool-off.
SIGN_IN_FAILURES_PER_ACCOUNT = env.int("SIGN_IN_FAILURES_PER_ACCOUNT", default=5)
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", default=20)
SIGN_IN_COOLOFF = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_ENABLED = True
AXES_HANDLER = "agencies.throttling.SignInThrottle"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = SIGN_IN_FAILURES_PER_ACCOUNT  # the address limit: SignInThrottle
AXES_COOLOFF_TIME = SIGN_IN_COOLOFF
# A lock-out lasts the cool-off from the failure that caused it; tries while locked do
# not prolong it (else anyone could keep an account locked for ever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # SignInThrottle resets the account's count only
AXES_CLIENT_IP_CALLABLE = "agencies.client_ip.client_ip"
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field, not USERNAME_FIELD
AXES_USERNAME_CALLABLE = "agencies.throttling.username_of"
AXES_LOCKOUT_CALLABLE = "agencies.auth_views.locked_out"
AXES_VERBOSE = False

# Two-factor sign-in (django-otp, TOTP with recovery codes). Staff (secretariat,
# approver, admin users) must set it up when this is on: by default in production.
REQUIRE_STAFF_2FA = env.bool("REQUIRE_STAFF_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Service Quality Award")
OTP_TOTP_THROTTLE_FACTOR = 1  # wrong codes: wait 1, 2, 4, 8 ... seconds (django-otp)
OTP_STATIC_THROTTLE_FACTOR = 1

# Internationalisation: Traditional Chinese first, English second.
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "lang"
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Taipei")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Hashed file names (ManifestStaticFilesStorage) change with the content, so WhiteNoise
# serves them as immutable for a year; files without a hash get this max-age (one day).
WHITENOISE_MAX_AGE = env.int("WHITENOISE_MAX_AGE", default=0 if DEBUG else 86400)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: downloads go through checked views
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# E-mail: console in development; EMAIL_URL (smtp://user:pass@host:587/?tls=True) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="award-cycle@localhost")

# Celery: Redis when REDIS_URL is given. Without it (the embedded defaults), a broker
# that needs no server: kombu's filesystem transport, messages as files in
# CELERY_BROKER_DIR (default .run/broker/), and `make run` starts a real worker process
# beside the web server, so background jobs show their progress and never hold up a
# page. The test settings run tasks in-process (config/settings_test.py).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # The session is read from Redis (written through to the database), so a signed-in
    # page costs no session query; the user is then loaded once, by AuthenticationMiddleware.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / ".run/broker")))
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.25,
    }
    for _folder in ("queue", "control", "results"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
    CELERY_TASK_EAGER_PROPAGATES = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A per-process cache is not shared by the web workers: sessions stay in the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One queue per kind of work (docs/scaling.md). A worker started without -Q serves them
# all (`make run`, one machine); in production start one per queue, e.g.
# `celery -A config worker -Q pdf --concurrency 2`, so that a 50,000-certificate batch
# never delays a password-reset mail and a poll import never delays a compile.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("default", "mail", "import", "pdf")
]
CELERY_TASK_ROUTES = {
    "workflow.outbound_mail_send": {"queue": "mail"},
    "agencies.password_reset_mail_send": {"queue": "mail"},
    "results.certificates_chunk": {"queue": "pdf"},
    "results.certificates_merge": {"queue": "pdf"},
    "surveys.poll_import": {"queue": "import"},
    # workflow.job_run: sent with its kind's queue (workflow.jobs.register(queue=...)).
}

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via env.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# Upload limits (per-edition limits for dossiers come later; this is the hard ceiling).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AGENCY_IMPORT_MAX_BYTES = 5 * 1024 * 1024
# Every ZIP-based upload (XLSX, DOCX, ...) is inspected before anything opens it
# (agencies/uploads.py, docs/security.md): at most this many entries, this much
# uncompressed content (declared and actually read), and this compression ratio.
UPLOAD_ZIP_MAX_ENTRIES = env.int("UPLOAD_ZIP_MAX_ENTRIES", default=2000)
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = env.int(
    "UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024
)
UPLOAD_ZIP_MAX_RATIO = env.int("UPLOAD_ZIP_MAX_RATIO", default=100)
# An agency import job silent this long has lost its worker; another may take it over.
AGENCY_IMPORT_JOB_STALE_SECONDS = 120

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint and fontTools log every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; failures and lock-outs are warnings.
        "axes": {"level": "WARNING"},
    },
}

SITE_NAME = _("Service Quality Award")

# The site's one declared address, for absolute links made outside a request (mail sent by
# jobs, batch certificates' QR codes). Production sets it (docs/deploy.md). Empty: pages use
# the request's own address, and jobs use the address `make run` serves on.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

# The read-only JSON API (api/, docs/api.md): Django REST Framework with per-user tokens,
# the pages' own permission rules, throttling per client address (anonymous) and per user.
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="60/min"),
    "user": env.str("API_THROTTLE_USER", default="600/min"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonRateThrottle",
        "api.throttling.UserRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service Quality Award API",
    "DESCRIPTION": (
        "Read-only JSON API of the award-cycle system: published editions, winners, "
        "history figures and certificate verification for everyone; an agency's own "
        "nominations and the secretariat's standings and exports with a personal API token "
        "(Authorization: Token <key>). See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": False,
    "SORT_OPERATIONS": False,  # in the order of api/urls.py: schemes first
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
}
