"""Django settings for Tongban.

Everything a deployment changes comes from the environment:
``DATABASE_URL`` (default: SQLite under ``var/``), ``TONGBAN_VAR_DIR``, ``TONGBAN_NOTIFIER``,
``TONGBAN_SECRET_KEY``, ``TONGBAN_DEBUG``, ``TONGBAN_ALLOWED_HOSTS``, ``TONGBAN_PG_PREPARED``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Read the key from the environment, else from a per-install file that is never committed."""
    if key := os.environ.get("TONGBAN_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("TONGBAN_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("TONGBAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tongban.core",
    "tongban.regions",
    "tongban.registry",
    "tongban.catalogue",
    "tongban.cases",
    "tongban.benefits",
    "tongban.ledger",
    "tongban.transfers",
    "tongban.integrity",
    "tongban.supervision",
    "tongban.channels",
    "tongban.web",
    "tongban.demo",
    "tongban.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "tongban.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server read while a payment run or an import writes.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                # Take the write lock at BEGIN, so two writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if os.environ.get("TONGBAN_PG_PREPARED", "on") != "off":
        # Parameters bound by the server, and a statement run five times on a connection is
        # prepared: PostgreSQL plans it once, not on every call (ADR 0205). "off" for a
        # pooler in transaction mode, which cannot keep a prepared statement.
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/office/"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tongban" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The bank's payment files, written by payment runs (never committed).
BANK_DIR = VAR_DIR / "bank"

# Who sends notices to people (core.notices.Notifier). The default records them and sends
# nothing (demo); production names its SMS gateway client's class here.
TONGBAN_NOTIFIER = os.environ.get("TONGBAN_NOTIFIER", "tongban.core.notices.RecordingNotifier")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGBAN_LOG_LEVEL", "WARNING")},
}

# The claimant portal's sign-in (docs/portal-sign-in.md): the class that verifies a person's
# identity. The demo's simulated real-name sign-in is replaced by an OpenID Connect provider
# (the province's unified login) by naming another class here.
TONGBAN_PORTAL_IDENTITY = os.environ.get(
    "TONGBAN_PORTAL_IDENTITY", "tongban.web.identity.SimulatedRealName"
)
TONGBAN_PORTAL_SESSION_SECONDS = int(os.environ.get("TONGBAN_PORTAL_SESSION_SECONDS", "1800"))
# Caseworkers sign in for a working day.
SESSION_COOKIE_AGE = 10 * 3600
