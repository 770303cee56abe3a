"""The integration log: one entry per message (the outbox row) and one attempt per call to Notify.

An entry carries everything a send needs (channel, template id and version, recipient,
personalisation, reference), so sending never reads mappings or rules. Rule and mapping template are
kept as ids and names: the log outlives them and `integrations` does not import those apps.
"""

import uuid

from django.db import models
from django.db.models import Q

from .delivery.statuses import FINAL as DELIVERY_FINAL


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class FailureKind(models.TextChoices):
    NONE = "", "—"
    VALIDATION = "validation", "Validation"
    PERMANENT = "permanent", "Refused by Notify"
    RETRIES_EXHAUSTED = "retries_exhausted", "After 10 retries"
    INTEGRATION_DISABLED = "integration_disabled", "Integration disabled"
    TEMPLATE_MISMATCH = "template_mismatch", "Refused before sending: does not fit the Notify template"


class DeliveryNote(models.TextChoices):
    NONE = "", "—"
    NOT_STORED = "not_stored", "Notify's test recipient: no status kept"
    EXPIRED = "expired", "Notify no longer holds its status"


SENDABLE = (Status.QUEUED, Status.RETRYING)


class LogEntry(models.Model):
    # No single-column indexes where a Meta index starts with the column: each index slows every insert.
    integration = models.ForeignKey("integrations.Integration", on_delete=models.PROTECT, related_name="log",
                                    db_index=False)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="log",
                             db_index=False)
    case_reference = models.CharField(max_length=30, blank=True)
    rule_id = models.PositiveBigIntegerField(null=True, blank=True)
    rule_name = models.CharField(max_length=200, blank=True)
    mapping_template_id = models.PositiveBigIntegerField(null=True, blank=True)
    mapping_template_name = models.CharField(max_length=200, blank=True)
    bulk_job_id = models.PositiveBigIntegerField(null=True, blank=True)  # set when an "apply to existing cases" queued it
    # The versions (history ids, governance/) of the rule and mapping template this message was built from.
    rule_version = models.PositiveBigIntegerField(null=True, blank=True)
    mapping_template_version = models.PositiveBigIntegerField(null=True, blank=True)
    # Set when the retention policy (or an erasure) removed its personal data: recipient, personalisation.
    personal_data_removed_at = models.DateTimeField(null=True, blank=True)
    personal_data_removed_by = models.CharField(max_length=10, blank=True, default="", db_default="",
                                                choices=[("retention", "the retention policy"),
                                                         ("erasure", "an erasure of the person")])

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=600, blank=True)
    template_id = models.CharField(max_length=36, blank=True)
    template_version = models.PositiveIntegerField(null=True, blank=True)
    personalisation = models.JSONField(default=dict, blank=True)
    reference = models.CharField(max_length=100, unique=True, default=uuid.uuid4)
    email_reply_to_id = models.CharField(max_length=36, blank=True)
    sms_sender_id = models.CharField(max_length=36, blank=True)
    sanitise_content_for = models.JSONField(default=list, blank=True)
    # A letter that is a case document (a precompiled letter): the document, as a reference (integrations.notify.
    # files), and its postage. A document sent by email is a reference in the personalisation instead.
    document = models.JSONField(null=True, blank=True)
    postage = models.CharField(max_length=10, blank=True, default="", db_default="")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_kind = models.CharField(max_length=25, choices=FailureKind.choices, blank=True, default="")
    reason = models.TextField(blank=True)
    attempt_count = models.PositiveIntegerField(default=0)
    retry_count = models.PositiveIntegerField(default=0)
    # Set after a timeout or a dropped connection: Notify may have accepted it, so look before resending.
    ambiguous = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    notify_id = models.UUIDField(null=True, blank=True)
    # What happened after Notify accepted it (integrations.delivery): Notify's status word, when it was reached,
    # and a note when Notify will never say (a test recipient it does not store, or a status it no longer holds).
    delivery_status = models.CharField(max_length=30, blank=True)
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.CharField(max_length=10, choices=DeliveryNote.choices, blank=True, default="")
    delivery_checked_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A message built again from its case and mapping template (log_entry_rebuild) points at the one that failed.
    rebuilt_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rebuilds")
    # A message sent because another failed (a rule on delivery status: channel fallback) points at that one.
    follows = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followed_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "log entry"
        verbose_name_plural = "log entries"
        permissions = [("export_logentry", "Can export the integration log"),
                       ("resend_logentry", "Can resend a failed log entry")]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="log_newest_first"),
            models.Index(fields=["status", "-created_at", "-id"], name="log_by_status"),
            models.Index(fields=["integration", "-created_at", "-id"], name="log_by_integration"),
            models.Index(fields=["case", "-created_at"], name="log_by_case"),
            models.Index(fields=["case_reference"], name="log_by_case_reference"),
            models.Index(fields=["bulk_job_id", "status"], name="log_by_bulk_job", condition=Q(bulk_job_id__isnull=False)),
            models.Index(fields=["notify_id"], name="log_by_notify_id"),
            # Sent messages still waiting for a final delivery status, oldest first: what polling reads back to.
            models.Index(fields=["integration", "sent_at"], name="log_delivery_open",
                         condition=Q(status="sent", delivery_note="") & ~Q(delivery_status__in=sorted(DELIVERY_FINAL))),
            models.Index(fields=["next_attempt_at"], condition=Q(status__in=["queued", "retrying"]),
                         name="log_due"),
            # What the retention purge reads, oldest first: entries that still hold personal data.
            models.Index(fields=["created_at", "id"], condition=Q(personal_data_removed_at__isnull=True),
                         name="log_personal_data_kept"),
        ]

    def __str__(self):
        return f"{self.channel} {self.reference} ({self.status})"


def log_fields(entry, **more):
    """What every log line about a message carries (structured logs): its entry, reference, integration and Notify
    id. Never its recipient, personalisation or a failure's words (they can hold personal data)."""
    return {"log_entry_id": entry.pk, "reference": entry.reference, "integration_id": entry.integration_id,
            "notify_id": str(entry.notify_id) if entry.notify_id else None, **more}


class Outcome(models.TextChoices):
    SENT = "sent", "Sent"
    FOUND = "found", "Found already sent"
    NOT_FOUND = "not_found", "Looked up: not sent yet"
    RETRY = "retry", "Will retry"
    RATE_LIMITED = "rate_limited", "Rate limited"
    DAILY_LIMIT = "daily_limit", "Daily limit reached"
    FAILED = "failed", "Failed"
    STATUS = "status", "Delivery status looked up"


class Attempt(models.Model):
    """One call to Notify for an entry: what was asked, how long it took, what came back."""

    entry = models.ForeignKey(LogEntry, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error_type = models.CharField(max_length=60, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["entry", "number"]

    def __str__(self):
        return f"{self.entry_id} #{self.number} {self.outcome}"
