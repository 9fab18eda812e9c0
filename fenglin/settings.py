"""Settings for the Fenglin life-circle planner: one file, read from the environment.

Every value that differs between a laptop and production comes from an environment variable
(django-environ). `make run` turns DEBUG on; production leaves it off and must set SECRET_KEY.
"""

import sys
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _number(cast: type, name: str, *, default: float, minimum: float | None = None) -> float:
    """A numeric setting; a bad value stops start-up with one line naming it, not a traceback."""
    raw = env.str(name, default=str(default)).strip()
    try:
        value = cast(raw)
    except ValueError:
        value = None
    if value is None or value != value or (minimum is not None and value < minimum):
        at_least = f" of at least {minimum}" if minimum is not None else ""
        sys.exit(f"Configuration error: {name} must be a number{at_least}, not {raw!r}.")
    return value


DEBUG = env.bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
# Commands that only compute from files sign nothing, so they run without SECRET_KEY or DEBUG.
SECRETLESS_COMMANDS = {"solve_siting", "walk_times"}
RUNS_SECRETLESS_COMMAND = len(sys.argv) > 1 and sys.argv[1] in SECRETLESS_COMMANDS

if "SECRET_KEY" in env:
    SECRET_KEY = env.str("SECRET_KEY")
elif DEBUG or TESTING or RUNS_SECRETLESS_COMMAND:
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"
else:
    # One line, not a traceback: the operator needs to know which variable is missing.
    sys.exit("Configuration error: SECRET_KEY is not set (required when DEBUG is off).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "fenglin.apps.FenglinAdminConfig",  # the admin without django-leaflet's GDAL-bound admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "leaflet",
    "axes",
    "simple_history",
    "fenglin",  # before django_tasks_db, so that our db_worker (which retries) replaces its own
    "django_tasks_db",
    "sites",
    "surveys",
    "scenarios",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fenglin.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fenglin.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fenglin.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fenglin.urls"
WSGI_APPLICATION = "fenglin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fenglin.context_processors.site_context",
                "sites.context_processors.walking",
                "sites.context_processors.illustrative",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, a task worker and tests share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", _number(int, "CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# PostgreSQL timeouts, in seconds (0 turns one off). A page waiting on a lock or a runaway
# query gives up with a clear 503 page well before gunicorn's 30-second worker timeout.
# Commands run through manage.py (migrate, db_worker, backups) may legitimately run long
# statements, so only the lock timeout applies to them.
DATABASE_STATEMENT_TIMEOUT = _number(int, "DATABASE_STATEMENT_TIMEOUT", default=20)
DATABASE_LOCK_TIMEOUT = _number(int, "DATABASE_LOCK_TIMEOUT", default=5)
DATABASE_CONNECT_TIMEOUT = _number(int, "DATABASE_CONNECT_TIMEOUT", default=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _command = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
    _statement_timeout = DATABASE_STATEMENT_TIMEOUT if _command in ("", "runserver") else 0
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    _options["options"] = " ".join(
        filter(
            None,
            [
                _options.get("options", ""),
                f"-c statement_timeout={_statement_timeout * 1000}",
                f"-c lock_timeout={DATABASE_LOCK_TIMEOUT * 1000}",
            ],
        )
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://fenglin")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that does not answer must not hold a page up: after this many seconds the call
    # fails and the caller carries on without the cache (fenglin.cache.fail_open).
    _cache_timeout = _number(float, "CACHE_SOCKET_TIMEOUT", default=1.0)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout}
    )

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds an optimisation run may go without a sign of life from its worker before it is ended
# as failed (the worker was killed or lost the database); the task beats four times as often.
RUN_HEARTBEAT_TIMEOUT = _number(float, "RUN_HEARTBEAT_TIMEOUT", default=120, minimum=1)

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
LOGIN_REDIRECT_URL = "start"  # each role's own page (fenglin.landing)
LOGOUT_REDIRECT_URL = "home"

# Proxies whose X-Forwarded-For is believed (addresses or CIDR blocks, comma-separated): the
# load balancer. Without them every resident would share the balancer's address.
try:
    from fenglin.client import parse_networks

    TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
    parse_networks(TRUSTED_PROXIES)
except ValueError as error:
    sys.exit(f"Configuration error: TRUSTED_PROXIES: {error}.")

# Login throttling: five failures for one user from one client address lock that pair for an
# hour; the same user from another address still logs in, so nobody can lock a user out.
AXES_FAILURE_LIMIT = _number(int, "AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "fenglin.client.client_address"
AXES_USERNAME_CALLABLE = "fenglin.login.login_username"  # cut to what axes can store
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Uploads and imports are bounded; larger ones get a clear message from the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
MAX_UPLOAD_BYTES = _number(int, "MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
MAX_IMPORT_ROWS = _number(int, "MAX_IMPORT_ROWS", default=5000)

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via the proxy's header.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = _number(int, "SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = env.str(
    "MAP_ATTRIBUTION",
    default='© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}.", "").replace("{s}", "a"))
    return f"{parts.scheme or 'https'}://{parts.netloc}" if parts.netloc else CSP.SELF


_TILES_ORIGIN = _origin(MAP_TILES_URL)
if "{s}" in MAP_TILES_URL:
    _TILES_ORIGIN = _TILES_ORIGIN.replace("://", "://*.", 1)

# Django's built-in Content-Security-Policy: scripts only from us, with a nonce; no inline
# event handlers or inline styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", _TILES_ORIGIN],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (31.193, 121.4555),
    "DEFAULT_ZOOM": 15,
    "MIN_ZOOM": 11,
    "MAX_ZOOM": 19,
    "TILES": [
        (
            _("Map"),
            MAP_TILES_URL,
            {"attribution": MAP_ATTRIBUTION, "referrerPolicy": "strict-origin", "maxZoom": 19},
        )
    ],
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
}

# Sites may be registered only inside this box (WGS-84): Fenglin street and a margin.
SITE_REGION = {
    "min_lat": _number(float, "SITE_REGION_MIN_LAT", default=31.15),
    "max_lat": _number(float, "SITE_REGION_MAX_LAT", default=31.24),
    "min_lng": _number(float, "SITE_REGION_MIN_LNG", default=121.40),
    "max_lng": _number(float, "SITE_REGION_MAX_LNG", default=121.51),
}

# Residents' addresses are never stored in clear: a salted hash for abuse checks only.
ADDRESS_HASH_SALT = env.str("ADDRESS_HASH_SALT", default=SECRET_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Public survey form limits (surveys.ratelimit): (submissions, window in seconds), counted in
# the shared cache. A WeChat group can send thousands an hour: the per-survey valve is high.
SURVEY_RATE_LIMITS = {
    "per_address": (
        _number(int, "SURVEY_RATE_PER_ADDRESS", default=30),
        _number(int, "SURVEY_RATE_PER_ADDRESS_WINDOW", default=600),
    ),
    "per_survey": (
        _number(int, "SURVEY_RATE_PER_SURVEY", default=6000),
        _number(int, "SURVEY_RATE_PER_SURVEY_WINDOW", default=3600),
    ),
}
