"""Django settings for Review Gate, driven entirely by environment variables.

Every variable is documented in README.md. Production is the default: DEBUG is off unless DJANGO_DEBUG=1, and
missing or inconsistent production settings stop the process at start with a message naming the variable.
`REVIEW_GATE_DEMO=1` (set by `make run` when no DataWorks credentials are configured) relaxes only what the local
emulator makes unnecessary; it never turns authentication off.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_str, env_url, is_loopback_host

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("REVIEW_GATE_DATA_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)
DEMO_MODE = env_bool("REVIEW_GATE_DEMO", False)
PRODUCTION = not DEBUG and not DEMO_MODE


def _require(name: str, value: str, why: str) -> str:
    if PRODUCTION and not value:
        raise ImproperlyConfigured(f"{name} is not set; {why} (see README.md, 'Configuration').")
    return value


# --- Core -------------------------------------------------------------------------------------------------------

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set; it signs sessions and CSRF tokens. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-debug-only-key-never-use-in-production"  # noqa: S105 - DEBUG only
elif PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's own deployment check (security.W009) asks for the same.
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters with at least 5 different ones.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set; list the host names this server answers to.")

REVIEW_GATE_BASE_URL = (
    _require(
        "REVIEW_GATE_BASE_URL",
        env_url("REVIEW_GATE_BASE_URL", schemes=("https", "http")),
        "DataWorks tips link reviewers to tickets with it",
    )
    or "http://127.0.0.1:8000"
)

# --- EventBridge intake -------------------------------------------------------------------------------------------

EVENTBRIDGE_TOKEN = env_str("EVENTBRIDGE_TOKEN")
if not EVENTBRIDGE_TOKEN and not DEMO_MODE:
    raise ImproperlyConfigured(
        "EVENTBRIDGE_TOKEN is not set; the webhook would accept events from anyone. Set the same value as the "
        "Token of the EventBridge HTTP target."
    )
if EVENTBRIDGE_TOKEN and PRODUCTION and len(EVENTBRIDGE_TOKEN) < 16:
    raise ImproperlyConfigured("EVENTBRIDGE_TOKEN must be at least 16 characters long.")
# Largest webhook body we accept; EventBridge caps an event at 256 KiB.
EVENTBRIDGE_MAX_BODY_BYTES = env_int("EVENTBRIDGE_MAX_BODY_BYTES", 256 * 1024, minimum=1024, maximum=1024 * 1024)

# --- DataWorks ----------------------------------------------------------------------------------------------------

DATAWORKS_REGION = env_str("DATAWORKS_REGION", "cn-hangzhou")
if not DATAWORKS_REGION.replace("-", "").isalnum():
    raise ImproperlyConfigured(f"DATAWORKS_REGION must look like cn-hangzhou (got {DATAWORKS_REGION!r}).")
DATAWORKS_ENDPOINT = env_str("DATAWORKS_ENDPOINT")
if "://" in DATAWORKS_ENDPOINT:
    raise ImproperlyConfigured("DATAWORKS_ENDPOINT takes host[:port] without a scheme; use DATAWORKS_PROTOCOL.")
DATAWORKS_PROTOCOL = env_str("DATAWORKS_PROTOCOL", "https").lower()
if DATAWORKS_PROTOCOL not in {"https", "http"}:
    raise ImproperlyConfigured(f"DATAWORKS_PROTOCOL must be https or http (got {DATAWORKS_PROTOCOL!r}).")
if PRODUCTION and DATAWORKS_PROTOCOL == "http" and not is_loopback_host(DATAWORKS_ENDPOINT):
    raise ImproperlyConfigured(
        "DATAWORKS_PROTOCOL=http is only allowed for a loopback DATAWORKS_ENDPOINT (the local emulator); "
        "AccessKey-signed calls to DataWorks must use https."
    )
DATAWORKS_EXTENSION_CODE = _require(
    "DATAWORKS_EXTENSION_CODE",
    env_str("DATAWORKS_EXTENSION_CODE"),
    "every result callback names the extension",
)
DATAWORKS_ACCESS_KEY_ID = env_str("ALIBABA_CLOUD_ACCESS_KEY_ID")
DATAWORKS_ACCESS_KEY_SECRET = env_str("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
if bool(DATAWORKS_ACCESS_KEY_ID) != bool(DATAWORKS_ACCESS_KEY_SECRET):
    missing = "ALIBABA_CLOUD_ACCESS_KEY_SECRET" if DATAWORKS_ACCESS_KEY_ID else "ALIBABA_CLOUD_ACCESS_KEY_ID"
    raise ImproperlyConfigured(
        f"{missing} is not set while its pair is; set both, or neither to use the SDK's credential chain."
    )
DATAWORKS_CONNECT_TIMEOUT_MS = env_int("DATAWORKS_CONNECT_TIMEOUT_MS", 3000, minimum=100, maximum=60000)
DATAWORKS_READ_TIMEOUT_MS = env_int("DATAWORKS_READ_TIMEOUT_MS", 10000, minimum=100, maximum=120000)
# DataWorks allows ~50 reads/s and ~20 writes/s per account and region; stay under with headroom.
DATAWORKS_READS_PER_SECOND = env_int("DATAWORKS_READS_PER_SECOND", 40, minimum=1, maximum=1000)
DATAWORKS_WRITES_PER_SECOND = env_int("DATAWORKS_WRITES_PER_SECOND", 15, minimum=1, maximum=1000)
DATAWORKS_RATE_MAX_WAIT_SECONDS = env_float("DATAWORKS_RATE_MAX_WAIT_SECONDS", 2.0)

# --- Review policy ------------------------------------------------------------------------------------------------

# What happens to a ticket no rule matches: "review" (default, fail closed: any user with the approvals.review_any
# permission must decide), or an automatic "OK", "WARN" or "FAIL".
REVIEW_GATE_UNMATCHED = env_str("REVIEW_GATE_UNMATCHED", "review")
if REVIEW_GATE_UNMATCHED not in {"review", "OK", "WARN", "FAIL"}:
    raise ImproperlyConfigured(
        f"REVIEW_GATE_UNMATCHED must be review, OK, WARN or FAIL (got {REVIEW_GATE_UNMATCHED!r})."
    )
REVIEW_GATE_ALLOW_OVERRIDE = env_bool("REVIEW_GATE_ALLOW_OVERRIDE", True)
REVIEW_GATE_COMMENT_MAX_LENGTH = env_int("REVIEW_GATE_COMMENT_MAX_LENGTH", 4000, minimum=100, maximum=100_000)
# DataWorks documents no limit for CheckResultTip (protocol doc §6.1, GAP); keep tips short enough for a dialog.
REVIEW_GATE_TIP_MAX_LENGTH = env_int("REVIEW_GATE_TIP_MAX_LENGTH", 500, minimum=120, maximum=4000)
# Code larger than this is stored truncated-away with a "too large to display" notice instead of a diff.
REVIEW_GATE_MAX_CODE_BYTES = env_int("REVIEW_GATE_MAX_CODE_BYTES", 2 * 1024 * 1024, minimum=1024)
# How long a ticket keeps retrying to fetch its details from DataWorks before it needs attention.
REVIEW_GATE_PREPARE_HORIZON_SECONDS = env_int("REVIEW_GATE_PREPARE_HORIZON_SECONDS", 24 * 3600, minimum=60)
# Result delivery: retry throttled/transient failures with exponential backoff and full jitter for this long
# (24 h matches EventBridge's longest retry policy), then give up loudly.
REVIEW_GATE_DELIVERY_HORIZON_SECONDS = env_int("REVIEW_GATE_DELIVERY_HORIZON_SECONDS", 24 * 3600, minimum=60)
REVIEW_GATE_DELIVERY_BACKOFF_BASE_SECONDS = env_float("REVIEW_GATE_DELIVERY_BACKOFF_BASE_SECONDS", 5.0)
REVIEW_GATE_DELIVERY_BACKOFF_CAP_SECONDS = env_float("REVIEW_GATE_DELIVERY_BACKOFF_CAP_SECONDS", 600.0)
# Workspaces the reconciler always checks, beyond those it has seen events from (comma-separated IDs).
REVIEW_GATE_WORKSPACES = [int(p) for p in env_list("REVIEW_GATE_WORKSPACES") if p.isdigit()]
# How long GetExtension / GetOptionValueForProject answers are cached.
REVIEW_GATE_OPTIONS_TTL_SECONDS = env_int("REVIEW_GATE_OPTIONS_TTL_SECONDS", 120, minimum=0)

# --- Applications -------------------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_q",
    "axes",
    "events",
    "approvals",
    "dataworks_client",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "approvals.context_processors.delivery_alerts",
            ],
        },
    },
]

# --- Database, cache, queue ---------------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))

if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this app understands: {exc}") from None
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "review_gate.sqlite3")}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN so two processes never
    # deadlock upgrading a read lock (the "database is locked" failure django-q2's monitor hits otherwise).
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Persistent per process, as on PostgreSQL: django-q2's ORM broker calls close_old_connections() before each
    # enqueue, and with CONN_MAX_AGE=0 every webhook request reopened the file and re-ran the PRAGMAs
    # (2.6 -> 1.1 ms CPU per event, bench/RESULTS.md). Safe: a connection is never shared between threads.
    _db["CONN_MAX_AGE"] = 60
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Queue: one worker call to DataWorks is bounded by connect+read timeouts (13 s by default), far below `timeout`;
# `retry` exceeds `timeout` plus time queued so a task still running is never handed to a second worker.
Q_CLUSTER: dict[str, object] = {
    "name": "review_gate",
    "workers": env_int("REVIEW_GATE_QUEUE_WORKERS", 2, minimum=1, maximum=64),
    "timeout": 60,
    "retry": 150,
    "max_attempts": 10,
    "queue_limit": 8,
    "catch_up": False,
    "save_limit": 500,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth, i18n, static -------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed-login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for the cool-off time. Axes only checks lockouts (it must come first); ModelBackend checks
# passwords; a future SSO backend goes beside ModelBackend.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env_bool("REVIEW_GATE_LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = env_int("REVIEW_GATE_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("REVIEW_GATE_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its log lines would carry usernames on every attempt; lockouts are still logged

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "approvals:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security -----------------------------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_AGE_SECONDS", 12 * 3600, minimum=300)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
# Load balancers probe over plain HTTP; never redirect the probes.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
REVIEW_GATE_CSP_REPORT_ONLY = env_bool("REVIEW_GATE_CSP_REPORT_ONLY", False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's pages would need inline script, which the CSP forbids.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# --- Logging: never payload bodies or secrets, only identifiers ----------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
}
