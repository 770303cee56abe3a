"""Notify integrations (the settings and the encrypted API key), their cached templates, and the log."""

import uuid

from django.db import models
from django.views.decorators.debug import sensitive_variables
from simple_history.models import HistoricalRecords

from . import crypto
from .delivery.models import DeliveryEvent  # noqa: F401  (delivery reports live in integrations/delivery/)
from .keys import parse_api_key
from .log import Attempt, LogEntry  # noqa: F401  (the log's models live in integrations/log.py)


class NotifyService(models.TextChoices):
    GOVUK = "https://api.notifications.service.gov.uk", "GOV.UK Notify"
    GC_NOTIFY = "https://api.notification.canada.ca", "GC Notify (Canada)"
    NOTIFY_GOV = "https://api.notify.gov", "Notify.gov (United States)"


class KeyType(models.TextChoices):
    TEST = "test", "Test"
    TEAM = "team", "Team and guest list"
    LIVE = "live", "Live"


KEY_TYPE_MEANING = {
    KeyType.TEST: "A test key sends nothing real: Notify accepts messages and shows them as delivered, so you can "
                  "try mapping templates and rules safely.",
    KeyType.TEAM: "A team and guest list key sends real messages, but only to your Notify team members and guest "
                  "list, and never letters.",
    KeyType.LIVE: "A live key sends real messages to anyone. While the Notify service is in trial mode it still "
                  "sends only to the team and guest list, and cannot send letters.",
}


class Integration(models.Model):
    name = models.CharField(max_length=100, unique=True,
                            help_text="For example the department or the Notify service it sends as.")
    enabled = models.BooleanField(default=False)
    base_url = models.URLField("Notify service address", default=NotifyService.GOVUK)
    api_key_encrypted = models.TextField(blank=True, editable=False)
    key_hint = models.CharField(max_length=150, blank=True, editable=False)
    service_id = models.CharField(max_length=36, blank=True, editable=False)
    key_type = models.CharField(max_length=4, choices=KeyType.choices, default=KeyType.TEST)
    reply_to_id = models.CharField("Default email reply-to ID", max_length=36, blank=True)
    sms_sender_id = models.CharField("Default text message sender ID", max_length=36, blank=True)
    rate_limit = models.PositiveIntegerField(
        "Messages a minute", default=3000,
        help_text="Notify allows 3,000 a minute for each API key type. Sends are spread evenly up to this rate.")
    rate_window = models.PositiveIntegerField(default=60, editable=False)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_service = models.CharField(max_length=200, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    # Notify's callbacks: the address holds this id (never the primary key); tokens are kept only as SHA-256
    # digests, shown once when made.
    callback_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    delivery_status_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    received_text_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    callback_tokens_made_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivery_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The newest received text that the last read of Notify's list stored: the next read stops there.
    received_texts_read_to = models.CharField(max_length=36, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Changes as administrators make them (governance/). The key itself is never kept: its hint ("name-…abcd")
    # shows that it changed. Tokens' digests and the readers' bookmarks are not settings.
    history = HistoricalRecords(excluded_fields=[
        "api_key_encrypted", "delivery_status_token_hash", "received_text_token_hash", "delivery_polled_at",
        "received_texts_read_to", "updated_at", "last_error", "verified_at"])

    class Meta:
        ordering = ["name"]
        permissions = [("view_case_log", "Can see the integration log of cases they can see")]

    def __str__(self):
        return self.name

    @property
    def has_key(self):
        return bool(self.api_key_encrypted)

    @property
    def key_type_meaning(self):
        return KEY_TYPE_MEANING.get(self.key_type, "")

    @property
    def service_label(self):
        return NotifyService(self.base_url).label if self.base_url in NotifyService.values else self.base_url

    @sensitive_variables("text", "key")
    def set_api_key(self, text):
        """Store a new key (checked for shape first): encrypted, with only its name and last 4 characters shown."""
        key = parse_api_key(text)
        self.api_key_encrypted = crypto.encrypt(text.strip())
        self.key_hint = key.hint
        self.service_id = key.service_id

    def decrypted_api_key(self):
        """The key itself. Only integrations.notify.client.NotifyGateway calls this."""
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""


class NotifyTemplate(models.Model):
    """A Notify template as last fetched from the integration's service (for mapping templates to pick)."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="notify_templates")
    notify_id = models.CharField(max_length=36)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10)
    version = models.PositiveIntegerField()
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    placeholders = models.JSONField(default=list)
    fetched_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["type", "name"]
        constraints = [models.UniqueConstraint(fields=["integration", "notify_id"], name="one_cached_template_per_id")]

    def __str__(self):
        return f"{self.name} ({self.type})"
