"""Settings for the test suite: real PostgreSQL and Redis on this machine."""

import json
import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1rZXktb25lLW5vdC1zZWNyZXQtMzItYnl0ZXM=")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/notify_cases")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

os.environ.setdefault("DOCUMENTS_STORAGE_OPTIONS", json.dumps(
    {"location": str(Path(__file__).resolve().parents[2] / "var" / "test-documents")}))

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_FAILURE_LIMIT = 5
# Tests sign administrators in directly (force_login): two-factor sign-in is tested on its own (tests/accounts).
TWO_FACTOR_FOR_ADMINS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": DOCUMENTS_STORAGE,  # noqa: F405
}
# Serve static files straight from the finders (no collectstatic before the tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The sandbox runs on this machine's loopback address.
NOTIFY_ALLOW_LOOPBACK = True
