"""Settings for the clinic site, read from the environment with safe defaults."""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. For local work run `make run`, "
            "which sets DEBUG=1."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before admin, so its admin classes and translated fields are in place first.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "clinic_site.apps.ClinicSiteConfig",
    "axes",
    "csp",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    # Revision history of the pages (who, when, why, and the content with its sections).
    "reversion",
    "pages",
    "bookings",
    "scheduling",
    "search",
    "seo",
    # Two-step sign-in for staff: authenticator apps (TOTP) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # After django.contrib.auth and django_otp: it re-registers their admin classes.
    "staff",
]

MIDDLEWARE = [
    # Outermost: request id and the one log line cover everything below, cache hits included.
    "clinic_site.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clinic_site.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so a hit skips the rest; responses stored here already carry the headers below.
    "clinic_site.page_cache.PageCacheMiddleware",
    "clinic_site.middleware.RequestBodyLimitMiddleware",
    "clinic_site.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "seo.middleware.RedirectFallbackMiddleware",
    "seo.middleware.PageMetaMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.user.is_verified(): has this session passed the second step of signing in?
    "django_otp.middleware.OTPMiddleware",
    "staff.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "clinic_site.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"

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
                "pages.context_processors.site_chrome",
            ],
        },
    },
]

WSGI_APPLICATION = "clinic_site.wsgi.application"

# SQLite by default so a newcomer needs nothing else; PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue on the busy timeout instead of failing.
    # Connections persist (DB_CONN_MAX_AGE) as on PostgreSQL: opening SQLite and its WAL
    # for every request costs about a millisecond, more than a cached page takes to serve.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and page caches must hold across gunicorn workers, so the cache is
# always shared: Redis when configured, otherwise a database table.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "clinic"),
            "TIMEOUT": 600,
            # A Redis that stops answering must cost a request milliseconds, not the worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "clinic_site.cache.DatabaseCache",
            "LOCATION": "django_cache",
            "TIMEOUT": 600,
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# "en", not "en-us": it must equal a LANGUAGES code for unprefixed English URLs to work.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# Content in Spanish is optional: an empty Spanish field shows the English text.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Django serves uploaded images unless a proxy in front does it (then SERVE_MEDIA=0).
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

# Email: SMTP, except in development without EMAIL_HOST (console). Production refuses to start
# with SMTP but no EMAIL_HOST (clinic_site/checks.py) unless EMAIL_BACKEND is chosen explicitly.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
SITE_NAME = os.environ.get("SITE_NAME", "Westside Regenerative Orthopedics")
# The site's own address; a patient's email has Reply-To their office's inbox.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <website@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in staff emails point here; required when DEBUG is off (clinic_site/checks.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# HTTPS: on behind a TLS proxy in production, set SECURE_SSL=1.
SECURE_SSL = env_bool("SECURE_SSL")
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer's plain-HTTP health check must see 200 or 503, not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    # Both reach beyond this site (every subdomain; browsers' built-in lists) and are slow to
    # undo, so each is the clinic's explicit choice.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # `check --deploy` would warn about the two opt-ins above being off: that is deliberate.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Logging (clinic_site/logs.py): every line carries the request id; emails, phone numbers
# and database row details are masked as a last guard. One line per request comes from
# RequestLogMiddleware, so django.request's own 4xx lines are left out.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "clinic_site.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "clinic_site.logs.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# How many reverse proxies in front of gunicorn append to X-Forwarded-For. 0: trust none.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Consultation requests (bookings app) ---
# Requests one client may send per window before the 429 page; counted in the shared cache.
BOOKINGS_RATE_LIMIT = int(os.environ.get("BOOKINGS_RATE_LIMIT", "5"))
BOOKINGS_RATE_LIMIT_WINDOW = int(os.environ.get("BOOKINGS_RATE_LIMIT_WINDOW", "600"))
# Over the limit, this many more per window are still kept, marked, for staff to review.
BOOKINGS_RATE_LIMIT_KEEP = int(os.environ.get("BOOKINGS_RATE_LIMIT_KEEP", "20"))
# A form sent sooner than this after it was shown is kept as spam ("too fast").
BOOKINGS_MIN_FILL_SECONDS = float(os.environ.get("BOOKINGS_MIN_FILL_SECONDS", "3"))
# purge_consultation_requests deletes closed and spam requests unchanged for this long.
BOOKINGS_RETENTION_DAYS = int(os.environ.get("BOOKINGS_RETENTION_DAYS", "365"))
# Extra inboxes copied on every new-request email, besides the office's own inbox.
BOOKINGS_FRONT_DESK_EMAILS = env_list("BOOKINGS_FRONT_DESK_EMAILS")
# send_pending_notifications stops retrying an email after this many attempts.
BOOKINGS_NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("BOOKINGS_NOTIFICATION_MAX_ATTEMPTS", "10"))

# --- Online booking (scheduling app) ---
# The offices' clock: open times are offered, shown and put in calendar files in this zone,
# whatever zone the server runs in.
SCHEDULING_TIME_ZONE = os.environ.get("SCHEDULING_TIME_ZONE", "America/Los_Angeles")
# Reminders before each appointment, in minutes (default: 2 days and 2 hours).
SCHEDULING_REMINDER_MINUTES = [
    int(minutes) for minutes in env_list("SCHEDULING_REMINDER_MINUTES", "2880,120")
]

# --- Production hardening (issue 6) ---
# Admin lives here; set ADMIN_URL to a path of your own to keep it off the usual scanners' list.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

# Content-Security-Policy (django-csp 4): our own files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the site never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Admin login lockout (django-axes): 5 failures for one username from one IP lock that pair
# out for an hour; the IP is the one clinic_site.client_ip trusts.
AUTHENTICATION_BACKENDS = [
    "clinic_site.auth_backends.LoginLockoutBackend",
    "staff.auth_backends.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "clinic_site.client_ip.get_client_ip"
AXES_VERBOSE = False

# A limit per account across all addresses (staff/lockout.py): this many failed sign-ins within
# the window lock the account for STAFF_ACCOUNT_LOCK_SECONDS and email the superusers.
STAFF_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("STAFF_ACCOUNT_FAILURE_LIMIT", "20"))
STAFF_ACCOUNT_FAILURE_WINDOW = int(os.environ.get("STAFF_ACCOUNT_FAILURE_WINDOW", str(24 * 3600)))
STAFF_ACCOUNT_LOCK_SECONDS = int(os.environ.get("STAFF_ACCOUNT_LOCK_SECONDS", "3600"))
# The name staff see for this site in their authenticator app.
OTP_TOTP_ISSUER = SITE_NAME

# Staff sign in through admin; after a login whose `next` is unsafe they land on its index.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Staff sessions end when the browser closes, or after 2 idle hours (the cookie is renewed
# on each request of a logged-in user; anonymous visitors have no session to save).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True

# Request size limits: forms are small; admin image uploads are the largest thing we accept.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(8 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024  # all fields of one form, files excluded
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500  # admin change forms with inlines need a few hundred
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads are spooled to disk

# Full-page cache (clinic_site/page_cache.py): anonymous GETs of the URL namespaces below are
# kept in the shared cache; a change to any model of PAGE_CACHE_APPS starts a new version and
# warms every sitemap page again in the background.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", True)
PAGE_CACHE_WARM = env_bool("PAGE_CACHE_WARM", True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "600"))
PAGE_CACHE_NAMESPACES = ["pages"]
PAGE_CACHE_APPS = ["pages"]
# After a cache error a worker serves uncached pages for this long before trying again.
PAGE_CACHE_RETRY_SECONDS = float(os.environ.get("PAGE_CACHE_RETRY_SECONDS", "5"))
# Set to the release (e.g. a git commit) so pages cached by an older release are never served.
PAGE_CACHE_RELEASE = os.environ.get("RELEASE", "")

# Shown on the 503 page when the database is down, so it cannot come from the database.
# JSON list of {"name", "phone", "phone_display", "street_address", "city", "state",
# "postal_code"}, and optionally the name in another language ("name_es"); the default matches
# the demo offices.
OFFICE_CONTACTS = [
    {
        "name": "Los Angeles",
        "name_es": "Los Ángeles",
        "phone": "+13105550142",
        "phone_display": "(310) 555-0142",
        "street_address": "1200 Wilshire Boulevard, Suite 410",
        "city": "Los Angeles",
        "state": "CA",
        "postal_code": "90017",
    },
    {
        "name": "Encino",
        "phone": "+18185550167",
        "phone_display": "(818) 555-0167",
        "street_address": "16500 Ventura Boulevard, Suite 220",
        "city": "Encino",
        "state": "CA",
        "postal_code": "91436",
    },
]
if os.environ.get("OFFICE_CONTACTS"):
    OFFICE_CONTACTS = json.loads(os.environ["OFFICE_CONTACTS"])
