"""Settings shared by every environment; each value can be overridden from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# An Action Plan's edit form carries every action, status update, indicator and measured value: a plan of 200
# actions with 200 indicators of 24 monthly values posts about 35,000 fields (Django refuses more than 1,000 by
# default, with a bare 400). The body stays capped by DATA_UPLOAD_MAX_MEMORY_SIZE, and only the admin posts forms.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50_000

INSTALLED_APPS = [
    "home",
    "kb",
    "search",
    "plans",
    "lineage",
    "alerts",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "axes",
    "allauth",
    "allauth.account",
    # Listed so that /api/docs serves the Swagger UI files bundled with django-ninja from this site: its default
    # loads them from a CDN, which the site's own CSP (script-src 'self') blocks, leaving a blank page.
    "ninja",
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
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "search.middleware.ApiJsonErrorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.AdminScriptPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into a 429.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # counts failed logins, refuses locked-out clients
    "django.contrib.auth.backends.ModelBackend",  # editors sign in to the Wagtail admin by username
    "allauth.account.auth_backends.AuthenticationBackend",  # members sign in on the site by email
]
# Brute force: after AXES_FAILURE_LIMIT failed logins for one username from one address, that pair is locked
# out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the app; the client address (lockouts, rate limits) honours it: config/client.py.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.client.client_address"

# Scripts only from this site, never inline; inline styles are allowed (Wagtail's admin sets some).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}

# Per-client rate limit of the search API (requests per second, minute or hour).
SEARCH_API_RATE = os.environ.get("SEARCH_API_RATE", "120/m")

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the search worker write to the same file: wait for a lock rather than fail, and let
    # readers read while one writes (WAL). A transaction takes the write lock when it begins (IMMEDIATE): one that
    # began by reading and then writes after another process committed would fail at once with "database is
    # locked" (SQLite cannot wait there), as the benchmark's publish-while-the-worker-indexes did.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Interface languages; content keeps the language it was written in.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("pl", "Polski"),
]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "assets"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "EU Cities Mission knowledge base"
# The site's public address, for links in emails (digests, confirmations).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000"))
# Who publishes the open data, as the DCAT-AP catalogue at /data/catalog.jsonld names it.
OPEN_DATA_PUBLISHER = os.environ.get("OPEN_DATA_PUBLISHER") or WAGTAIL_SITE_NAME
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@localhost")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = os.environ.get("WAGTAILADMIN_NOTIFICATION_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# Nothing in the admin loads from other sites (the CSP allows only this one).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odp", "ods", "odt", "pdf", "pptx", "txt", "xlsx"]
# Wagtail's own search (admin listings, database fallback of the network search).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Member accounts (django-allauth): anyone signs up by email and confirms the address before signing in; no
# username. Members get no admin access: the Wagtail admin needs a permission only editors' groups carry.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Cities Mission] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PUBLIC_BASE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "alerts.accounts.AccountAdapter"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/alerts/"

# Alerts (alerts/): digests of what is new in what members follow, sent by `manage.py alerts_worker`.
ALERTS = {
    "DIGEST_HOUR": int(os.environ.get("ALERTS_DIGEST_HOUR", "6")),  # UTC; weekly digests on Mondays
    "MAX_FOLLOWS": int(os.environ.get("ALERTS_MAX_FOLLOWS", "100")),
    "LEASE_SECONDS": 300,  # a digest a sender took and did not finish is sent by another after this
    "SUBJECT_PREFIX": "[Cities Mission] ",
    "MESSAGE_ID_DOMAIN": os.environ.get("ALERTS_MESSAGE_ID_DOMAIN", "citiesmission.localhost"),
    # Who answers for members' data, named on the privacy page (GDPR Art. 13).
    "PRIVACY_CONTACT": os.environ.get("PRIVACY_CONTACT", "the network secretariat (privacy@citiesmission.localhost)"),
}

# The network search (search/). Without SEARCH_URL it answers from the database.
SEARCH = {
    "URL": os.environ.get("SEARCH_URL", ""),
    "ENGINE": os.environ.get("SEARCH_ENGINE", "opensearch"),
    "INDEX_PREFIX": os.environ.get("SEARCH_INDEX_PREFIX", "kb_"),
    "TIMEOUT": float(os.environ.get("SEARCH_TIMEOUT", "5")),
    # Index a page right after the transaction that changed it commits; the worker retries what fails.
    "INDEX_INLINE": env_bool("SEARCH_INDEX_INLINE", True),
    # How long a worker may hold a batch before another worker takes it over.
    "WORKER_LEASE_SECONDS": int(os.environ.get("SEARCH_WORKER_LEASE_SECONDS", "60")),
    # Characters of text indexed per document (summary and body each); a longer page is indexed truncated.
    "MAX_TEXT_CHARS": int(os.environ.get("SEARCH_MAX_TEXT_CHARS", "100000")),
    # Largest bulk request sent to the engine; well below OpenSearch's default http.max_content_length (100 MB).
    "BULK_MAX_BYTES": int(os.environ.get("SEARCH_BULK_MAX_BYTES", str(5 * 1024 * 1024))),
    # Index settings of a rebuilt index: a single node wants 0 replicas, a cluster 1 or more.
    "SHARDS": int(os.environ.get("SEARCH_SHARDS", "1")),
    "REPLICAS": int(os.environ.get("SEARCH_REPLICAS", "0")),
    "REFRESH_INTERVAL": os.environ.get("SEARCH_REFRESH_INTERVAL", "1s"),
    # Semantic search: the embedder (a dotted path to an Embedder; empty switches semantic search off) and the
    # threads it may use in each process.
    "EMBEDDER": os.environ.get("SEARCH_EMBEDDER", "search.embeddings.BundledE5"),
    "EMBEDDING_THREADS": int(os.environ.get("SEARCH_EMBEDDING_THREADS", "1")),
}

# Largest Markdown content file `import_markdown` accepts (1 MiB is about 150,000 words; rendering grows with it).
CONTENT_FILE_MAX_BYTES = int(os.environ.get("CONTENT_FILE_MAX_BYTES", str(1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Every publish runs a few background tasks; their per-task lines drown everything else.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The engine clients log every request at INFO.
        "opensearch": {"level": "WARNING"},
        "opensearchpy": {"level": "WARNING"},  # its "trace" logger writes every request body as curl
        "elastic_transport": {"level": "WARNING"},
    },
}
