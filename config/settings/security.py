"""HTTP security: cookies, HTTPS and HSTS, security headers, and the JSON API's authentication."""

from __future__ import annotations

from config.env import env_bool, env_int
from config.settings._mode import PRODUCTION

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_AGE_SECONDS", 12 * 3600, minimum=300)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies (nginx, a load balancer) stand between clients and this app, each appending the address
# it received the request from to X-Forwarded-For. 0: the client is REMOTE_ADDR. N: the client is the N-th address
# from the right of X-Forwarded-For (config.http.client_ip), for the audit trail and login throttling alike. Set it
# only when the app cannot be reached except through those proxies, or clients could choose their own address.
REVIEW_GATE_PROXY_COUNT = env_int("REVIEW_GATE_PROXY_COUNT", 0, minimum=0, maximum=10)
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
