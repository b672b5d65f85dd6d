"""Core Django settings: secret key, hosts, public URL, applications, middleware, templates, auth, i18n, static."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url
from config.settings._mode import BASE_DIR, DATA_DIR, DEBUG, PRODUCTION, require

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
    require(
        "REVIEW_GATE_BASE_URL",
        env_url("REVIEW_GATE_BASE_URL", schemes=("https", "http")),
        "DataWorks tips link reviewers to tickets with it",
    )
    or "http://127.0.0.1:8000"
)

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
    "workspaces",
    "accounts",
    "notifications",
    "dataworks_client",
    "operations",
]

MIDDLEWARE = [
    # First: every log line of the request, the other middleware's included, carries its request id.
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    # Before anything reads request.GET or request.POST: a charset other than UTF-8 is refused with one log line.
    "config.middleware.CharsetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for HTML and JSON (not the webhook, /metrics or static files); after whitenoise, which answers static files
    # itself. BREACH: Django masks the CSRF token per response, so compressing pages with forms is safe
    # (docs/review-ui-ticket.md).
    "config.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware and authentication: a logged-in user's chosen language wins over the browser's.
    "approvals.web.language.UserLanguageMiddleware",
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
                "approvals.context_processors.waiting_count",
            ],
        },
    },
]

# --- Auth ---------------------------------------------------------------------------------------------------------

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
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"  # our own page, in the user's language (axes has no zh catalogue)
AXES_VERBOSE = False  # its log lines would carry usernames on every attempt; lockouts are still logged
# The client's address as the audit trail records it: REMOTE_ADDR, or X-Forwarded-For behind the number of proxies
# REVIEW_GATE_PROXY_COUNT declares (config/settings/security.py). Without it, every login behind an undeclared
# proxy would come from the proxy's address, and one user's failures would lock that username out for everyone.
AXES_CLIENT_IP_CALLABLE = "config.http.client_ip"

# --- Mail -----------------------------------------------------------------------------------------------------------
# Mail is configured when DJANGO_EMAIL_HOST is set (SMTP). Without it nothing is sent, and the password-reset pages,
# which can only work by mail, are not routed at all (config/urls.py).

EMAIL_HOST = env_str("DJANGO_EMAIL_HOST")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)  # implicit TLS (port 465)
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", not EMAIL_USE_SSL)  # STARTTLS (port 587)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL exclude each other; set one.")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL")
MAIL_CONFIGURED = bool(EMAIL_HOST)
if MAIL_CONFIGURED and not DEFAULT_FROM_EMAIL:
    raise ImproperlyConfigured("DJANGO_DEFAULT_FROM_EMAIL is not set; mail from Review Gate needs a sender address.")
SERVER_EMAIL = DEFAULT_FROM_EMAIL or "root@localhost"
DEFAULT_FROM_EMAIL = DEFAULT_FROM_EMAIL or "webmaster@localhost"
# Password reset sends a link by mail: on only when mail is configured (REVIEW_GATE_PASSWORD_RESET=0 turns it off).
REVIEW_GATE_PASSWORD_RESET = MAIL_CONFIGURED and env_bool("REVIEW_GATE_PASSWORD_RESET", True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "approvals:inbox"
LOGOUT_REDIRECT_URL = "login"

# --- i18n, static -------------------------------------------------------------------------------------------------

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
