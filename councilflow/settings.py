"""CouncilFlow settings: one file, configured from the environment (and an optional .env)."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "development-only-insecure-key"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "staff.apps.StaffAndRolesConfig",  # django.contrib.auth, named for the admin
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "csp",
    "staff.apps.SignInLogConfig",  # django-axes, named for the admin
    "django_guid",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    # Background work (messages to citizens): Django's tasks framework through its backport,
    # queued in the database and run by `manage.py db_worker` (messaging/sending.py).
    "django_tasks",
    "django_tasks_db",
    # CouncilFlow's own apps, in the order of their dependencies (README: how the code is laid
    # out): each may import only those before it.
    "accounts",
    "cases",
    "messaging",
    "demand",
    "improvement",
    "open311",
    "progress",
    "records",
    "analysis",
    "staff",
    "demo",
]

MIDDLEWARE = [
    # First, so that every log line of a request carries its id (X-Request-ID: the load
    # balancer's, when it sends a valid one, or a new one), sent back in the response too.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files keep their long cache lifetimes; every page is no-store.
    "lib.http.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django_session_timeout.middleware.SessionTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session has given its second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Every page requires sign-in unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # ... and the second factor, for those who have one or whose role needs one.
    "staff.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins and refuses further attempts once the limit is reached.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
    # Single sign-on (staff/sso.py): does nothing until OIDC_CLIENT_ID is set.
    "staff.sso.CouncilOIDCBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# A wrong password locks only that username from that address: someone elsewhere guessing a
# colleague's username cannot lock the colleague out. The address is the client's, read from the
# trusted proxies (lib/addresses.py), not the load balancer's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "lib.addresses.client_address"
# How many proxies (load balancer, CDN) in front of the app append to X-Forwarded-For: 0 when
# clients connect to the app servers directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The sign-in log keeps failed sign-ins too; CouncilFlow's own admin pages show it read-only
# (staff/admin.py).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False

# No inline script or style anywhere: chart data reaches scripts through json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Browser features no page of CouncilFlow uses, switched off for every page and anything it
# might embed (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# The Open311 API (open311/): requests each client key may make, and requests without a key
# (public reads) from one address, counted per app worker.
OPEN311_RATE_LIMIT = env.str("OPEN311_RATE_LIMIT", default="300/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

# Signed out after this long without a request (staff share front-office desks). The session
# records the time of the last request at most once a minute (django-session-timeout), rather than
# writing the session on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_EXPIRE_SECONDS = SESSION_COOKIE_AGE
SESSION_EXPIRE_AFTER_LAST_ACTIVITY = True
SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

ROOT_URLCONF = "councilflow.urls"

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
            ],
            "builtins": ["lib.templatetags.councilflow"],
        },
    },
]

WSGI_APPLICATION = "councilflow.wsgi.application"

# An empty DATABASE_URL (as in .env.example) means the embedded SQLite file.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the background worker share the file: readers never wait for a
    # writer (write-ahead log), and a writer waits its turn rather than failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
# A read replica for the charts and demand pages (lib/routers.py). Without one, the
# alias points at the primary and is never used.
REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
USE_REPLICA = bool(REPLICA_URL)
DATABASES["replica"] = env.db_url_config(REPLICA_URL) if REPLICA_URL else dict(DATABASES["default"])
# Keep database connections open between requests (a new PostgreSQL connection costs more than
# most pages' queries), checked before reuse after an error.
for _alias in ("default", "replica"):
    DATABASES[_alias]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["lib.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Capability charts kept once drawn (analysis/capability.py), keyed by what they were drawn
    # from, so never stale: each worker keeps its last few (a large chart, its JSON and its CSV
    # are a few MB each).
    "charts": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "charts",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 12},
    },
}
# Covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite gets the plain index.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Single sign-on with the council's OpenID Connect provider (staff/sso.py), on when
# OIDC_CLIENT_ID is set. The provider's endpoints are given one by one (its discovery document,
# /.well-known/openid-configuration, lists them); its groups claim decides each person's role.
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
# Match the token's key id against the provider's published keys (turn off only for a provider
# whose tokens carry none and that publishes one key).
OIDC_VERIFY_KID = env.bool("OIDC_VERIFY_KID", default=True)
OIDC_TIMEOUT = 10
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLE_GROUPS = {
    "Front office": env.list("OIDC_GROUPS_FRONT_OFFICE", default=[]),
    "Team leader": env.list("OIDC_GROUPS_TEAM_LEADER", default=[]),
    "Administrator": env.list("OIDC_GROUPS_ADMINISTRATOR", default=[]),
}
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your council account")
OIDC_AUTHENTICATION_CALLBACK_URL = "staff:sso_callback"
LOGIN_REDIRECT_URL_FAILURE = "/sign-in/?sso=refused"

# Two-factor sign-in (staff/two_factor.py): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = env.str("OTP_ISSUER", default="CouncilFlow")

# Email (password reset links): an SMTP server, e.g. smtp+tls://user:password@host:587, or the
# console (printed to stdout) for development.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CouncilFlow <noreply@localhost>")
# A mail server that accepts the connection and then says nothing must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Background work: tasks are rows in the database, run by `manage.py db_worker` (as many
# workers, on as many machines, as the council needs; each takes a task under a row lock).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Messages to citizens (messaging/): a message that could not be sent is tried again after
# each of these delays (seconds), then shown as not sent on its case.
MESSAGE_RETRY_DELAYS = env.list("MESSAGE_RETRY_DELAYS", cast=int, default=[60, 300, 900, 3600])
# GOV.UK Notify (text messages, and email when CITIZEN_EMAIL_VIA=notify): on when an API key is
# set. Each of the two templates in Notify holds only ((subject)) and ((body)) (a text message:
# ((body))); the words are CouncilFlow's templates per service, which administrators edit.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
# How email reaches citizens: "smtp" (EMAIL_URL, Django's email) or "notify".
CITIZEN_EMAIL_VIA = env.str("CITIZEN_EMAIL_VIA", default="smtp")

# Telling citizens (messaging/, progress/): the council's name as citizens know it, and the
# address citizens reach CouncilFlow at (the links in their messages start with it).
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Your council")
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000")
# The progress page: wrong reference-and-code tries allowed from one address in a window of
# minutes, after which that address is refused until the window has passed.
PROGRESS_TRIES_ALLOWED = env.int("PROGRESS_TRIES_ALLOWED", default=10)
PROGRESS_TRIES_WINDOW_MINUTES = env.int("PROGRESS_TRIES_WINDOW_MINUTES", default=15)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:mine"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

MESSAGE_TAGS = {}

# Logs go to stderr, one JSON object a line (LOG_FORMAT=json, the default with DEBUG off) or
# plain text for a person at a terminal (the default with DEBUG on), each with the id of the
# request it belongs to. Warnings and errors from everything; Django's own messages from
# LOG_LEVEL up; a server error always with its traceback, whether DEBUG is on or off.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "plain": {
            "format": "{asctime} {levelname} {name} [{correlation_id}]: {message}",
            "style": "{",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {
            "handlers": ["stderr"],
            "level": env.str("LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        # django-guid notes every id it makes at INFO: not worth a line per request.
        "django_guid": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer asks for /health/ over plain HTTP, inside the council's network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
