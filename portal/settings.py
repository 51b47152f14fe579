"""Settings for the portal, read from environment variables only.

Defaults suit the embedded demo (SQLite, an SQLite Celery broker, the
simulator as upstream). Production sets at least ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``CELERY_BROKER_URL`` and leaves
``DEBUG`` off; ``manage.py check --deploy`` is then clean.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# With DEBUG on, the portal's own 404 and 500 pages are still shown; 1 asks for Django's debug pages.
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for the local demo).")
    # Only reachable with DEBUG on: a key that is useless outside this machine.
    SECRET_KEY = "django-insecure-demo-only-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's list of security keys ("used 3 days ago")
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "axes",
    # Sign-in and two factors (issue 29): allauth's account flows and its MFA (TOTP, WebAuthn, recovery codes).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "portal.audit",
    "sync",
    "outbox",
    "dashboard",
    "stations",
    "locations",
    "models_catalog",
    "maintenance",
    "alerts",
    "api",
    "demo",  # run_demo and seed_demo (make run)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the language cookie (the sign-in page's switch) or Accept-Language ...
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # ... then, once the user is known, the language and time zone chosen on their page (portal.locale).
    "portal.locale.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.errors_debug.DebugErrorPagesMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "portal.middleware.SignedOutMiddleware",
    # Who must hold a second factor gets no page but enrolling until they do (portal.signin.gate).
    "portal.signin.gate.SecondFactorGateMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-ins while a lockout lasts
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
                "alerts.context_processors.bell",  # the unread count in the top bar
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The demo runs a web server, a worker and beat on one SQLite file:
    # take the write lock up front and wait for it instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Invitation links are password-reset links; give the invitee three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Languages (issue 30; docs/i18n.md): English as written in Britain, German, Dutch. "en" from a
# browser falls to en-gb. One catalogue for the whole project, in locale/ at the root (templates/ belongs
# to no app, and modules move between apps); the compiled .mo files are committed beside the .po files.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("de", "Deutsch"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["portal.formats"]  # 24-hour times everywhere (portal/formats/en_GB, de, nl)
# The portal's time zone: what pages show unless a user chooses another on their page (portal.locale).
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Leaflet's own files come from the pinned django-leaflet package. Its static folder is
# added here rather than the app to INSTALLED_APPS: the app's admin module imports
# GeoDjango, which needs the GDAL C library the portal has no other use for.
STATICFILES_DIRS = [BASE_DIR / "static", Path(find_spec("leaflet").origin).parent / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app folders when nobody ran collectstatic (demo, tests).
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

# --- Security: strict unless DEBUG (the local demo runs over plain HTTP). ---
SECURE = not DEBUG
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Sessions end after 30 minutes without activity and 12 hours after sign-in
# (portal.middleware.SessionLifetimeMiddleware); the cookie lives no longer.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_MAX_SECONDS = int(os.environ.get("SESSION_MAX_SECONDS", str(12 * 3600)))
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS

# --- Sign-in (issue 29): django-allauth's login and MFA flows in the portal's pages (portal/signin/). ---
# Usernames, no self sign-up (people are invited by an admin), no e-mail verification (the invite link
# proves the address). The form keeps Django's field names (username, password) for django-axes.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "portal.signin.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "portal.signin.forms.SignInForm"}
# Every session lives as long as SESSION_COOKIE_AGE (= SESSION_MAX_SECONDS): no "remember me" box.
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
# Password guessing is django-axes' to throttle (below); allauth keeps its limit on second-factor codes.
ACCOUNT_RATE_LIMITS = {"login": None}
MFA_ADAPTER = "portal.signin.adapters.MFAAdapter"  # TOTP secrets and recovery seeds encrypted at rest
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Charging portal"
MFA_TOTP_TOLERANCE = 1  # a code of the 30 s before or after is taken too (a phone's clock drifts)
if DEBUG:  # the demo: its admin is offered the authenticator secret the demo printed (demo.signin)
    MFA_FORMS = {"activate_totp": "demo.signin.DemoActivateTOTPForm"}
MFA_ALLOW_UNVERIFIED_EMAIL = True  # addresses are proven by the invite link, not by allauth
# WebAuthn needs HTTPS, except on plain-HTTP localhost (the demo, the browser tests).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", DEBUG)
# The enrolment gate (portal.signin.gate): admins, and the operators and viewers of a company that
# requires it (Company.require_second_factor), open no page until they hold a second factor. Off only
# for tests that sign in with force_login and are not about the gate (pyproject.toml).
SECOND_FACTOR_GATE = env_bool("SECOND_FACTOR_GATE", True)

# Sign-in throttling (django-axes): five failures for one username from one
# address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Content-Security-Policy (django-csp): no inline or foreign scripts at all.
# Inline style attributes stay allowed (server-drawn SVG charts use them).
from csp.constants import NONE, SELF  # noqa: E402

# --- The location map (Leaflet from django-leaflet, clustering vendored under static/vendor/). ---
# Without a tile server the map draws Natural Earth's country outlines from a static file,
# so it works offline; with one (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png) it
# draws those tiles over the outlines, credited with MAP_TILE_ATTRIBUTION.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "").strip()
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors" if "openstreetmap" in MAP_TILE_URL else ""
)
def _origin(url: str) -> str | None:
    """``https://tile.example.org`` from a tile URL template (for the CSP's img-src)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}.", ""))
    return f"{parts.scheme}://{'*.' if '{s}' in url else ''}{parts.netloc}" if parts.scheme and parts.netloc else None


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", *filter(None, [_origin(MAP_TILE_URL)])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Cache: upstream tokens shared by every process (upstreams.auth). ---
# CACHE_URL: redis://host:port/db (production, tests), db:// (the demo's default: a table
# in the database, no server needed; `createcachetable` makes it), file:///path, locmem://.
def _cache_from_url(url: str) -> dict[str, object]:
    scheme, _, rest = url.partition("://")
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "KEY_PREFIX": "portal"}
    if scheme == "file":
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": rest or str(VAR_DIR / "cache")}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest or "portal"}
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest or "portal_cache"}
    raise ImproperlyConfigured(f"CACHE_URL must start with redis://, db://, file:// or locmem:// (got {scheme!r})")


CACHES = {"default": _cache_from_url(os.environ.get("CACHE_URL", "db://portal_cache"))}

# The tests run in parallel processes (pytest-xdist's gw0, gw1, …) that share one Redis: each
# process, and the Celery worker it starts (which inherits the variable), keys its cache and names
# its queue after itself, so one process's tasks and cache never reach another's database.
TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "")
if TEST_PROCESS and "KEY_PREFIX" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = f"portal-{TEST_PROCESS}"

# --- Celery: an SQLite broker for the demo (demo.broker), Redis or RabbitMQ elsewhere. ---
from demo.broker import demo_broker_transport_options, demo_broker_url  # noqa: E402

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or demo_broker_url(VAR_DIR)
if CELERY_BROKER_URL.startswith("sqla+sqlite:"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = demo_broker_transport_options()
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "portal") + (f"-{TEST_PROCESS}" if TEST_PROCESS else "")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- The write outbox (outbox.operations): leases, retries, resends. ---
OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "120"))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_BACKOFF_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_SECONDS", "2"))
OUTBOX_BACKOFF_MAX_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", "300"))
OUTBOX_RESEND_AFTER_SECONDS = float(os.environ.get("OUTBOX_RESEND_AFTER_SECONDS", "60"))

# --- CSV imports (stations.csv_import.checking): files are checked under a lease, like operations. ---
IMPORT_INLINE_MAX_BYTES = int(os.environ.get("IMPORT_INLINE_MAX_BYTES", str(1024 * 1024)))  # larger: a worker checks
IMPORT_LEASE_SECONDS = float(os.environ.get("IMPORT_LEASE_SECONDS", "300"))
IMPORT_RESEND_AFTER_SECONDS = float(os.environ.get("IMPORT_RESEND_AFTER_SECONDS", "60"))
IMPORT_VALIDATION_MAX_ATTEMPTS = int(os.environ.get("IMPORT_VALIDATION_MAX_ATTEMPTS", "3"))

# --- Refresh: a full run removing more than this share of a backend's rows waits for an admin. ---
REMOVAL_BRAKE_SHARE = float(os.environ.get("REMOVAL_BRAKE_SHARE", "0.10"))
REMOVAL_BRAKE_MIN_ROWS = int(os.environ.get("REMOVAL_BRAKE_MIN_ROWS", "5"))  # fewer removals never wait

# --- Alerts (alerts/): e-mail through Django's mail API, SMTP from the environment; webhooks. ---
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Charging portal <alerts@localhost>")
# The demo keeps alert mail in its "Demo mailbox" page instead of sending it (on by default with DEBUG
# and no EMAIL_HOST given).
ALERTS_MAIL_TO_MAILBOX = env_bool("ALERTS_MAIL_TO_MAILBOX", DEBUG and "EMAIL_HOST" not in os.environ)
ALERTS_MAIL_GROUP_SECONDS = float(os.environ.get("ALERTS_MAIL_GROUP_SECONDS", "120"))  # one message per user per …
ALERTS_DIGEST_SECONDS = float(os.environ.get("ALERTS_DIGEST_SECONDS", str(24 * 3600)))
ALERTS_SITE_URL = os.environ.get("ALERTS_SITE_URL", "http://127.0.0.1:8000")  # links in e-mail and webhooks
ALERTS_MAIL_DOMAIN = os.environ.get("ALERTS_MAIL_DOMAIN", "charging-portal.invalid")
ALERTS_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("ALERTS_DELIVERY_MAX_ATTEMPTS", "12"))
ALERTS_DELIVERY_LEASE_SECONDS = float(os.environ.get("ALERTS_DELIVERY_LEASE_SECONDS", "60"))
ALERTS_DELIVERY_RESEND_AFTER_SECONDS = float(os.environ.get("ALERTS_DELIVERY_RESEND_AFTER_SECONDS", "60"))

# --- The REST API (api/): tokens or the session, the pages' roles, problem+json errors. ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the browser, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.permissions.PortalRole"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_THROTTLE_RATE", "600/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],  # an import's upload takes multipart
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Charging portal API",
    "DESCRIPTION": "Stations, locations, models, operations and more, with the pages' roles and company scoping. "
                   "Writes answer 202 with the operation's URL in Location.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several records have a "status": name the OCPI one (stations, EVSEs, connectors) by what it is.
    "ENUM_NAME_OVERRIDES": {"OcpiStatusEnum": "stations.models.Status"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_problem_responses"],
}

# --- Upstream: the simulator is the demo's default backend. ---
SIMULATOR_URL = os.environ.get("SIMULATOR_URL", "http://127.0.0.1:8001")

# One handler, on the root logger: Django's own "django" console handler (DEBUG only) is replaced,
# or every record of a django.* logger was printed twice in the demo. Refusals (403, 404, 405) are
# one line without a traceback (``portal.log_filters.RefusalLogFilter``, on the handler: it sees every logger).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals": {"()": "portal.log_filters.RefusalLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["refusals"]}},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
