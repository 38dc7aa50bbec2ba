"""Settings for the Baqiao pro-business service portal, read from the environment.

Every value a deployment may change comes from an environment variable (or a
`.env` file beside manage.py); README.md lists them all. The campaign's own
numbers (visits a month, reminder days) are settings too, grouped at the end,
so that no rule of the campaign is a literal buried in code.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The default key is for development and tests only: `manage.py check --deploy`
# fails while it is in use (see bangqiao_portal/checks.py).
INSECURE_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"  # nosec B105 # refused by check --deploy
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The portal's own page (in the user's language) when a form fails the CSRF check.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_ratelimit",
    # The portal's apps, bottom layer first (pyproject.toml's import-linter contract is the written order).
    "core",
    "enterprises",
    "organisation",
    "issues",
    "visits",
    "supervision",
    "voice",
    "assessment",
    "notifications",
    "oversight",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No copy of a logged-in user's page or of a download in a browser's or a proxy's cache.
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # One read of the kept figures' versions per request (core/kept.py `reading`).
    "core.middleware.KeptVersionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bangqiao_portal.urls"
WSGI_APPLICATION = "bangqiao_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.roles",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# Database: SQLite under var/ (a folder the checkout carries) needs no set-up; production sets
# DATABASE_URL to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A kept connection is checked before each request reuses it, so the first request after a database
# restart reconnects instead of failing with a 500 (tests/core/test_database_restart.py restarts one).
# Leave it on: the switch exists so that test can show what happens without it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite's default journal makes the web server and Celery block each other.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query the planner thinks costly, which the leading group's figures
    # (a condition per figure over the period's problems) look like: at a city's 100,000 problems it
    # spent 570 of 670 ms compiling. The portal's queries are short, so JIT is off for its connections.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis carries Celery's messages and the cache. Without it (a bare development
# machine) Celery uses a broker kept in files under var/, which needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bangqiao",
        }
    }
else:
    # bangqiao_portal/celery.py makes these folders when the Celery app is first configured.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
    # Kept figures (core/kept.py) live in the cache, a few keys per page, scope and viewer's sight: Django's default
    # of 300 entries made it drop them (and the working days' rows, core/workdays.py) as soon as a few dozen pages
    # had been read, so they were counted, and the calendar read, again.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat runs on exactly one host. The reminder scan is idempotent, so an extra or a
# missed run costs nothing; it runs hourly in working hours, so nobody is reminded at night.
CELERY_BEAT_SCHEDULE: dict = {
    "scan-reminders": {
        "task": "notifications.tasks.scan_reminders",
        "schedule": crontab(minute=5, hour=env.str("REMINDER_SCAN_HOURS", default="8-18")),
    },
    # The one-time tokens of submitted forms (core.models.Submission) outlive any page that could send them.
    "sweep-submissions": {"task": "core.tasks.sweep_submissions", "schedule": crontab(minute=30, hour=3)},
    # Exports written in the background: expired files deleted, jobs the broker never took queued again.
    "sweep-exports": {"task": "core.tasks.sweep_exports", "schedule": crontab(minute="*/10")},
    # The visit tally is kept by the services; anything that wrote visits around them is recounted at night.
    "repair-visit-tallies": {"task": "visits.tasks.repair_tallies", "schedule": crontab(minute=45, hour=3)},
}

# Sessions live in the database, so pages keep working when Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account out from one client address after repeated failed logins (django-axes; the rule
# is core/lockout.py's). Failures count on the login pages and, as wrong old passwords, on the
# password-change form. The lockout ends an hour after the failure that caused it: tries during it
# are refused uncounted, so they do not restart the hour. The campaign office can unlock sooner.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The client's address, through TRUSTED_PROXIES; the locked-out page, in the user's language.
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files WhiteNoise serves.
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    # Uploads are written whole or not at all: a full disk leaves no 0-byte file (core/storage.py).
    "default": {"BACKEND": "core.storage.WholeFileStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development, SMTP (smtp+tls://user:pass@host:587) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Reminders reach people through these channels (notifications/channels.py); add SMS here.
NOTIFICATION_CHANNELS = env.list(
    "NOTIFICATION_CHANNELS",
    default=["notifications.channels.InAppChannel", "notifications.channels.EmailChannel"],
)
# Where the portal is reached from, for the links in emails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="亲商助企活动办公室 <noreply@bangqiao.local>")

# Content Security Policy: everything from this origin; the intranet has no other.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS=true: the portal is reached only over HTTPS (docs/deployment.md, "HTTPS or plain HTTP").
# It redirects plain HTTP, sends HSTS and marks its cookies secure; `check --deploy` then passes
# at --fail-level WARNING. Without it the portal runs in the HTTP-only intranet mode, whose risks
# that page lists, and `check --deploy` warns of them.
HTTPS = env.bool("HTTPS", default=False)
# BEHIND_PROXY=true: a reverse proxy (nginx) in front of gunicorn terminates the connection and
# sets X-Forwarded-Proto. Only then is that header believed: without a proxy, any client could
# send it and pass a plain-HTTP request off as a secure one.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of the district's own stand in front of gunicorn, each appending the
# address it was reached from to X-Forwarded-For: the client's address, which the login lockout
# counts, is read that many entries from the right (core/lockout.py). 0: the connection's own
# address, and the header is ignored. One nginx (docs/deployment.md, section 4) is the default
# behind a declared proxy; never more than really are there, or a client could pick its address.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=1 if BEHIND_PROXY else 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("TRUSTED_PROXIES is a number of proxies: 0 or more.")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=HTTPS)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    # A year by default; a first roll-out may start with an hour (HSTS_SECONDS=3600), since a
    # browser that has seen the header refuses plain HTTP to this host until it expires.
    SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
# Preloading means submitting the domain to the browsers' public list, which an intranet host
# name cannot join; its warning (W021) says nothing about this deployment unless asked for.
SILENCED_SYSTEM_CHECKS = [] if HTTPS and SECURE_HSTS_PRELOAD else ["security.W021"]
# django-ratelimit (the enterprise's link: voice/limits.py) counts in the default cache. Its check knows
# only django-redis by name (W001), though Django's own RedisCache increments atomically too; and a bare
# development machine without Redis counts in LocMemCache, per process (E003): right for one runserver
# and the tests, never for production, which sets REDIS_URL (docs/deployment.md).
RATELIMIT_USE_CACHE = "default"
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
# The moves' and the visit tally's covering indexes (INCLUDE) are PostgreSQL's: SQLite, the zero-set-up
# default, builds them on their key columns alone, which is all it can use, and warns (W040) at every start.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS += ["models.W040"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- The campaign's rules (灞桥区亲商助企活动) -------------------------------
# Each cadre serves the paired enterprise at least this often in a calendar month.
CAMPAIGN_VISITS_PER_MONTH = env.int("CAMPAIGN_VISITS_PER_MONTH", default=2)
# A problem whose deadline is this close shows yellow; past it, red.
CAMPAIGN_DUE_SOON_DAYS = env.int("CAMPAIGN_DUE_SOON_DAYS", default=3)
# Days a department is expected to take to accept (受理) a problem assigned to it: the department table's figure.
CAMPAIGN_ACCEPT_DAYS = env.int("CAMPAIGN_ACCEPT_DAYS", default=2)
# Days a cadre may still correct a logged visit.
CAMPAIGN_VISIT_EDIT_DAYS = env.int("CAMPAIGN_VISIT_EDIT_DAYS", default=7)
# How many months the compliance grid shows.
CAMPAIGN_COMPLIANCE_MONTHS = env.int("CAMPAIGN_COMPLIANCE_MONTHS", default=12)
# How many of the best and the worst the annual assessment's 红黑榜 names (each of cadres and departments).
CAMPAIGN_ASSESSMENT_BOARD_SIZE = env.int("CAMPAIGN_ASSESSMENT_BOARD_SIZE", default=10)
# An approval errand that has not moved for this many days is flagged.
# How long an enterprise's link (企业码) stays valid after it was signed; a new one is issued on the cadre's
# page or by `manage.py enterprise_link USCC` (enterprises/links.py).
CAMPAIGN_ENTERPRISE_LINK_DAYS = env.int("CAMPAIGN_ENTERPRISE_LINK_DAYS", default=365)
# How often one link, and one address, may use the link's pages (django-ratelimit's "count/period").
CAMPAIGN_ENTERPRISE_LINK_RATE = env.str("CAMPAIGN_ENTERPRISE_LINK_RATE", default="60/m")
CAMPAIGN_ENTERPRISE_LINK_POST_RATE = env.str("CAMPAIGN_ENTERPRISE_LINK_POST_RATE", default="10/m")
# A visit's proof: at most this many photos or files, each at most this size (visits/proof.py).
CAMPAIGN_VISIT_FILES_MAX = env.int("CAMPAIGN_VISIT_FILES_MAX", default=9)
CAMPAIGN_VISIT_FILE_MAX_BYTES = env.int("CAMPAIGN_VISIT_FILE_MAX_BYTES", default=10 * 1024 * 1024)
CAMPAIGN_ERRAND_STALE_DAYS = env.int("CAMPAIGN_ERRAND_STALE_DAYS", default=14)
# Reminder schedule (days of month, intervals in days); used by the reminder scan.
CAMPAIGN_VISIT_REMINDER_DAYS = env.list("CAMPAIGN_VISIT_REMINDER_DAYS", cast=int, default=[20, 25])
CAMPAIGN_OVERDUE_REPEAT_DAYS = env.int("CAMPAIGN_OVERDUE_REPEAT_DAYS", default=3)
CAMPAIGN_OVERDUE_ESCALATE_DAYS = env.int("CAMPAIGN_OVERDUE_ESCALATE_DAYS", default=7)
CAMPAIGN_ESCALATION_DECIDE_DAYS = env.int("CAMPAIGN_ESCALATION_DECIDE_DAYS", default=5)
CAMPAIGN_FEEDBACK_WAIT_DAYS = env.int("CAMPAIGN_FEEDBACK_WAIT_DAYS", default=7)
CAMPAIGN_EXTENSION_DECIDE_DAYS = env.int("CAMPAIGN_EXTENSION_DECIDE_DAYS", default=3)
# The largest spreadsheet the campaign office may upload (bytes).
CAMPAIGN_IMPORT_MAX_BYTES = env.int("CAMPAIGN_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# The largest policy attachment the campaign office may upload (bytes); the types are in visits/attachments.py.
CAMPAIGN_ATTACHMENT_MAX_BYTES = env.int("CAMPAIGN_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# What an uploaded .xlsx may hold once unpacked, read from the zip's directory before anything is parsed
# (enterprises/importers.py, check_workbook_archive). A city's list of 13,900 rows, every column filled,
# unpacks to 10.9 MiB, 3.0 MiB of it text as Excel keeps it (bench/upload_limits.py): the caps pass a list
# twice that long, and refuse the zip bomb of issue 11 (384 KB holding 157 MB of text) at once.
CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES", default=32 * 1024 * 1024)
# The text table (shared strings) is held whole in memory while the sheet is read, at about six times its size.
CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES = env.int("CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES", default=8 * 1024 * 1024)
# Kept figures (core/kept.py): how long a counting page's answer stays in the cache at most. A change to what it
# counts makes it count again at once whatever this says; 0 counts on every view (no figure kept).
KEPT_SECONDS = env.int("KEPT_SECONDS", default=24 * 3600)
# After a change, the worker counts the default views again (KEPT_WARMERS) this many seconds later, once for every
# change made meanwhile, so that their readers seldom wait for a count. On by default with Redis only: without it
# the cache is each process's own memory, and what the worker counted would be kept where no reader looks.
KEPT_WARM = env.bool("KEPT_WARM", default=bool(REDIS_URL))
KEPT_WARM_DELAY_SECONDS = env.int("KEPT_WARM_DELAY_SECONDS", default=5)
# The default views counted again (dotted paths of callables taking no argument): the leading group's dashboard
# (this month, no filter) and the overseers' and campaign office's home figures (oversight/warm.py), this year's
# assessment page as it opens (assessment/views.py).
KEPT_WARMERS: list[str] = ["oversight.warm.warm", "assessment.views.warm"]
# An export of at most this many rows streams at once; a larger one is written in the background and the
# user is told when it is ready (core/exports.py, docs/exports.md). 100,000 ledger rows take ~15 s of CPU.
CAMPAIGN_EXPORT_INLINE_MAX_ROWS = env.int("CAMPAIGN_EXPORT_INLINE_MAX_ROWS", default=5_000)
# How long a file written in the background can be downloaded before the sweep deletes it.
CAMPAIGN_EXPORT_KEEP_HOURS = env.int("CAMPAIGN_EXPORT_KEEP_HOURS", default=24)

PORTAL_TITLE = _("Baqiao Pro-Business Service Portal")
