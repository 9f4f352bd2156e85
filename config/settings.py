"""Settings come only from environment variables; every one has a safe embedded default.

Embedded mode (no DATABASE_URL, no REDIS_URL): a SQLite file in the project folder and Celery
tasks run eagerly in-process. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", "DATABASE_URL" not in os.environ)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-not-secret-jiekun"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "accounts",
    "workcalendar",
    "households",
    "eligibility",
    "economic_check",
    "applications",
    "benefits",
    "ledgers",
    "help",
    "imports",
    "reports",
    "papers",
    "demo",
    "inbox",
    # Only the migration history of the tables that households … imports took over (see cases/__init__.py).
    "cases",
]

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",  # before anything reads the Host header
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.RejectNulMiddleware",
    "config.middleware.RequestLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.logs.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.error_pages.RefusalPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.personal_reads.PersonalReadLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.error_pages.csrf_failure"
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
                "accounts.context_processors.may",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a kept connection is checked before reuse (survives a database restart)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # The reports' covering indexes (INCLUDE columns) are for PostgreSQL; SQLite keeps the key columns and
    # says so on every command, which in the embedded mode is only noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lockout (django-axes; accounts/lockout.py): this many failures of one user name from one client address
# within the window lock that pair for the window; a county officer can lift it earlier.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.lockout_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # accounts/lockout.py logs the lockouts themselves
# Reverse proxies in front of the app (each appends to X-Forwarded-For); 0 = clients connect directly.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Sessions end after inactivity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS on by default in production (one year); SECURE_HSTS_SECONDS=0 turns it off while TLS is being set up.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, never inline
# (templates use data-* attributes and static/js/page.js); the Redoc page alone relaxes styles (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Without collectstatic (embedded mode, tests) whitenoise finds files where they live.
WHITENOISE_USE_FINDERS = True
# After collectstatic (the Dockerfile runs it) every file is served under a content-hashed name, compressed, with a
# one-year immutable Cache-Control (WhiteNoise); without a manifest (the embedded mode, tests) under its own name.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if (STATIC_ROOT / "staticfiles.json").exists() or env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Request bodies (config/middleware.py): a body that is not an upload, a multipart upload (documents, Excel
# ledgers), a department extract (its view's own cap), and the fields of one form.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("REQUEST_MAX_BYTES", str(5 * 2**20)))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(80 * 2**20)))
EXTRACT_UPLOAD_MAX_BYTES = int(os.environ.get("EXTRACT_UPLOAD_MAX_BYTES", str(512 * 2**20)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("FORM_MAX_FIELDS", "1000"))
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Uploads over this size are spooled to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20
# Uploaded documents live outside the web root and are served only through scoped views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A task whose worker died is delivered again: acknowledged only after it ran, re-queued when the worker is lost,
# and Redis waits this long for the acknowledgement before handing it to another worker — longer than the
# longest task (a 100,000-row import or a province reconciliation rule: minutes, not hours).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "7200")),
    # A worker looks for messages whose worker died (unacknowledged past the visibility timeout) when it starts
    # and then every interval × throttle seconds (kombu's defaults: 10 × 10).
    "unacked_restore_interval": int(os.environ.get("CELERY_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(os.environ.get("CELERY_RESTORE_THROTTLE", "10")),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Stuck work (common/background.py, the one sweeper; each kind registers from its app): busy work silent longer than
# its kind's setting is queued again (twice, then failed visibly, and its owner sees 重试 / 放弃); an upload checked
# but never confirmed is removed with its file after its kind's *_UNCONFIRMED_HOURS. Reconciliation runs use
# RECONCILE_STALE_SECONDS below.
IMPORT_STALE_MINUTES = int(os.environ.get("IMPORT_STALE_MINUTES", "30"))
EXTRACT_STALE_MINUTES = int(os.environ.get("EXTRACT_STALE_MINUTES", "30"))
ROLL_STALE_MINUTES = int(os.environ.get("ROLL_STALE_MINUTES", "15"))
ECONOMIC_CHECK_STALE_MINUTES = int(os.environ.get("ECONOMIC_CHECK_STALE_MINUTES", "15"))
EXTRACT_UNCONFIRMED_HOURS = int(os.environ.get("EXTRACT_UNCONFIRMED_HOURS", "72"))
IMPORT_UNCONFIRMED_HOURS = int(os.environ.get("IMPORT_UNCONFIRMED_HOURS", "72"))

# Semiannual reconciliation (赣发〔2018〕7号 六(三)): Celery beat starts the province-wide run at
# RECONCILE_CRON_HOUR:00 on the 1st of RECONCILE_CRON_MONTHS (default 1 January and 1 July).
RECONCILE_CRON_MONTHS = os.environ.get("RECONCILE_CRON_MONTHS", "1,7")
RECONCILE_CRON_HOUR = int(os.environ.get("RECONCILE_CRON_HOUR", "2"))
CELERY_BEAT_SCHEDULE = {
    "semiannual-reconciliation": {
        "task": "ledgers.reconcile_scheduled",
        "schedule": crontab(
            minute=0, hour=RECONCILE_CRON_HOUR, day_of_month=1, month_of_year=RECONCILE_CRON_MONTHS
        ),
    },
    # Stuck work of every kind re-queued or failed, unconfirmed uploads removed (common/background.py; the task
    # keeps the name it had when it swept imports only).
    "imports-sweep": {"task": "imports.imports_sweep", "schedule": crontab(minute="*/5")},
}
# The daily jobs, in the order they run: scheduled reviews become caseworker tasks, 渐退 ends on its date,
# changed households are recomputed from the next month, then each user with an address gets the digest of their
# inbox (each task is idempotent). Celery beat runs them at DAILY_JOBS_HOUR in production; in the embedded mode
# inbox/scheduler.py runs the same tasks when `runserver` starts and every day at that hour.
DAILY_JOBS = [
    "benefits.tasks.reviews_raise_daily",
    "benefits.tasks.gradual_exits_close_daily",
    "benefits.tasks.changed_households_recompute_daily",
    "inbox.digest_send_daily",
]
DAILY_JOBS_HOUR = int(os.environ.get("DAILY_JOBS_HOUR", "1"))
EMBEDDED_DAILY_JOBS = env_bool("EMBEDDED_DAILY_JOBS", True)
for _i, _name in enumerate(DAILY_JOBS):
    CELERY_BEAT_SCHEDULE[f"daily-{_name}"] = {
        "task": _name,
        "schedule": crontab(minute=10 * (_i + 1), hour=DAILY_JOBS_HOUR),
    }
# A run silent this long and held by no worker is dead and may be restarted.
RECONCILE_STALE_SECONDS = int(os.environ.get("RECONCILE_STALE_SECONDS", "600"))
# PostgreSQL work_mem for a rule's statement (hash joins of millions of rows).
RECONCILE_WORK_MEM_MB = int(os.environ.get("RECONCILE_WORK_MEM_MB", "64"))
# Bad rows of an extract kept and listed (all are counted).
LEDGERS_ERROR_LIST_LIMIT = int(os.environ.get("LEDGERS_ERROR_LIST_LIMIT", "1000"))
# The most rows a list export writes in one request (about 4,000 rows/s: 100,000 rows stay inside gunicorn's
# 30 s timeout); a larger list is refused with a message asking for a narrower filter.
EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "100000"))
# A longer list is written in the background (accounts/export_jobs.py) up to EXPORT_JOB_MAX_ROWS rows (one Excel
# sheet holds 1,048,576); its file is kept EXPORT_KEEP_HOURS for the user who asked. A job silent for
# EXPORT_STALE_MINUTES is queued again, and fails with its reason after EXPORT_MAX_ATTEMPTS.
EXPORT_JOB_MAX_ROWS = int(os.environ.get("EXPORT_JOB_MAX_ROWS", "1000000"))
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "24"))
EXPORT_STALE_MINUTES = int(os.environ.get("EXPORT_STALE_MINUTES", "10"))
EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_MAX_ATTEMPTS", "2"))
# The economic check at intake (ledgers/sources.py): an extract loaded longer ago than this is not used and
# its source is listed as not checked.
ECONOMIC_CHECK_MAX_AGE_DAYS = int(os.environ.get("ECONOMIC_CHECK_MAX_AGE_DAYS", "180"))
# Where to apply (policy.md §8.5): months on a local 居住证 before a household may apply here instead of at its 户籍.
RESIDENCE_MONTHS = int(os.environ.get("RESIDENCE_MONTHS", "12"))
# Personal medical costs (元, in one medical_expense extract) from which a household not covered gets a lead (§8.7).
MEDICAL_EXPENSE_LEAD_MIN = int(os.environ.get("MEDICAL_EXPENSE_LEAD_MIN", "10000"))
# A source answered by a department's live interface instead of the loaded extracts:
# "vehicle=gov.jx.jiaoguan.VehicleApi,tax_income=…" (kind=dotted class path).
ECONOMIC_CHECK_ADAPTERS = dict(
    item.split("=", 1) for item in os.environ.get("ECONOMIC_CHECK_ADAPTERS", "").split(",") if "=" in item
)

# E-mail (the daily digest of each user's inbox). Embedded mode prints the mail on the console; production sets
# EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL) for SMTP.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "解困系统 <noreply@localhost>")
# The address of the site as users reach it (links in the digest).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api_auth.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/min")},
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.SafeJSONParser"],
    "EXCEPTION_HANDLER": "common.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "解困 Jiekun API",
    "DESCRIPTION": (
        "城镇贫困群众脱贫解困系统的部门接口：人员查询、关联待遇名单、比对数据上传、资格测算。\n\n"
        "Department API of the Jiekun case-management system: person lookup, linked-benefit lists, "
        "extract upload, eligibility evaluation. Authenticate with `Authorization: Api-Key <key>`; "
        "state the purpose of every personal-data read in `X-Purpose` — a purpose code, or the Chinese text "
        "percent-encoded as UTF-8 (plain or RFC 8187 `UTF-8''...`): raw Chinese cannot travel in a header. "
        "Paths end without a slash. Errors: "
        '`{"errors": [{"field": ..., "message": ...}]}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: a nullable reference is `oneOf: [$ref, null]`, which 3.0 cannot say without a lint error.
    "OAS_VERSION": "3.1.0",
    "TAGS": [
        {"name": "persons", "description": "人员救助状态查询 / person lookup"},
        {"name": "lists", "description": "关联待遇与学生资助名单 / linked-benefit and student lists"},
        {"name": "leads", "description": "主动发现线索 / leads"},
        {"name": "ledgers", "description": "比对数据上传与疑点 / extracts and findings"},
        {"name": "eligibility", "description": "资格测算与年度标准 / evaluation and standards"},
        {"name": "applications", "description": "救助申请（工作人员登录会话）/ applications, staff session"},
    ],
    "CONTACT": {"name": "解困系统运维 / Jiekun operations"},
    "LICENSE": {"name": "Proprietary", "url": "https://www.gov.cn/"},
    "SERVERS": [{"url": "/", "description": "本系统 / this server"}],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One named enum per choice set (a generated client gets one type for each, not Category316Enum).
    "ENUM_NAME_OVERRIDES": {
        "CategoryEnum": "applications.models.Category",
        "RulesCategoryEnum": "eligibility.rules.CATEGORY_ORDER",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.postprocess",
    ],
}

# One line per event with time, level, user and request id (config/logging.py): JSON lines in production
# (LOG_FORMAT=json, the default when DEBUG is off), plain text otherwise.
LOGGING = logging_config(
    json_lines=os.environ.get("LOG_FORMAT", "text" if DEBUG else "json") == "json",
    level=os.environ.get("LOG_LEVEL", "INFO"),
    # Embedded mode runs tasks in-process: a line per task that succeeded says nothing there.
    quiet_celery_trace=not REDIS_URL,
)

# Uploaded workbooks (.xlsx/.xls/.ods: the household import), checked before any reading (common/workbook_upload.py).
WORKBOOK_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("WORKBOOK_MAX_UNCOMPRESSED_BYTES", str(256 * 2**20)))
WORKBOOK_MAX_ROWS = int(os.environ.get("WORKBOOK_MAX_ROWS", "100100"))  # 100,000 data rows and headers
WORKBOOK_MAX_COLUMNS = int(os.environ.get("WORKBOOK_MAX_COLUMNS", "100"))
WORKBOOK_MAX_CELL_CHARS = int(os.environ.get("WORKBOOK_MAX_CELL_CHARS", "2000"))
