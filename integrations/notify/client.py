"""The one gateway to Notify: it builds notifications-python-client for an integration and owns the key.

Nothing else reads the decrypted key. Every failure leaves here classified (integrations.notify.errors).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from notifications_python_client.notifications import NotificationsAPIClient

from .addresses import AddressNotFound, AddressRefused, check_base_url, check_resolves_publicly
from .errors import Permanent, Retryable, classify, unexpected_answer

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
    @sensitive_variables("key", "api_key")
    def __init__(self, integration=None, *, api_key=None, base_url=None, timeout=None):
        key = api_key if api_key is not None else integration.decrypted_api_key()
        self.base_url = (base_url or integration.base_url).rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        timeout = timeout or getattr(settings, "NOTIFY_TIMEOUT_SECONDS", None) or TIMEOUT_SECONDS
        self._client = NotificationsAPIClient(key, base_url=self.base_url, timeout=timeout)
        self._client.request_session.hooks["response"].append(_refuse_redirects)
        self._checked = False

    def _check_address(self):
        """The address is checked (allowed host, public addresses once resolved) before the first call."""
        if self._checked:
            return
        try:
            check_base_url(self.base_url)
            check_resolves_publicly(self.base_url)
        except AddressNotFound as missing:  # retried like a connection error: DNS can fail for a moment
            raise Retryable(f"Could not connect to Notify ({missing})", error_type="ConnectionError") from None
        except AddressRefused as refusal:
            raise Permanent(f"Not called: {refusal}", error_type="AddressRefused") from None
        self._checked = True

    def _call(self, method, *args, **kwargs):
        self._check_address()
        try:
            answer = getattr(self._client, method)(*args, **kwargs)
        except Exception as error:  # every failure leaves classified (integrations.notify.errors)
            raise classify(error) from None
        if not isinstance(answer, dict):
            raise unexpected_answer(f"a JSON {type(answer).__name__} where Notify gives an object")
        return answer

    def _templates(self):
        templates = self._call("get_all_templates").get("templates") or []
        if not isinstance(templates, list) or not all(isinstance(t, dict) and t.get("id") for t in templates):
            raise unexpected_answer("its template list is not Notify's")
        return templates

    def verify(self):
        """Prove the address and the key with one cheap authenticated call (listing templates)."""
        return VerifiedService(service_id=self._client.service_id, template_count=len(self._templates()))

    def templates(self):
        return self._templates()

    def template(self, template_id):
        return self._call("get_template", template_id)

    def preview(self, template_id, personalisation):
        return self._call("post_template_preview", template_id, personalisation)

    def send(self, entry, prepared=None):
        """Send a log entry's message; returns Notify's response (with its `id`). `prepared`: its documents, read
        (integrations.notify.files.prepare); without it the entry is sent as it is stored."""
        personalisation = prepared.personalisation if prepared else (entry.personalisation or None)
        if prepared is not None and prepared.pdf is not None:
            return self._call("send_precompiled_letter_notification", reference=entry.reference,
                              pdf_file=prepared.pdf, postage=entry.postage or None)
        if entry.channel == "email":
            return self._call(
                "send_email_notification", email_address=entry.recipient, template_id=entry.template_id,
                personalisation=personalisation, reference=entry.reference,
                email_reply_to_id=entry.email_reply_to_id or None,
                sanitise_content_for=entry.sanitise_content_for or None,
            )
        if entry.channel == "sms":
            return self._call(
                "send_sms_notification", phone_number=entry.recipient, template_id=entry.template_id,
                personalisation=personalisation, reference=entry.reference,
                sms_sender_id=entry.sms_sender_id or None,
            )
        return self._call("send_letter_notification", template_id=entry.template_id,
                          personalisation=personalisation, reference=entry.reference)

    def letter_pdf(self, notify_id):
        """The PDF of a letter as Notify holds it (bytes). Before Notify has made it, a Permanent error of type
        PDFNotReadyError."""
        self._check_address()
        try:
            return self._client.get_pdf_for_letter(str(notify_id)).read()
        except Exception as error:  # classified, as every call
            raise classify(error) from None

    def find_by_reference(self, reference):
        """The notification Notify holds with this reference, or None."""
        found = self._call("get_all_notifications", reference=reference)
        notifications = found.get("notifications") or []
        return notifications[0] if notifications else None

    def get_notification(self, notify_id):
        return self._call("get_notification_by_id", str(notify_id))

    def received_texts_page(self, older_than=None):
        """One page (up to 250) of the service's received texts, newest first, older than that id."""
        found = self._call("get_received_texts", older_than=older_than)
        page = found.get("received_text_messages")
        if not isinstance(page, list) or not all(isinstance(t, dict) and t.get("id") for t in page):
            raise unexpected_answer("its received text list is not Notify's")
        return page

    def notifications_page(self, older_than=None, template_type=None):
        """One page (up to 250) of the notifications this key type sent, newest first, older than that id; of the
        template types given (a list is sent as the parameter repeated, which Notify takes)."""
        found = self._call("get_all_notifications", older_than=older_than, template_type=template_type)
        page = found.get("notifications")
        if not isinstance(page, list) or not all(isinstance(n, dict) and n.get("id") for n in page):
            raise unexpected_answer("its notification list is not Notify's")
        return page


def _refuse_redirects(response, *args, **kwargs):
    """Notify's API never redirects: a redirect is refused, never followed with the key's token."""
    if response.is_redirect:
        raise Redirected(response=response)


class Redirected(requests.RequestException):
    """A redirect from the address; notifications-python-client reports it as an HTTPError with its status."""


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
