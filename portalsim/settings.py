"""Settings of portalsim, the BHXH portal simulator. Its own process, its own database."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(
    os.environ.get("PORTALSIM_DATA_DIR") or os.environ.get("KCB06_DATA_DIR") or BASE_DIR / "var"
).resolve()

SECRET_KEY = "portalsim-is-a-development-simulator-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "portalsim.core",
    "portalsim.cards",
    "portalsim.receiving",
    "portalsim.eid",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "portalsim.urls"
WSGI_APPLICATION = "portalsim.wsgi.application"
TEMPLATES: list = []

# Connections are kept per server thread (opening one per request, with SQLite's start-up
# pragmas, cost more CPU than many requests' queries).
if os.environ.get("PORTALSIM_DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(os.environ["PORTALSIM_DATABASE_URL"], conn_max_age=600)
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "portalsim.sqlite3"),
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Fixtures (synthetic citizens, cards, accounts, scenarios) loaded at start-up.
PORTALSIM_FIXTURES = os.environ.get(
    "PORTALSIM_FIXTURES", str(BASE_DIR / "portalsim" / "fixtures" / "default.json")
)
# Token lifetime in seconds (real portal: about a day); tests shorten it to exercise renewal.
PORTALSIM_TOKEN_SECONDS = int(os.environ.get("PORTALSIM_TOKEN_SECONDS", "72000"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PORTALSIM_LOG_LEVEL", "WARNING")},
}
