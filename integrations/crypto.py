"""Encrypting Notify API keys at rest with Fernet keys from FIELD_ENCRYPTION_KEYS (newest first).

The first key encrypts; every key decrypts, so a new key can be added in front and the stored values
re-encrypted later (`manage.py rotate_encryption_keys`) before the old key is removed.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet():
    keys = [k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if k.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: it is needed to store Notify API keys")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes)") from error


def encrypt(text):
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token):
    """The plain text; raises ImproperlyConfigured when no configured key can read it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("A stored API key cannot be decrypted with FIELD_ENCRYPTION_KEYS") from None


def rotate(token):
    """The same secret encrypted with the newest key."""
    return _fernet().rotate(token.encode()).decode()
