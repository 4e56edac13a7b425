"""Django settings, derived from :class:`omp.config.Settings`."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from csp.constants import NONCE, NONE, SELF

from omp.config import ROOT, get_settings
from omp.web import logs

_settings = get_settings()
BASE_DIR = ROOT
SECRET_KEY = _settings.resolved_secret_key()
DEBUG = _settings.debug
ALLOWED_HOSTS = _settings.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    # Sign-in throttling and lockout; its admin lists failures and lockouts and unlocks them.
    "axes",
    # The Content Security Policy header (and its system checks).
    "csp",
    # Listed so the API docs page uses the Swagger files shipped with django-ninja, not a CDN.
    "ninja",
    # REF-8: providers' API clients (OAuth2 client credentials) and their access tokens.
    "oauth2_provider",
    "omp.web",
    "omp.cases",
    "omp.decisions",
    "omp.custody",
    "omp.referrals",
    "omp.outcomes.web",
    "omp.commissioning",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id.
    "omp.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before anything below: public, long-cached, no CSP.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "omp.web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "omp.web.sessions.SessionTimeoutMiddleware",
    # Refused attempts (403, 404) of signed-in users go to the case-access log.
    "omp.web.middleware.RefusalLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: turns a refused sign-in into the locked-out sign-in page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "omp.web.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "omp.web.context_processors.roles_context",
                "omp.web.context_processors.navigation_context",
                "omp.web.context_processors.session_context",
                "omp.web.context_processors.notifications_context",
            ]
        },
    }
]
WSGI_APPLICATION = "omp.web.wsgi.application"


def _prepared_reads(enabled: bool) -> dict[str, object]:
    """psycopg's options for PostgreSQL: the parameters bound on the server, and the
    statements of the prepared reads (omp.prepared_reads: the token, the referral locked for
    a change and the other reads of every provider API write) prepared on the server,
    parsed and planned once per connection; the cursor says which statements to prepare
    (psycopg's threshold is only set, to one, because ``None`` turns preparing off
    altogether). Those statements cost the server more to plan than to
    run: a provider's API write took 3.9 ms of the server's CPU unprepared and 1.3 ms
    prepared (bench/profile_referral_writes.py)."""
    if not enabled:
        return {}
    from omp.prepared_reads import postgresql_cursor_class

    return {"server_side_binding": True, "prepare_threshold": 1,
            "cursor_factory": postgresql_cursor_class()}


def _database(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # WAL lets the web service read while the nightly recompute writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                        "transaction_mode": "IMMEDIATE", "timeout": 20},
            # One test database per test run (a file, so forked workers see the data): two
            # runs side by side must not share it.
            "TEST": {"NAME": str(Path(path).with_name(f"test_omp_{os.getpid()}.sqlite3"))},
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parsed.path.lstrip("/") or "postgres",
            "USER": parsed.username or "postgres",
            "PASSWORD": parsed.password or "",
            "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
            # Kept between requests (OMP_DB_CONN_MAX_AGE), and checked before a request
            # reuses one, so a server restart costs an error on no page.
            "CONN_MAX_AGE": _settings.db_conn_max_age,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": _prepared_reads(_settings.db_prepared_reads),
            "TEST": {"NAME": f"test_omp_{os.getpid()}"},
        }
    raise ValueError(f"OMP_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


DATABASES = {"default": _database(_settings.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sign-in protection (django-axes): after OMP_SIGNIN_FAILURE_LIMIT failures within the lockout
# time, counted per account and, separately, per address, sign-in is refused for
# OMP_SIGNIN_LOCKOUT_MINUTES (counted again from each attempt made while locked). A success
# does not wipe the count: it would wipe the address's count too, letting a guesser reset it
# by signing in to an account of their own between guesses.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = _settings.signin_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=_settings.signin_lockout_minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "omp.web.signin.locked_out"

# Sessions end after OMP_SESSION_IDLE_MINUTES without a request, and OMP_SESSION_LIFETIME_HOURS
# after sign-in however busy (omp.web.sessions); pages warn before the idle time-out. The
# cookie ends with the browser and never outlives the lifetime.
SESSION_IDLE_TIMEOUT = _settings.session_idle_minutes * 60
SESSION_LIFETIME = _settings.session_lifetime_hours * 3600
SESSION_COOKIE_AGE = SESSION_LIFETIME
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# REF-8: each provider's API client is an OAuth2 application (client credentials grant only)
# whose user is a service account on the provider's staff; its access tokens carry the one
# scope ``referrals`` and last OMP_API_TOKEN_MINUTES. Every RFC 9700 gate is on: tokens are
# kept only as checksums, never in the URL, no password or implicit grant.
OAUTH2_PROVIDER = {
    "SCOPES": {"referrals": "Read and work on the referrals sent to your organisation"},
    "DEFAULT_SCOPES": ["referrals"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": _settings.api_token_minutes * 60,
    "OAUTH2_VALIDATOR_CLASS": "omp.web.api_auth.ClientCredentialsOnly",
    # No redirecting flow is offered; were one ever, https only, and a replayed refresh
    # token would revoke its whole family (so `check --deploy` stays clean).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "case-search"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# OMP_SECURE=true, for a service reached over HTTPS: every request redirected to HTTPS, HSTS for
# a year (subdomains too, and marked for the browsers' preload lists), cookies sent over HTTPS
# only. Off by default so `make run` works on http://127.0.0.1:8000. Behind a proxy that ends
# TLS, gunicorn marks requests from the proxy's X-Forwarded-Proto as HTTPS (its
# forwarded_allow_ips), so Django sees them as secure without trusting the header itself.
SECURE = _settings.secure
SECURE_SSL_REDIRECT = SECURE
# A load balancer's health check may come over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE

# Content Security Policy (django-csp): scripts, styles, images, fonts and requests from this
# service only; inline script only with the request's nonce (base.html's one line marking
# JavaScript as on); no eval (Vega runs its expressions in vega-interpreter); no inline
# styles; no plugins, <base> or framing. `data:` images are Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ROOT / "staticfiles"
# WhiteNoise warns about a missing STATIC_ROOT on every request until `collectstatic` has run;
# an empty one is harmless (files are then found through the finders).
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [ROOT / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files once `collectstatic` has run (make run), and while it runs
        # (so that it writes them: its --clear empties STATIC_ROOT first); plain otherwise, so
        # tests and development need no build step.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and ((STATIC_ROOT / "staticfiles.json").exists()
                          or sys.argv[1:2] == ["collectstatic"])
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Structured logs (structlog): JSON lines unless OMP_DEBUG, each with the request's id.
LOGGING = logs.configure(debug=DEBUG, level=_settings.log_level)
