"""Settings for every environment; production differs from development by environment only."""

import zoneinfo
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .database import database_settings
from .env import env_base_url, env_bool, env_int, env_list, env_str

# Time zone rules from the pinned tzdata package, not from whatever the host has: every
# machine computes the same SLA instants (README, "Time").
zoneinfo.reset_tzpath(to=[])

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
# Demo mode allows the published demo password and the seed_demo command; production refuses both.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105 - refused outside DEBUG
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value outside DEBUG.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where people reach the desk: the start of every link in a mail (servicedesk.mailing.public_url).
# Unset, the first ALLOWED_HOSTS entry stands in for it; `make run` sets it to its own server.
PUBLIC_BASE_URL = env_base_url("PUBLIC_BASE_URL")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "servicedesk",
    "orders",
    "tickets",
    "escalation",
    "mailroom",
    "feedback",
    "documents",
    "reports",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servicedesk.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "servicedesk.middleware.RefuseNulMiddleware",
    "servicedesk.middleware.TenantMiddleware",
    "servicedesk.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: a transaction around the views of unsafe methods only (reads run in autocommit).
    "servicedesk.middleware.AtomicWritesMiddleware",
]

# Scripts only from the desk's own static files (no inline script or handler, no eval: htmx runs
# with allowEval off); styles may be inline (the tenant's accent colour, the error pages' own
# styles); nothing from anywhere else; no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "servicedesk.context_processors.desk",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
# Used only by ``manage.py ensure_database`` to create the roles and the database.
PG_ADMIN_URL = env_str("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASES = database_settings(
    env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'desk.sqlite3'}"),
    env_str("DATABASE_SYSTEM_URL", "") or None,
    conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_ROUTERS = ["servicedesk.db.router.SameDatabaseRouter"]

REDIS_URL = env_str("REDIS_URL", "")
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "servicedesk.cache.DeskRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "desk"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Users and sign-in ----------------------------------------------------------------------
AUTH_USER_MODEL = "servicedesk.User"
AUTHENTICATION_BACKENDS = ["servicedesk.auth.DeskAuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "servicedesk.auth.DemoPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"
# Failed sign-ins allowed per e-mail address and per client address in the window before
# further attempts are refused without checking the password.
LOGIN_FAILURE_LIMIT_PER_USER = env_int("LOGIN_FAILURE_LIMIT_PER_USER", 5)
LOGIN_FAILURE_LIMIT_PER_IP = env_int("LOGIN_FAILURE_LIMIT_PER_IP", 30)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
# Sessions are kept in the database and read through the cache: a page no longer reads its
# session row (one statement fewer on every signed-in page); a sign-out or a new session writes
# both. Whether the signed-in user may still sign in is checked on every request all the same.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
# English dates and times as in Europe (config/formats/en): 05/12/2026 16:32, not 12/05/2026 4:32 p.m.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGES = [("de", _("German")), ("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# In development files come straight from the apps and static/; production serves the
# collected, hashed and compressed copies in STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files")},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Tickets --------------------------------------------------------------------------------
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Full-text search configuration: "simple" (no stemming) because tickets come in German,
# English and Spanish side by side. The GIN index (tickets migration 0002) is built on it.
SEARCH_CONFIG = "simple"

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "service-desk@localhost")

# --- Inbound mail (mailroom) ----------------------------------------------------------------
# The embedded default: each tenant's Maildir folder {root}/{tenant slug}/new/.
MAILROOM_MAILDIR_ROOT = Path(env_str("MAILROOM_MAILDIR_ROOT", str(VAR_DIR / "mail")))
# Production: tenants' IMAP mailboxes (TLS), polled by the same sweep.
MAILROOM_IMAP_ENABLED = env_bool("MAILROOM_IMAP_ENABLED", not DEBUG)
MAILROOM_IMAP_TIMEOUT = env_int("MAILROOM_IMAP_TIMEOUT", 30)
MAILROOM_IMAP_CA_FILE = env_str("MAILROOM_IMAP_CA_FILE", "")  # a private CA's certificate, if any
# The key the IMAP passwords are encrypted under (mailroom.secrets); empty: derived from SECRET_KEY.
MAILROOM_SECRET_KEY = env_str("MAILROOM_SECRET_KEY", "")
# Accepted messages (tickets and replies) per sender and hour; past it, mail is kept but ignored.
# How often the mailboxes are read: a mail waits at most this long, and its acknowledgement
# leaves within a minute of its arrival (the 15-minute confirmation, met by the mail).
MAILROOM_SWEEP_SECONDS = env_int("MAILROOM_SWEEP_SECONDS", 30)
MAILROOM_SENDER_LIMIT_PER_HOUR = env_int("MAILROOM_SENDER_LIMIT_PER_HOUR", 30)
# Further addresses that are the desk's own (besides each mailbox and DEFAULT_FROM_EMAIL).
MAILROOM_OWN_ADDRESSES = env_list("MAILROOM_OWN_ADDRESSES", [])

# --- Security (check --deploy is clean when DEBUG is off) -----------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "servicedesk.api_auth.DeskTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, refusing what no field should have to: oversized bodies, deep nesting,
    # NUL characters, non-finite numbers (servicedesk.api_parsers).
    "DEFAULT_PARSER_CLASSES": [
        "servicedesk.api_parsers.DeskJSONParser",
        "servicedesk.api_parsers.DeskFormParser",
        "servicedesk.api_parsers.DeskMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "servicedesk.api_pagination.DeskPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "servicedesk.api_schema.DeskAutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "servicedesk.api_errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "servicedesk.api_errors.DeskContentNegotiation",
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service desk API",
    "DESCRIPTION": "Tickets, service levels, escalation, orders and inventory, scoped to the caller's tenant and customer account.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from this installation's static files: the docs page loads nothing from elsewhere.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "tickets.models.Ticket.Kind",
        "TicketEventKindEnum": "tickets.models.TicketEvent.Kind",
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "ProblemStatusEnum": "tickets.models.Problem.Status",
        "RfoStatusEnum": "tickets.models.Rfo.Status",
        "ServiceStatusEnum": "orders.models.Service.Status",
    },
}

# --- Tasks ----------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
    if CELERY_BROKER_URL.startswith("redis://"):
        # kombu's Redis transport, keeping its client (servicedesk/broker.py): a task sent
        # costs 0.28 instead of 0.40 ms of CPU.
        CELERY_BROKER_TRANSPORT = "servicedesk.broker:Transport"
else:
    # The embedded default: a broker that is a folder, so `make run` needs no server.
    _queue = VAR_DIR / "broker" / "queue"
    _processed = VAR_DIR / "broker" / "processed"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
# Notifications recorded this long ago and still not sent (their task lost with a worker killed
# mid-task or with the broker's queue) are handed to a task again by the next sweep. Longer
# than a notification task's time limit and first retries, so a task still at work is left be.
NOTIFICATION_RESEND_SECONDS = env_int("NOTIFICATION_RESEND_SECONDS", 5 * 60)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The periodic sweeps, all in one place. Every entry expires before its next run, so a worker
# that was down does not find a queue of stale copies when it comes back.
CELERY_BEAT_SCHEDULE = {
    # Every minute: SLA warnings and breaches. Reads the partial index slaclock_next_check_idx
    # (clocks with next_check_at <= now), claims rows with SKIP LOCKED; idempotent.
    # SLA_SWEEP_SECONDS shortens the interval (the worker fault tests run it every second).
    "sla-sweep": {
        "task": "tickets.tasks.sla_sweep_task",
        "schedule": float(env_int("SLA_SWEEP_SECONDS", 60)),
        "options": {"expires": max(1, env_int("SLA_SWEEP_SECONDS", 60) - 5)},
    },
    # Every minute: escalation by age and by SLA breach, unanswered acknowledgements. First gives
    # new tickets a timer (ticket_tenant_status_idx, tickets created since the last run), then
    # reads the partial index ticketesc_next_check_idx (timers with next_check_at <= now), claims
    # rows with SKIP LOCKED; idempotent (unique (ticket, round, level) and (event, number) keys).
    # ESCALATION_SWEEP_SECONDS shortens the interval (the real-worker test runs it every second).
    "escalation-sweep": {
        "task": "escalation.tasks.escalation_sweep_task",
        "schedule": float(env_int("ESCALATION_SWEEP_SECONDS", 60)),
        "options": {"expires": max(1, env_int("ESCALATION_SWEEP_SECONDS", 60) - 5)},
    },
    # Daily: every open ticket without an open escalation timer gets one, however old (re-opened
    # tickets, imports). One anti-join over ticket_tenant_status_idx; idempotent.
    "escalation-full-discovery": {
        "task": "escalation.tasks.escalation_full_discovery_task",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 60 * 60},
    },
    # Every 30 s (MAILROOM_SWEEP_SECONDS): inbound mail, every tenant's Maildir folder (and IMAP
    # mailbox in production), so a mail is acknowledged within a minute of arriving. No query but
    # one mailbox per tenant; idempotent (a unique key per tenant and Message-ID), so an
    # overlapping run does no harm.
    "inbound-mail-sweep": {
        "task": "mailroom.tasks.inbound_mail_sweep_task",
        "schedule": float(MAILROOM_SWEEP_SECONDS),
        "options": {"expires": max(1, MAILROOM_SWEEP_SECONDS - 5)},
    },
    # Hourly: on each tenant's first business day of the month, every account's report of last
    # month by mail, once (the unique key of reports' MonthlyReportDelivery). A few small queries
    # per tenant on other days.
    "monthly-reports": {
        "task": "reports.tasks.send_monthly_reports_task",
        "schedule": 60 * 60.0,
        "options": {"expires": 55 * 60},
    },
    # Every 5 minutes: the reports' daily roll-ups (reports.rollup): the days changed since they
    # were rolled up, then yesterday, then older days back to each tenant's first ticket, within
    # a time budget. Nothing to do on SQLite. Overlapping runs wait on each other's locks.
    "report-rollups": {
        "task": "reports.tasks.roll_up_reports_task",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # Every 15 s: records that beat and a worker are alive; /healthz reports its age.
    # No query: one cache key.
    "heartbeat": {
        "task": "servicedesk.tasks.heartbeat_task",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
