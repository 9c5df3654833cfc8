"""Settings for tests/browser/test_outage.py's own server: the project's, with DEBUG off so the
real error pages and logging run, but static files as in development (no collectstatic)."""

from councilflow.settings import *  # noqa: F403
from councilflow.settings import STORAGES

DEBUG = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
