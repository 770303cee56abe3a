"""The one gateway to Notify: it builds notifications-python-client for an integration and owns the key.

Nothing else reads the decrypted key. Every failure leaves here classified (integrations.notify.errors).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from notifications_python_client.notifications import NotificationsAPIClient

from .errors import classify

# Pages wait at most this long for Notify; the send task the same.
TIMEOUT_SECONDS = 10
PLACEHOLDER = re.compile(r"\(\(([^()?]+?)(\?\?[^()]*)?\)\)")
ADDRESS_PLACEHOLDERS = {f"address_line_{n}" for n in range(1, 8)} | {"postcode"}


@dataclass(frozen=True)
class VerifiedService:
    service_id: str
    template_count: int

    @property
    def description(self):
        count = self.template_count
        return f"Notify service {self.service_id} ({count} template{'' if count == 1 else 's'})"


def placeholders_of(template):
    """A template's placeholder names, in order, from Notify's `personalisation` or its text."""
    names = list((template.get("personalisation") or {}).keys())
    if not names:
        for text in (template.get("subject") or "", template.get("body") or ""):
            for match in PLACEHOLDER.finditer(text):
                name = match.group(1).strip()
                if name not in names:
                    names.append(name)
    if template.get("type") == "letter":
        names = [n for n in names if n.lower().replace(" ", "") not in ADDRESS_PLACEHOLDERS]
    return names


class NotifyGateway:
    def __init__(self, integration=None, *, api_key=None, base_url=None, timeout=None):
        key = api_key if api_key is not None else integration.decrypted_api_key()
        self.base_url = (base_url or integration.base_url).rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        timeout = timeout or getattr(settings, "NOTIFY_TIMEOUT_SECONDS", None) or TIMEOUT_SECONDS
        self._client = NotificationsAPIClient(key, base_url=self.base_url, timeout=timeout)

    def _call(self, method, *args, **kwargs):
        try:
            return getattr(self._client, method)(*args, **kwargs)
        except Exception as error:  # every failure is classified; classify re-raises what it does not know
            raise classify(error) from None

    def verify(self):
        """Prove the address and the key with one cheap authenticated call (listing templates)."""
        templates = self._call("get_all_templates").get("templates") or []
        return VerifiedService(service_id=self._client.service_id, template_count=len(templates))

    def templates(self):
        return self._call("get_all_templates").get("templates") or []

    def template(self, template_id):
        return self._call("get_template", template_id)

    def preview(self, template_id, personalisation):
        return self._call("post_template_preview", template_id, personalisation)

    def send(self, entry):
        """Send a log entry's message; returns Notify's response (with its `id`)."""
        if entry.channel == "email":
            return self._call(
                "send_email_notification", email_address=entry.recipient, template_id=entry.template_id,
                personalisation=entry.personalisation or None, reference=entry.reference,
                email_reply_to_id=entry.email_reply_to_id or None,
                sanitise_content_for=entry.sanitise_content_for or None,
            )
        if entry.channel == "sms":
            return self._call(
                "send_sms_notification", phone_number=entry.recipient, template_id=entry.template_id,
                personalisation=entry.personalisation or None, reference=entry.reference,
                sms_sender_id=entry.sms_sender_id or None,
            )
        return self._call("send_letter_notification", template_id=entry.template_id,
                          personalisation=entry.personalisation, reference=entry.reference)

    def find_by_reference(self, reference):
        """The notification Notify holds with this reference, or None."""
        found = self._call("get_all_notifications", reference=reference)
        notifications = found.get("notifications") or []
        return notifications[0] if notifications else None

    def get_notification(self, notify_id):
        return self._call("get_notification_by_id", str(notify_id))


_reused = {}


def gateway_for(integration):
    """A gateway kept for this process, so sends reuse Notify's HTTP connection (keep-alive).

    A new one is made when the integration's address or key changes.
    """
    timeout = getattr(settings, "NOTIFY_TIMEOUT_SECONDS", None) or TIMEOUT_SECONDS
    signature = (integration.base_url, integration.api_key_encrypted, timeout)
    kept = _reused.get(integration.pk)
    if kept is None or kept[0] != signature:
        kept = _reused[integration.pk] = (signature, NotifyGateway(integration, timeout=timeout))
    return kept[1]
