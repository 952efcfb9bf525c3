"""Settings for babel_pug: one module, every deployment-specific value read from the environment.

See ``.env.example`` for the list of variables and README.md for what each one does.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from ``path`` (if it exists); the real environment always wins."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("\"'"))


load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set the SECRET_KEY environment variable "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "babel_pug.apps.PortalAdminConfig",  # django.contrib.admin, admin role only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "babel_pug.apps.BabelPugConfig",
    "regions",
    "penilaian",
    "prasyarat",
    "kla",
    "kampung_kb",
    "sinergitas",
    "impor",
    "api",
    "akuntabilitas",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "babel_pug.middleware.PrivateCacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "babel_pug.urls"

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
                "regions.context_processors.scope",
                "babel_pug.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "babel_pug.wsgi.application"

# SQLite next to manage.py unless DATABASE_URL says otherwise (postgres://user@host:5432/name).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# Operators and koordinators land on "Tugas saya"; it sends every other role on to "/".
LOGIN_REDIRECT_URL = "akuntabilitas:tugas"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "errors/lockout.html"  # Indonesian, in the site layout

# Indonesian error pages in the site layout (babel_pug.views); JSON under /api/.
CSRF_FAILURE_VIEW = "babel_pug.views.csrf_failure"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["babel_pug.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("TESTING_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("TESTING_STATIC", False)
# Uploaded evidence lives here; it is never served as static/media, only through a scoped view.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/_private_media_not_served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# The API reads JSON bodies up to this size (413 above it); no legitimate PATCH comes near it.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 2 * 1024 * 1024)

# Security: secure by default whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): everything from this origin, nothing inline. Scripts
# and styles live in static files; charts and the map style SVG through classes and attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Sessions end after SESSION_COOKIE_AGE seconds without a request (8 hours) and when the browser
# closes: every request renews the expiry, and the cookie has no expiry date of its own. The
# store (babel_pug/sessions.py) writes that renewal at most once a minute per session.
SESSION_ENGINE = "babel_pug.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = env_bool("SESSION_SAVE_EVERY_REQUEST", True)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Mail (password reset, notifications). Without EMAIL_HOST nothing is sent: the reset page asks
# the user to contact the provincial admin. In development (DEBUG) mail goes to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL.")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL") or "Portal Kesiapan PUG-KLA Babel <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)

SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["api.filters.ParamsFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonThrottle", "api.throttling.UserThrottle"],
    # Requests per client; "off" (or empty) disables a limit, e.g. for the schemathesis run.
    "DEFAULT_THROTTLE_RATES": {
        scope: (None if rate.strip().lower() in ("", "off", "none") else rate.strip())
        for scope, rate in (
            ("anon", os.environ.get("API_THROTTLE_ANON", "60/min")),
            ("user", os.environ.get("API_THROTTLE_USER", "1000/min")),
        )
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "babel_pug API",
    "DESCRIPTION": "API portal kesiapan APE, KLA dan Kampung KB Cikar (DP3ACSKB Babel).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # readiness blocks carry the state of their numbers; prerequisites their own "state"
    "ENUM_NAME_OVERRIDES": {
        "NumberStateEnum": ["verified", "submitted", "returned", "draft", "carried"],
        "PrerequisiteStateEnum": ["terpenuhi", "sebagian", "belum"],
    },
}

# django-import-export: only users holding these permissions may import/export in the admin.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Imports on /impor/ of a file with at least IMPORT_JOB_ROWS data rows are previewed and applied
# by a worker (impor.jobs, docs/import.md "Large files"). The worker writes its progress and a
# heartbeat every IMPORT_JOB_PROGRESS_MS; a running job without a heartbeat for
# IMPORT_JOB_STALE_SECONDS is failed (its worker died). Rows are written in chunks of
# IMPORT_JOB_WRITE_CHUNK, each followed by a progress update.
IMPORT_JOB_ROWS = env_int("IMPORT_JOB_ROWS", 5_000)
IMPORT_JOB_PROGRESS_MS = env_int("IMPORT_JOB_PROGRESS_MS", 1_000)
IMPORT_JOB_STALE_SECONDS = env_int("IMPORT_JOB_STALE_SECONDS", 60)
IMPORT_JOB_WRITE_CHUNK = env_int("IMPORT_JOB_WRITE_CHUNK", 10_000)

# The cache holds small shared state (rate limits, lockouts); readiness is stored in the
# database (dashboard.store), not cached.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Name of the provincial office, shown in the header (configurable: the acronym varies in print).
OFFICE_NAME = os.environ.get("OFFICE_NAME", "DP3ACSKB Provinsi Kepulauan Bangka Belitung")
# The name people read: page titles, the header, the subject prefix of e-mails.
PRODUCT_NAME = os.environ.get("PRODUCT_NAME", "Portal Kesiapan PUG-KLA Babel")
EMAIL_SUBJECT_PREFIX = f"[{PRODUCT_NAME}] "

# The portal's public address, for links in e-mails sent outside a request (reminder digests).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Absolute address of the portal, for links in e-mails (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")


# Background jobs (Celery 5, see babel_pug/celery.py). The broker is CELERY_BROKER_URL, else
# REDIS_URL; with neither, jobs run inline in the process that queues them (no worker needed).
CELERY_BROKER_URL = (
    os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or "memory://"
)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # no result backend: jobs keep what must last in the database
CELERY_RESULT_EXPIRES = None  # so beat schedules no result clean-up either
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Scheduled work (celery beat); each task is a plain function, see README "Workers".
CELERY_BEAT_SCHEDULE = {
    "remove-expired-import-files": {
        "task": "impor.tasks.remove_expired_import_files",
        "schedule": 3600.0,
    },
    # An import job whose worker died (no heartbeat) is stored as failed (pages show it so).
    "fail-stale-import-jobs": {
        "task": "impor.tasks.fail_stale_import_jobs",
        "schedule": 60.0,
    },
    "clear-expired-sessions": {
        "task": "regions.tasks.clear_expired_sessions",
        "schedule": crontab(hour=2, minute=0),
    },
    "prune-login-records": {
        "task": "regions.tasks.prune_login_records",
        "schedule": crontab(hour=2, minute=30),
    },
    # Reminder digests before the provincial deadlines (akuntabilitas.reminders), each morning.
    "send-reminders": {
        "task": "akuntabilitas.tasks.send_daily_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
}
# Login records (django-axes attempts, lockouts and logs) older than this are deleted nightly.
AXES_RECORDS_MAX_AGE_DAYS = env_int("AXES_RECORDS_MAX_AGE_DAYS", 30)
