"""Settings for IOM Housing, read from environment variables (every one is listed in the README)."""

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, overload

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            'value (for example the output of `python -c "import secrets; print(secrets.token_urlsafe(50))"`), '
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The site's "Your form could not be sent" page instead of Django's technical one.
CSRF_FAILURE_VIEW = "iom_housing.views.csrf_failure"

INSTALLED_APPS = [
    "iom_housing.apps.IomHousingAdminConfig",  # django.contrib.admin with the scheme's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",  # before the project's apps: agencies/admin.py unregisters its admin pages
    "crispy_forms",
    "crispy_forms_gds",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "iom_housing",
    "agencies",
    "referrals",
    "placements",
    "alerts",
    "aftercare",
    "casefiles",
    "reports",
    "moveon",
    "audit",
    "outbox",
    "demo",  # seed_demo and seed_scale; nothing in the service imports it
]

MIDDLEWARE = [
    # First, so that its total covers every other middleware; only with SERVER_TIMING on (bench/).
    "iom_housing.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the address or a form: PostgreSQL cannot take a NUL byte (400, not 500).
    "iom_housing.security.middleware.RefuseNulBytesMiddleware",
    "iom_housing.security.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their cache), before everything that may answer.
    "iom_housing.security.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's own language over the cookie's and the browser's (LocaleMiddleware's).
    "iom_housing.i18n.PreferredLanguageMiddleware",
    # Who changed what, from which request (pghistory's context), and who read whose record.
    "audit.history.HistoryMiddleware",
    "audit.access.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "iom_housing.security.middleware.SessionTimeoutMiddleware",
    "iom_housing.security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "iom_housing.urls"
WSGI_APPLICATION = "iom_housing.wsgi.application"

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
                "iom_housing.context_processors.service",
                "alerts.context_processors.open_alert_count",
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded PostgreSQL under .data/postgresql (EMBEDDED_DB_DIR) when
# it is unset (iom_housing/embedded_db.py, docs/adr/004-embedded-postgresql.md).
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from iom_housing.embedded_db import EmbeddedDatabaseError, embedded_database_url

    try:
        DATABASE_URL = embedded_database_url()
    except EmbeddedDatabaseError as error:
        raise SystemExit(f"The embedded PostgreSQL cannot start.\n{error}") from None
# Connections are closed after each request unless DB_CONN_MAX_AGE says otherwise: runserver serves
# each browser connection (kept alive for minutes) on a thread of its own, and a persistent database
# connection per such thread is how a demo ran out of connections. Servers with a fixed number of
# workers keep theirs (docker-compose and `make bench` set 60: one a gunicorn worker or thread, one
# a Celery process), checked before reuse so that a restarted server costs no failed request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
# Planner settings for short queries on a busy server (docs/adr/019-performance-at-scale.md): no
# JIT compilation (30-60 ms to compile a page's query that runs in a few); index probes priced as
# on SSD with the data cached (the default prices a probe 4 times a page read, and scans a
# 300,000-row table instead of 4,000 probes); no parallel workers (the cores are already shared by
# the web workers and PostgreSQL). The evaluation report's transaction sets its own.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c jit=off -c random_page_cost=1.1 -c max_parallel_workers_per_gather=0"
)
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "DATABASE_URL must point at PostgreSQL (postgres://…): it is the only database."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and cache. Without it, tasks run eagerly in-process.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down or hung costs a request two seconds at most (the API throttle
            # then lets it through: iom_housing.api.auth.ApiClientThrottle).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: scheduled sweeps, alerts and their emails (schedules in iom_housing/celery.py) ---
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# The visibility timeout is above the longest task's time limit, so a slow task is not handed to
# a second worker. The socket timeouts keep a request from hanging on a broker that is down or
# hung: publishing then fails within about 3.5 seconds (one retry), the change is saved anyway and
# the outbox sweep hands its work over later (docs/adr/005-durable-task-handoff.md); they are
# above the worker's 1-second BRPOP poll, so an idle worker does not time out.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 4,
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
# A task whose worker dies mid-run goes back on the queue (tasks are idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Alerts: how far ahead a licence term or a supervision licence ending is raised, and the
# working days an officer has to decide a referral.
ALERT_LICENCE_ENDING_DAYS = env_int("ALERT_LICENCE_ENDING_DAYS", 7)
ALERT_SUPERVISION_ENDING_DAYS = env_int("ALERT_SUPERVISION_ENDING_DAYS", 28)
ALERT_REFERRAL_DECISION_WORKING_DAYS = env_int("ALERT_REFERRAL_DECISION_WORKING_DAYS", 2)
# Follow-up after leaving: checks are scheduled this many calendar months after each departure
# (a comma-separated list of whole months, 1 to 60; a month end is clamped: 31 August + 6 is 28/29 Feb).
FOLLOW_UP_MONTHS = sorted({int(m) for m in env_list("FOLLOW_UP_MONTHS", ["3", "6", "12"]) if m.isdigit()})
if (
    not FOLLOW_UP_MONTHS
    or any(not 1 <= m <= 60 for m in FOLLOW_UP_MONTHS)
    or len(FOLLOW_UP_MONTHS) != len(env_list("FOLLOW_UP_MONTHS", ["3", "6", "12"]))
):
    raise ImproperlyConfigured("FOLLOW_UP_MONTHS must be whole months from 1 to 60, such as 3,6,12.")
# The site's address, for links in emails sent by the workers (they have no request to read it from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# --- end of Celery block ---

# Argon2 first: new and changed passwords are hashed with it; older hashes are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# No forced rotation (NCSC guidance): length and a common-password check instead.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# django-axes watches every sign-in (it signs no one in itself); the model backend checks passwords.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Case files (casefiles.storage, docs/adr/014-case-files-storage.md): documents about people are
# kept in a storage of their own, never served from a public address (no MEDIA_URL is routed):
# each download goes through the app, which checks access and logs it. DOCUMENT_STORAGE chooses
# the filesystem (the demo; under MEDIA_ROOT) or an S3-compatible bucket (production), whose
# credentials come from the usual AWS_ variables or the machine's role (boto3 finds them).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
DOCUMENT_STORAGE = env_str("DOCUMENT_STORAGE", "filesystem")
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
if DOCUMENT_MAX_BYTES < 1:
    raise ImproperlyConfigured("DOCUMENT_MAX_BYTES must be 1 or more.")
if DOCUMENT_STORAGE == "filesystem":
    _DOCUMENTS: dict[str, Any] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "documents", "base_url": None},
    }
elif DOCUMENT_STORAGE == "s3":
    _bucket = env_str("AWS_STORAGE_BUCKET_NAME", "")
    if not _bucket:
        raise ImproperlyConfigured("DOCUMENT_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _DOCUMENTS = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            "location": env_str("AWS_LOCATION", "documents"),
            # Private objects, never overwritten, no public URLs handed out by the app.
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured(f"DOCUMENT_STORAGE must be filesystem or s3, not {DOCUMENT_STORAGE!r}.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "casefiles": _DOCUMENTS,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: SMTP when EMAIL_HOST is set, otherwise printed to the console.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "IOM Housing <no-reply@iom-housing.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security
# Sessions live in the database with their user's id, so a user's sessions can be ended at once.
SESSION_ENGINE = "iom_housing.security.sessions"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_MAX_HOURS", 12))
SESSION_TIMEOUT_WARNING = timedelta(minutes=env_int("SESSION_WARNING_MINUTES", 5))
if not timedelta(0) < SESSION_TIMEOUT_WARNING < SESSION_IDLE_TIMEOUT:
    raise ImproperlyConfigured(
        "SESSION_WARNING_MINUTES must be more than 0 and less than SESSION_IDLE_MINUTES."
    )
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Plain HTTP is redirected to HTTPS unless DEBUG is on (cookiecutter-django's choice), or the TLS
# proxy in front says it redirects itself (TLS_PROXY_REDIRECTS): then Django's reminder that it
# does not (security.W008) is true and silenced. The health check answers over plain HTTP, for a
# load balancer's probe.
TLS_PROXY_REDIRECTS = env_bool("TLS_PROXY_REDIRECTS", False)
if TLS_PROXY_REDIRECTS and not BEHIND_TLS_PROXY:
    raise ImproperlyConfigured(
        "TLS_PROXY_REDIRECTS says a TLS proxy in front redirects to HTTPS: set BEHIND_TLS_PROXY=true "
        "too, so that the requests it passes on are taken as HTTPS."
    )
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TLS_PROXY_REDIRECTS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = ["security.W008"] if TLS_PROXY_REDIRECTS else []
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: GOV.UK Frontend is started from static/js/app.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Two-factor authentication (TOTP, django-otp) for every person who signs in. `make demo` turns it
# off, and every page then says so.
REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "IOM Housing"
OTP_TOTP_THROTTLE_FACTOR = 1  # after each wrong code, wait 1, 2, 4, 8… seconds before the next

# Lockout (django-axes) by username *and* address: an attacker elsewhere cannot lock an officer out.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the cool-off ends when it says it will
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins go to the security log instead
AXES_ENABLE_ADMIN = False  # the cool-off releases a lockout; `manage.py axes_reset_username` sooner
AXES_VERBOSE = False
# Behind the TLS proxy, the client's address is the one the proxy appends to X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = 1 if SECURE_PROXY_SSL_HEADER else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if SECURE_PROXY_SSL_HEADER else ("REMOTE_ADDR",)
)

REST_FRAMEWORK = {
    # The bearer token comes first so that a request with no credentials gets 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "iom_housing.api.auth.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "iom_housing.api.problems.problem_details_handler",
    "DEFAULT_THROTTLE_CLASSES": ["iom_housing.api.auth.ApiClientThrottle"],
    # JSON only: a form-encoded body is refused with 415, and the schema documents JSON alone.
    # (DRF's JSON parser, refusing bodies nested too deep or holding lone surrogates: 400, not 500.)
    "DEFAULT_PARSER_CLASSES": ["iom_housing.api.parsers.JSONBodyParser"],
}
# Requests per client (or signed-in user) before the API answers 429: "<n>/second|minute|hour|day".
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE") or "600/minute"
if not re.fullmatch(r"[1-9]\d*/(second|minute|hour|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE must look like 600/minute (a number, then second, minute, hour or day), "
        f"not {API_THROTTLE_RATE!r}."
    )
# Agencies' case systems sign in with OAuth 2.0 client credentials (django-oauth-toolkit).
API_SCOPES = {
    "referrals:read": "Read the referrals your agency made and their outcome",
    "referrals:write": "Make, update and withdraw your agency's referrals",
    "visits:write": "Record home visits for placements your agency supports",
    "followups:write": "Read and record follow-up checks after leaving for people your agency supported",
    "moveon:read": "Read the move-on actions your agency owns for the people it supports",
    "moveon:write": "Add and update the move-on actions your agency owns",
}
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES": API_SCOPES,
    "DEFAULT_SCOPES": ["referrals:read"],
    # A client may ask only for the scopes a scheme manager gave it (agencies.ApiClient.scopes).
    "SCOPES_BACKEND_CLASS": "iom_housing.api.auth.ApiClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "iom_housing.api.auth.ApiClientValidator",
    # RFC 9700 (OAuth 2.0 Security BCP): only client credentials are used here, so every legacy
    # path is refused, tokens are kept hashed and never read from a query string.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Named so that migrations referring to it (agencies.ApiClient) resolve; not swapped.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
SPECTACULAR_SETTINGS = {
    "TITLE": "IOM Housing API",
    "DESCRIPTION": "Referral sync for partner agencies' case systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.IsAuthenticated",
        "iom_housing.access.ApiDocsPermission",
    ],
    "OAUTH2_FLOWS": ["clientCredentials"],
    "OAUTH2_TOKEN_URL": "/o/token/",
    "OAUTH2_SCOPES": API_SCOPES,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "iom_housing.api.problems.problem_details_media_type",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PlacementStatusEnum": "placements.models.Placement.Status",
        "ReferralStatusEnum": "referrals.models.Referral.Status",
        "VisitKindEnum": "agencies.models.HomeVisit.Kind",
        "ReferralEventKindEnum": "referrals.models.ReferralEvent.Kind",
        "DestinationEnum": "placements.models.Destination",
        "MoveOnActionKindEnum": "moveon.models.ActionKind",
        "MoveOnActionStatusEnum": "moveon.models.ActionStatus",
    },
    "SWAGGER_UI_DIST": "SIDECAR",  # served from this site: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Change history (django-pghistory on django-pgtrigger). The history triggers are installed by
# `migrate` itself rather than written into each app's migrations: one of the tracked tables is
# Django's own auth_user, whose migrations are not ours (docs/adr/).
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True

# Retention (DPA 2018 s.39 and the MoPI review periods): a person's record is due for review this
# many years after the last thing that happened to them (a referral, a placement or an event).
RETENTION_REVIEW_YEARS = env_int("RETENTION_REVIEW_YEARS", 6)
if RETENTION_REVIEW_YEARS < 1:
    raise ImproperlyConfigured("RETENTION_REVIEW_YEARS must be 1 or more.")

# The scheme this deployment serves, shown in the header and on reports.
SCHEME_NAME = env_str("SCHEME_NAME", "Ceredigion IOM housing scheme")
# Its name in Welsh, shown when the page is in Welsh: the founding scheme's own by default, none
# for a scheme named otherwise until it is set (its one name is then shown in both languages).
SCHEME_NAME_CY = env_str("SCHEME_NAME_CY", "") or {
    "Ceredigion IOM housing scheme": "Cynllun tai IOM Ceredigion"
}.get(SCHEME_NAME, "")
# The languages of documents given to residents (the licence agreement): "bilingual" (Welsh first,
# then English, as the Welsh Language Standards ask of a Welsh scheme: the founding scheme's
# default), "cy" or "en" (a scheme outside Wales).
SCHEME_RESIDENT_DOCUMENTS = env_str("SCHEME_RESIDENT_DOCUMENTS", "bilingual")
if SCHEME_RESIDENT_DOCUMENTS not in ("bilingual", "cy", "en"):
    raise ImproperlyConfigured('SCHEME_RESIDENT_DOCUMENTS must be "bilingual", "cy" or "en".')
# Evaluation reports: counts from 1 to threshold-1 are suppressed for OPCC analysts; downloads of
# periods longer than REPORT_SYNC_MAX_DAYS are made by a background task and kept this many hours.
REPORT_SUPPRESSION_THRESHOLD = env_int("REPORT_SUPPRESSION_THRESHOLD", 5)
if REPORT_SUPPRESSION_THRESHOLD < 2:
    raise ImproperlyConfigured("REPORT_SUPPRESSION_THRESHOLD must be 2 or more.")
REPORT_SYNC_MAX_DAYS = env_int("REPORT_SYNC_MAX_DAYS", 92)
# The published version is suppressed with its whole financial year's reports (reports/family.py):
# its files are made in the background when that is slow.
REPORT_PUBLISHED_IN_BACKGROUND = env_bool("REPORT_PUBLISHED_IN_BACKGROUND", False)
REPORT_FILES_KEEP_HOURS = env_int("REPORT_FILES_KEEP_HOURS", 24)
REPORT_FILES_DIR = Path(env_str("REPORT_FILES_DIR", str(BASE_DIR / ".data" / "reports")))
# The secret key of the evaluation version's pseudonyms (an HMAC-SHA256 of the person's id): the
# same key gives the same pseudonym in every report, so keep it, and keep it secret (with it, and
# the database, a pseudonym can be traced to a person). At least 32 characters; `check --deploy`
# fails without one. Blank: a fixed development key (reports/pseudonyms.py), for DEBUG and tests.
REPORT_PSEUDONYM_KEY = env_str("REPORT_PSEUDONYM_KEY", "")

# Demo logins (seed_demo); never used by the application itself.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-password")

# A Server-Timing header on every response (time in SQL, number of queries, time in all), for the
# load benchmark (`make bench`). Off in production: it tells anyone how the server spends its time.
SERVER_TIMING = env_bool("SERVER_TIMING", False)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "iom_housing.security.log.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Security events, one JSON object a line (iom_housing/security/log.py), for a SIEM to read.
        "security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "pgtrigger": {"level": "WARNING"},  # one line a trigger on every migrate otherwise
        "fontTools": {"level": "WARNING"},
    },
}
