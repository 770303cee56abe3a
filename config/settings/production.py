"""Production settings: secrets from the environment, HTTPS only, compressed static files."""

import os

os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: F403
from .base import env

if not FIELD_ENCRYPTION_KEYS:  # noqa: F405
    raise RuntimeError("FIELD_ENCRYPTION_KEYS must be set: it encrypts the Notify API keys at rest.")

DEBUG = False
# Believed only from TRUSTED_PROXIES: accounts.security.TrustedProxyMiddleware drops the header from anyone else.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Monitoring asks over plain HTTP inside the stack's network.
SECURE_REDIRECT_EXEMPT = [r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "documents": DOCUMENTS_STORAGE,  # noqa: F405
}
