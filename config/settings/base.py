"""Settings shared by every environment. Values come from the environment (django-environ)."""

import datetime
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The address Notify reaches this service at (https://…), for the callback addresses shown to administrators;
# empty: taken from the request.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
# Newest first; the first key encrypts, every key decrypts (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "cases",
    "integrations",
    "mappings",
    "rules",
    "inbox",
    "documents",
    "simple_history",
    "governance",
    "ops",
    "demo",
]

MIDDLEWARE = [
    # /healthz answers before anything can refuse it (an unknown Host, the HTTPS redirect): the orchestrator's check
    # asks the process itself over plain HTTP (ops.views).
    "ops.views.HealthzMiddleware",
    # Web request latency for /metrics (ops.metrics).
    "ops.metrics.RequestLatencyMiddleware",
    # First: the client's address and scheme from a trusted reverse proxy only (accounts.security).
    "accounts.security.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # No-store for signed-in users' responses, and a Permissions-Policy on every response.
    "accounts.security.PrivateResponseMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor sign-in (django-otp): whether the session was verified with a code, then administrators are
    # sent to set it up or enter a code (accounts.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who made a change, for the change history (django-simple-history; the API's token user too).
    "simple_history.middleware.HistoryRequestMiddleware",
    # An upload that declares more than DOCUMENTS_MAX_UPLOAD_BYTES is refused before its body is read.
    "documents.uploads.UploadLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections open between requests and tasks (opening one costs more than a send's queries);
# a broken one is noticed and replaced before use.
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on over OpenID Connect (accounts.sso), when OIDC_ISSUER is set; inert otherwise.
    "accounts.sso.RoleMappingBackend",
]
# Single sign-on (mozilla-django-oidc): the identity provider's issuer turns it on; its endpoints come from its
# discovery document. OIDC_ROLE_GROUPS maps its group names to roles, e.g.
# '{"notify-admins": "Administrators", "notify-caseworkers": "Caseworkers", "notify-auditors": "Auditors"}'.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile groups")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your organisation's account")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLE_GROUPS = env.json("OIDC_ROLE_GROUPS", default={})
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's sign-out (id_token_hint)
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Local password sign-in (on unless single sign-on replaces it), and two-factor sign-in for administrators then.
LOCAL_LOGIN_ENABLED = env.bool("LOCAL_LOGIN_ENABLED", default=True)
TWO_FACTOR_FOR_ADMINS = env.bool("TWO_FACTOR_FOR_ADMINS", default=True)
OTP_TOTP_ISSUER = "Case notifications"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address is REMOTE_ADDR, which TrustedProxyMiddleware sets from a trusted proxy's header only.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Failed sign-ins from one address, whatever the usernames, before that address waits out AXES_COOLOFF_TIME.
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
# Reverse proxies (addresses or networks) whose X-Forwarded-* headers are believed; the header that carries the
# client's address. Empty: no proxy is trusted, and those headers are ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
CLIENT_ADDRESS_HEADER = env("CLIENT_ADDRESS_HEADER", default="X-Forwarded-For")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

# Operations (ops/): /metrics answers only with this bearer token (off when empty); /readyz's limits.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
READY_WORKER_MAX_AGE_SECONDS = env.int("READY_WORKER_MAX_AGE_SECONDS", default=120)
READY_SWEEPER_MAX_AGE_SECONDS = env.int("READY_SWEEPER_MAX_AGE_SECONDS", default=120)
READY_QUEUE_MAX_AGE_SECONDS = env.int("READY_QUEUE_MAX_AGE_SECONDS", default=600)

# Case documents (documents/): kept through the "documents" storage. By default files under var/documents; any
# Django storage backend by settings, e.g. django-storages' S3 with DOCUMENTS_STORAGE_BACKEND=
# storages.backends.s3.S3Storage and DOCUMENTS_STORAGE_OPTIONS='{"bucket_name": "…", "endpoint_url": "…"}'.
DOCUMENTS_STORAGE = {
    "BACKEND": env("DOCUMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env.json("DOCUMENTS_STORAGE_OPTIONS", default={"location": str(VAR_DIR / "documents")}),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": DOCUMENTS_STORAGE,
}
# The largest document a caseworker can add; a larger upload is refused before it is read.
DOCUMENTS_MAX_UPLOAD_BYTES = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with a WWW-Authenticate header.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RoleModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    # Bodies over API_MAX_BODY_BYTES get a JSON 413, JSON nested deeper than API_MAX_JSON_DEPTH a 400.
    "DEFAULT_PARSER_CLASSES": ["config.validation.LimitedJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
}
# API tokens (django-rest-knox): stored hashed, each with an expiry, revocable one by one or all of a user's.
# Made and revoked with `manage.py api_token`; sent as "Authorization: Token <token>".
REST_KNOX = {"TOKEN_TTL": datetime.timedelta(days=env.int("API_TOKEN_DAYS", default=90)), "AUTO_REFRESH": False}
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = 32
SPECTACULAR_SETTINGS = {
    "TITLE": "Case notifications API",
    "DESCRIPTION": "Cases, Notify integrations, mapping templates, rules and the integration log.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe the API, not its data: anyone may read them.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: no CDN, and the Content-Security-Policy allows it.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "LogStatusEnum": "integrations.log.Status",
        "JobStatusEnum": "rules.models.JobStatus",
        "MappingChannelEnum": "mappings.models.Channel",
        "ChannelEnum": "integrations.log.Channel",
    },
}

# Celery: https://docs.celeryq.dev/en/stable/userguide/configuration.html
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    # A broker that needs no server, for `make run` on a fresh machine.
    # https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.filesystem.html
    _queue = VAR_DIR / "celery" / "queue"
    _processed = VAR_DIR / "celery" / "processed"
    _control = VAR_DIR / "celery" / "control"
    for _folder in (_queue, _processed, _control):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "control_folder": str(_control),
        "store_processed": False,
    }
else:
    # https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
    # Well above any retry countdown, so a delayed task is never delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60, "socket_connect_timeout": 3}
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fix-up would close the database connection around every task; config/celery_app.py
# applies CONN_MAX_AGE instead, as Django does for requests.
CELERY_DB_REUSE_MAX = 10**9
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
# Bulk applies have a queue of their own, so one is never stuck behind the thousands of sends another
# queued; so have sends (integrations.outbox: one case's, and a bulk apply's). Workers consume every queue listed
# here unless started with -Q (a worker for case-sends alone: README, "Running it in production").
# https://docs.celeryq.dev/en/stable/userguide/routing.html
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "bulk": {}, "case-sends": {}, "bulk-sends": {}}
CELERY_TASK_ROUTES = {"rules.run_bulk_job": {"queue": "bulk"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Re-publishes outbox entries whose task never started, and retries that are due (integrations.outbox).
    "sweep-outbox": {"task": "integrations.sweep_outbox", "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=15.0)},
    # Date rules ("date reached", "time in status"); each fires once per case and date value.
    "check-date-rules": {"task": "rules.check_dates", "schedule": 15 * 60.0},
    # Notify templates fetched again, so mapping templates that no longer fit one are flagged (mappings.selectors).
    "refresh-templates": {"task": "integrations.refresh_templates",
                          "schedule": env.float("TEMPLATE_REFRESH_SECONDS", default=3600.0)},
    # Delivery statuses no callback brought (letters, lost callbacks), read from Notify's list.
    "poll-delivery-statuses": {"task": "integrations.poll_delivery_statuses",
                               "schedule": env.float("DELIVERY_POLL_SECONDS", default=300.0)},
    # Replies from citizens that no callback brought, read from Notify's list.
    "poll-received-texts": {"task": "integrations.poll_received_texts",
                            "schedule": env.float("RECEIVED_TEXT_POLL_SECONDS", default=300.0)},
    # The retention policy: personal data, records and documents past their time removed (governance.retention).
    "apply-retention": {"task": "governance.apply_retention",
                        "schedule": env.float("RETENTION_RUN_SECONDS", default=24 * 60 * 60.0)},
    # Proof that workers consume the queue, for /readyz (ops.checks).
    "worker-heartbeat": {"task": "ops.worker_heartbeat", "schedule": env.float("HEARTBEAT_SECONDS", default=30.0)},
    # Bulk applies whose worker stopped resume from the last case done (rules.bulk).
    "resume-bulk-jobs": {"task": "rules.resume_bulk_jobs", "schedule": env.float("BULK_RESUME_CHECK_SECONDS", default=60.0)},
}
# https://docs.celeryq.dev/en/stable/userguide/calling.html#retry-policy: fail fast when the broker is
# down; the outbox sweeper publishes the task later.
CELERY_BROKER_CONNECTION_TIMEOUT = 3

# LOG_FORMAT=json (production's default): one JSON object a line (python-json-logger), with each line's extra
# fields (a message's log_entry_id, reference, integration_id and notify_id) as keys of their own.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json"
                             else "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Content-Security-Policy: https://django-csp.readthedocs.io/en/latest/configuration.html
from csp.constants import NONCE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
    },
}
# Signing out of single sign-on ends at the identity provider: the sign-out form may go there.
if OIDC_ISSUER:
    from urllib.parse import urlsplit as _urlsplit

    _issuer = _urlsplit(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")

# Secrets are hidden from error reports and the debug page alike (config/debug.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.debug.AlwaysSafeExceptionReporterFilter"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Sending (integrations.retry, integrations.notify.client): backoff between retries of transient failures,
# and how long one call to Notify may take.
NOTIFY_RETRY_BASE_SECONDS = env.float("NOTIFY_RETRY_BASE_SECONDS", default=10.0)
NOTIFY_RETRY_MAX_SECONDS = env.float("NOTIFY_RETRY_MAX_SECONDS", default=900.0)
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=10.0)
# Hosts an integration may call besides the known Notify APIs (integrations.notify.addresses), and whether the
# local sandbox's loopback address may be called (only the demo and test settings allow it).
NOTIFY_EXTRA_HOSTS = env.list("NOTIFY_EXTRA_HOSTS", default=[])
NOTIFY_ALLOW_LOOPBACK = False
# How long a cached Notify template is trusted before a send fetches it again (the before-send drift check).
TEMPLATE_CACHE_SECONDS = env.int("TEMPLATE_CACHE_SECONDS", default=300)
# The outbox (integrations.outbox): entries to a send task when many are queued at once; when the sweeper
# takes a task as lost and publishes it again; when an entry left "sending" belongs to a dead worker.
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=100)
OUTBOX_LOST_TASK_SECONDS = env.float("OUTBOX_LOST_TASK_SECONDS", default=60.0)
OUTBOX_STUCK_SENDING_SECONDS = env.float("OUTBOX_STUCK_SENDING_SECONDS", default=300.0)
# A running bulk apply whose progress has not moved for this long lost its worker, and is resumed (rules.bulk).
BULK_JOB_STALLED_SECONDS = env.float("BULK_JOB_STALLED_SECONDS", default=300.0)
# A worker that received no task for two of these intervals while tasks wait for it and it has free slots
# rebuilds its consumer (config/worker_watchdog.py); 0 turns the check off.
WORKER_WATCHDOG_SECONDS = env.float("WORKER_WATCHDOG_SECONDS", default=30.0)

# The service's name as shown in the header.
SERVICE_NAME = env("SERVICE_NAME", default="Case notifications")
DEMO_MODE = env.bool("DEMO_MODE", default=False)
