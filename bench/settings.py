"""Settings for the benchmark: the app's own settings, served over plain HTTP on loopback.

Run with DEBUG=false, SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,localhost, SECURE_SSL_REDIRECT=false
and DATABASE_URL in the environment (bench/run sets them)."""

from councilflow.settings import *  # noqa: F403
from councilflow.settings import INSTALLED_APPS, STORAGES

# Plain HTTP on 127.0.0.1: cookies must travel without TLS.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor"]
ROOT_URLCONF = "bench.urls"

# No collectstatic needed: static files are not what is measured.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
