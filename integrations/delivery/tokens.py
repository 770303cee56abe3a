"""What an administrator pastes into Notify for callbacks: the addresses, and tokens made here, shown once, kept
only as digests, compared in constant time."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

KINDS = ("delivery_status", "received_text")


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


@sensitive_variables("tokens")
def make_callback_tokens(integration):
    """New tokens for both callbacks (the old ones stop working at once). Returns them: the only time they exist
    in the clear."""
    tokens = {kind: secrets.token_urlsafe(32) for kind in KINDS}  # 43 characters, 256 bits
    integration.delivery_status_token_hash = _digest(tokens["delivery_status"])
    integration.received_text_token_hash = _digest(tokens["received_text"])
    integration.callback_tokens_made_at = timezone.now()
    integration.save(update_fields=["delivery_status_token_hash", "received_text_token_hash",
                                    "callback_tokens_made_at", "updated_at"])
    return {f"{kind}_token": token for kind, token in tokens.items()}


@sensitive_variables("header", "token")
def token_matches(integration, kind, header):
    """Whether an Authorization header carries the integration's token of this kind ("Bearer <token>")."""
    stored = getattr(integration, f"{kind}_token_hash")
    scheme, _, token = (header or "").partition(" ")
    if not stored or scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(_digest(token.strip()), stored)


def callback_urls(integration, request=None):
    """The absolute addresses to paste into Notify's "API integration → Callbacks" page: from PUBLIC_BASE_URL when
    set (the address Notify can reach), else from the request."""
    paths = {kind: reverse(f"notify_callbacks:{kind}", args=[integration.callback_id]) for kind in KINDS}
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return {kind: base + path for kind, path in paths.items()}
    if request is not None:
        return {kind: request.build_absolute_uri(path) for kind, path in paths.items()}
    return paths


def last_callback_at(integration, source="callback"):
    """When the last delivery-status callback arrived."""
    from .models import DeliveryEvent

    return (DeliveryEvent.objects.filter(integration=integration, source=source).order_by("-received_at")
            .values_list("received_at", flat=True).first())
