"""Settings, read from the environment. Every setting is documented in .env.example."""

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from luoshi.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

LUOSHI_ENV = envstr("LUOSHI_ENV", "local")
if LUOSHI_ENV not in ("local", "production"):
    raise ImproperlyConfigured(f"LUOSHI_ENV must be local or production, not {LUOSHI_ENV!r}")
PRODUCTION = LUOSHI_ENV == "production"

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "local-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Where luoshi keeps its own files: the SQLite database, uploads, demo credentials.
VAR_DIR = Path(envstr("LUOSHI_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The audit log's HMAC keys, outside the database (luoshi/audit/keys.py): LUOSHI_AUDIT_KEYS, or a
# file (mode 0600) of keys one per line; the first signs, the others verify. Local: var/audit.key.
AUDIT_KEYS = envlist("LUOSHI_AUDIT_KEYS", [])
AUDIT_KEY_FILE = envstr("LUOSHI_AUDIT_KEY_FILE", "" if PRODUCTION else str(VAR_DIR / "audit.key"))
# Every audit seal is also appended here, by the sealing job only, to compare with the database.
AUDIT_SEAL_FILE = envstr("LUOSHI_AUDIT_SEAL_FILE", str(VAR_DIR / "audit-seals.jsonl"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_prometheus",
    "luoshi.ops",
    "luoshi.orgs",
    "luoshi.plans",
    "luoshi.audit",
    "luoshi.reporting",
    "luoshi.api",
    "luoshi.supervision",
    "luoshi.documents",
    "luoshi.insights",
    "luoshi.portal",
    "luoshi.demo",
]

MIDDLEWARE = [
    # First and last: Prometheus' request counts and latencies (/metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id of every log line (luoshi.lib.logs).
    "luoshi.lib.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "luoshi.lib.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After htmx: an expired session on an htmx request must reach the view's 401 handling.
    "luoshi.orgs.middleware.SessionTimeoutMiddleware",
    "luoshi.orgs.middleware.AccountPolicyMiddleware",
    "luoshi.audit.middleware.DenialAuditMiddleware",
    # Last: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "luoshi.urls"
WSGI_APPLICATION = "luoshi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "luoshi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'luoshi.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a department submits; IMMEDIATE takes the write lock at the
    # start of a transaction, so two writers wait for each other instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a database file too, not Django's in-memory default: its shared cache fails
    # concurrent writers at once, so the threaded tests could not show what a deployment does.
    DATABASES["default"]["TEST"] = {
        "NAME": envstr("LUOSHI_TEST_SQLITE_FILE") or str(VAR_DIR / "test.sqlite3")
    }
# The same backends, counting queries and their errors for /metrics (django-prometheus).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)

AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out account before the password is even checked.
    "luoshi.lib.auth.LockoutBackend",
    # ModelBackend, the user loaded with the organization the navbar shows (one query less).
    "luoshi.lib.auth.UserBackend",
]
# Password rules (等保): in production at least 8 characters from 3 of 4 classes, changed every
# 90 days, and a password generated by an administrator must be changed at the first login.
# The local demo keeps its printed passwords.
LUOSHI_PASSWORD_POLICY = envbool("LUOSHI_PASSWORD_POLICY", PRODUCTION)
PASSWORD_MAX_AGE_DAYS = envint("PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "luoshi.lib.passwords.CharacterClassValidator"},
]
# Second factor (TOTP) for coordinators and administrators; off in the local demo.
LUOSHI_REQUIRE_OTP = envbool("LUOSHI_REQUIRE_OTP", PRODUCTION)
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "luoshi")

# Lockout (django-axes): the 6th try within the cool-off is refused, even with the right password.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# 15 minutes from the fifth failure: tries during the lockout do not push its end further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a TLS-terminating proxy the client address is in X-Forwarded-For (one proxy).
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Sessions: logged out after 30 minutes without a request and 12 hours after logging in
# (luoshi.orgs.middleware.SessionTimeoutMiddleware); the cookie itself ends with the browser.
# SESSION_COOKIE_AGE stays Django's two weeks: the middleware, not the session row, ends a session.
SESSION_TIMEOUTS = envbool("SESSION_TIMEOUTS", True)
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "luoshi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # filled by collectstatic; WhiteNoise expects it to exist
# Front-end packages come from npm (package-lock.json) and are served by Django: never a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "luoshi" / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
# Served at the site's root by WhiteNoise: /favicon.ico, which browsers ask for on their own
# wherever no page names an icon (a JSON or SVG opened directly, the bare 500 page).
WHITENOISE_ROOT = BASE_DIR / "luoshi" / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads. With several app hosts, a directory every host mounts (NFS; docs/deploy.md).
MEDIA_ROOT = Path(envstr("LUOSHI_MEDIA_ROOT") or str(VAR_DIR / "uploads"))

# The dashboards' JSON and the published portal pages are cached, keyed by what they were
# built from (docs/decisions.md). Per process, in memory: a province heatmap is ~0.6 MB, so the
# entries are capped to keep a worker under ~100 MB of cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 150)},
    }
}
# Several app hosts share one Redis: the cache (so a change through one host shows through every
# host at once) and the sessions (cached, with the database behind them: a Redis restart logs
# nobody out).
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "luoshi",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# /readyz fails when the background loop (`supervise`, every 5 minutes under run_background or
# cron) has not finished a cycle for this long.
READINESS_HEARTBEAT_MINUTES = envint("READINESS_HEARTBEAT_MINUTES", 15)

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request size: a 20 MB attachment fits, anything much larger is refused before it is read
# (nginx's client_max_body_size in docs/deploy.md matches). Larger files are streamed to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
FILE_UPLOAD_PERMISSIONS = 0o640

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", PRODUCTION)
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Behind nginx terminating TLS: nginx redirects http to https and sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION)
if envbool("SECURE_PROXY_SSL_HEADER", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# axes.W006: the lockout is per account (等保), not per address: offices reach the server through
# one proxy address, and locking it would lock out a whole building after five typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if PRODUCTION and not SECURE_HSTS_PRELOAD:
    # Preloading is a decision for the domain's owner, not for the application.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One JSON object per line in production (LOG_FORMAT=json; text by default locally), each with
# the request id of luoshi.lib.logs, passed on to the tasks a request enqueues.
LOG_FORMAT = envstr("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "luoshi.lib.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# Reporting (issue 4). Tracking starts in the month of the plan's issue date unless this is set
# (YYYY-MM-DD); open-ended plans keep this many periods generated ahead of today.
REPORTING_TRACKING_START = envstr("REPORTING_TRACKING_START", "")
REPORTING_PERIODS_AHEAD = envint("REPORTING_PERIODS_AHEAD", 2)
REPORTING_ATTACHMENT_MAX_BYTES = envint("REPORTING_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

# Background jobs (webhooks, e-mail, long exports) through the Django tasks API, stored in the
# database; `manage.py db_worker` runs them. LUOSHI_TASKS_IMMEDIATE=1 runs them inline.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if envbool("LUOSHI_TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend"
    }
}

# Optional drafting of the brief's paragraphs on the office's own model: an OpenAI-compatible
# endpoint (…/v1); empty: the rule-based brief alone (luoshi/documents/drafting.py).
LUOSHI_LLM_BASE_URL = envstr("LUOSHI_LLM_BASE_URL", "")
LUOSHI_LLM_MODEL = envstr("LUOSHI_LLM_MODEL", "default")
LUOSHI_LLM_API_KEY = envstr("LUOSHI_LLM_API_KEY", "")
LUOSHI_LLM_TIMEOUT = envint("LUOSHI_LLM_TIMEOUT", 30)
# Supervision (issue 5): the WeCom / DingTalk robot servers (private ones on an intranet) and
# the SMS gateway (dotted path of a luoshi.supervision.channels.SmsGateway subclass).
SUPERVISION_WECOM_BASE_URL = envstr("SUPERVISION_WECOM_BASE_URL", "https://qyapi.weixin.qq.com")
SUPERVISION_DINGTALK_BASE_URL = envstr("SUPERVISION_DINGTALK_BASE_URL", "https://oapi.dingtalk.com")
SUPERVISION_SMS_GATEWAY = envstr(
    "SUPERVISION_SMS_GATEWAY", "luoshi.supervision.channels.LoggingSmsGateway"
)
