"""Django settings, read from the environment only (see docs/configuration.md)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kcb06.env import env, env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env("KCB06_DATA_DIR", str(BASE_DIR / "var"))).resolve()

# The demo key is public on purpose: production refuses it (check below).
DEMO_SECRET_KEY = "kcb06-demo-only-not-secret-0000000000000000000000000000"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
KCB06_ENV = env("KCB06_ENV") or "development"
KCB06_DEMO = env_bool("KCB06_DEMO", False)
# Key of the audit trail's MACs and checkpoint signatures (kcb06.audit.keys). Kept out of the
# database so that a database writer cannot re-chain entries; the demo key is public.
DEMO_AUDIT_KEY = "kcb06-demo-audit-key-public-not-secret-00000000"  # noqa: S105
KCB06_AUDIT_KEY = env("KCB06_AUDIT_KEY", DEMO_AUDIT_KEY)

# A typo ("prod", "Production") must not quietly mean "no production guards".
KCB06_ENVIRONMENTS = ("development", "production")
if KCB06_ENV not in KCB06_ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"KCB06_ENV must be one of {', '.join(KCB06_ENVIRONMENTS)}, got {KCB06_ENV!r}."
    )

if KCB06_ENV == "production":
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured(
            "Production refuses the demo SECRET_KEY: set SECRET_KEY to 50+ random characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("Production refuses DEBUG=1.")
    if KCB06_AUDIT_KEY in (DEMO_AUDIT_KEY, SECRET_KEY) or len(KCB06_AUDIT_KEY) < 32:
        raise ImproperlyConfigured(
            "Production refuses to start without KCB06_AUDIT_KEY: set it to 32+ random "
            "characters, different from SECRET_KEY."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "kcb06.web.apps.AxesConfig",  # django-axes, Vietnamese name in the admin
    # Only for its static files: the API docs page (/api/v1/docs) loads Swagger UI from our own
    # server instead of a CDN, so it works on a facility network without internet.
    "ninja",
    "kcb06.facilities",
    "kcb06.audit",
    "kcb06.catalogue",
    "kcb06.patients",
    "kcb06.bhxh",
    "kcb06.eligibility",
    "kcb06.visits",
    "kcb06.healthbook",
    "kcb06.interchange",
    "kcb06.payments",
    "kcb06.reports",
    "kcb06.web",
]

MIDDLEWARE = [
    # REMOTE_ADDR becomes the real client behind a trusted proxy (lock-out, audit: before all).
    "kcb06.web.security.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP and Cache-Control: no-store on every answer that is not a static file.
    "kcb06.web.security.SecurityHeadersMiddleware",
    # Bodies over kcb06/limits.py: 413 before anything reads them; NUL removed from forms.
    "kcb06.requestbody.RequestBodyMiddleware",
    # API-key calls to /api/ go straight to the view from here (kcb06/plumbing/apikeypath.py).
    "kcb06.plumbing.apikeypath.ApiKeyPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kcb06.facilities.middleware.StaffContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kcb06.urls"
WSGI_APPLICATION = "kcb06.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kcb06.web.context.navigation",
                "kcb06.web.security.csp_nonce",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------
# SQLite in WAL mode is the embedded default (one facility, one file); PostgreSQL through
# DATABASE_URL is production. IMMEDIATE transactions make SQLite take the write lock at BEGIN,
# so two writers queue instead of failing with "database is locked" on lock upgrade.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Persistent connections by default (CONN_HEALTH_CHECKS below replaces a dropped one). A
    # finite age closes every thread's connection at about the same moment, since they all
    # opened together: the reconnections (a new server backend each, its catalog caches and
    # statement plans cold) took both cores for ~0.5 s and pushed the check-in p99 at 200/s
    # offered from ~12 to ~170 ms (docs/measurements.md#database-connections).
    max_age = env_int("KCB06_DB_CONN_MAX_AGE", None)  # seconds; 0: one connection a request
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=max_age)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend; its health check skips a connection that answered < 1 s ago.
        DATABASES["default"]["ENGINE"] = "kcb06.plumbing.pgbackend"
    # Prepared statements: the check-in's ~25 statements are the same few shapes all day, and
    # PostgreSQL spent much of its CPU per check-in parsing and planning them again
    # (docs/measurements.md#prepared-statements). psycopg
    # prepares a statement on a connection the second time it sees it (needs server-side
    # binding). A transaction-mode connection pooler (PgBouncer < 1.21) cannot carry prepared
    # statements: set KCB06_PG_PREPARED_STATEMENTS=0 behind one.
    if env_bool("KCB06_PG_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "kcb06.sqlite3"),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The check-in's writer (kcb06/visits/checkin): auto (PostgreSQL's on PostgreSQL), orm or pg.
KCB06_CHECKIN_WRITER = env("KCB06_CHECKIN_WRITER", "auto")

# --- auth ---------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's checks with Vietnamese messages (kcb06/web/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "kcb06.web.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "kcb06.web.passwords.CommonPasswordValidator"},
    {"NAME": "kcb06.web.passwords.NumericPasswordValidator"},
    {"NAME": "kcb06.web.passwords.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("KCB06_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = KCB06_ENV == "production"
CSRF_COOKIE_SECURE = KCB06_ENV == "production"
CSRF_FAILURE_VIEW = "kcb06.web.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# Reverse proxies whose X-Real-IP / X-Forwarded-For name the client (kcb06/web/security.py).
# Empty: REMOTE_ADDR is the client. Behind the nginx of docs/install.md: 127.0.0.1.
KCB06_TRUSTED_PROXIES = env_list("KCB06_TRUSTED_PROXIES", [])
# Lock-out counts per (user name, client address); the address is REMOTE_ADDR only, already
# corrected for a trusted proxy by ClientAddressMiddleware. Said explicitly: with django-ipware
# installed, axes would otherwise believe a client's own X-Forwarded-For header, and anyone
# could dodge the lock-out by sending a new one on each try.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_FAILURE_LIMIT = env_int("KCB06_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("KCB06_LOGIN_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- i18n / time --------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kcb06" / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy on every page and printout, whatever the language (kcb06/formats).
FORMAT_MODULE_PATH = ["kcb06.formats"]

# --- static -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("KCB06_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- kcb06 --------------------------------------------------------------------------------
KCB06_PORTAL_URL = env("KCB06_PORTAL_URL", "http://127.0.0.1:8765")
KCB06_PORTAL_TIMEOUT = env_float("KCB06_PORTAL_TIMEOUT", 3.0)
KCB06_ELIGIBILITY_CACHE_HOURS = env_int("KCB06_ELIGIBILITY_CACHE_HOURS", 24)
KCB06_ACCEPT_DEADLINE_HOURS = env_int("KCB06_ACCEPT_DEADLINE_HOURS", 24)
KCB06_ACCEPT_WARN_HOURS = env_int("KCB06_ACCEPT_WARN_HOURS", 12)
# Signed checkpoints of the audit chains, appended outside the database (docs/operations.md).
KCB06_AUDIT_CHECKPOINT_FILE = env(
    "KCB06_AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit" / "checkpoints.jsonl")
)
KCB06_REPORTS_REFRESH_DAYS = env_int("KCB06_REPORTS_REFRESH_DAYS", 3)

# Logs carry no ID numbers or secrets (see kcb06.logging_filters); English text only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "kcb06.logging_filters.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env("KCB06_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Reception, kiosk and queue (visits) ---
# The kiosk goes back to its first screen after this many seconds without a touch or scan.
KCB06_KIOSK_IDLE_SECONDS = env_int("KCB06_KIOSK_IDLE_SECONDS", 60)
# The queue board polls for called numbers this often (milliseconds; the issue asks < 1 s).
KCB06_BOARD_POLL_MS = env_int("KCB06_BOARD_POLL_MS", 700)

# --- eligibility (BHXH portal client, e-ID adapter) ------------------------------------------
# Consecutive portal failures that open the circuit breaker, and how long it stays open.
KCB06_PORTAL_BREAKER_FAILURES = env_int("KCB06_PORTAL_BREAKER_FAILURES", 3)
KCB06_PORTAL_BREAKER_SECONDS = env_float("KCB06_PORTAL_BREAKER_SECONDS", 30.0)
# Renew the portal token this many seconds before its expires_in.
KCB06_PORTAL_TOKEN_MARGIN = env_int("KCB06_PORTAL_TOKEN_MARGIN", 600)
# Ask BHXH's co-payment lookup (TraCuuTienMCCT) when building the claim of a patient with 5
# consecutive years (the exemption counts co-payments at every facility); off: own records only.
KCB06_PORTAL_COPAYMENT_LOOKUP = env_bool("KCB06_PORTAL_COPAYMENT_LOOKUP", True)
# First background re-check of an unverified check after this many seconds (then doubling,
# capped at one hour).
KCB06_ELIGIBILITY_RECHECK_SECONDS = env_int("KCB06_ELIGIBILITY_RECHECK_SECONDS", 30)
# e-ID authentication provider for VNeID app QR codes; empty = not configured.
KCB06_EID_PROVIDER_URL = env("KCB06_EID_PROVIDER_URL", "")
KCB06_EID_TIMEOUT = env_float("KCB06_EID_TIMEOUT", 5.0)

# --- interchange (XML 4750 outbox delivery) --------------------------------------------------
# The portal paths are not settings: each file goes to the endpoint of the regulation version
# it was built under (kcb06.interchange.core.versions, docs/interchange.md "Portal endpoints").
# One submission's deadline (token + POST), in seconds (S7 uses 30 s).
KCB06_XML_TIMEOUT = env_float("KCB06_XML_TIMEOUT", 30.0)
# Retries on network errors / 5xx: base * 2^(n-1) seconds with ±50 % jitter, capped; "failed"
# after KCB06_XML_MAX_ATTEMPTS.
KCB06_XML_RETRY_BASE_SECONDS = env_float("KCB06_XML_RETRY_BASE_SECONDS", 5.0)
KCB06_XML_RETRY_MAX_SECONDS = env_float("KCB06_XML_RETRY_MAX_SECONDS", 3600.0)
KCB06_XML_MAX_ATTEMPTS = env_int("KCB06_XML_MAX_ATTEMPTS", 10)
# A worker's claim on a row lasts this long; a killed worker's rows are taken again after it.
KCB06_XML_LEASE_SECONDS = env_int("KCB06_XML_LEASE_SECONDS", 120)
# Files one worker sends at the same time (threads; PostgreSQL only — SQLite has one writer).
KCB06_XML_SEND_THREADS = env_int("KCB06_XML_SEND_THREADS", 8)
# PEM bundle of CA certificates the operator trusts to issue facility signing certificates
# (`kcb06 xml verify --facility`: registered, or issued by one of these and naming the facility).
KCB06_SIGNING_CA_FILE = env("KCB06_SIGNING_CA_FILE", "")
