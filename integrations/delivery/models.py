"""Every delivery-status report received, kept: the entry's status history, and the reports still waiting
for their entry."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Source(models.TextChoices):
    CALLBACK = "callback", "Notify's callback"
    POLL = "poll", "Read from Notify's list"
    LOOKUP = "lookup", "Looked up in Notify"
    EXPIRED = "expired", "Notify no longer holds it"


class DeliveryEvent(models.Model):
    """One report of a message's status. `applied` when it moved its entry on; a repeat, a late or an older
    report is kept but changes nothing. An event without an entry matched nothing yet and is applied when
    its entry is recorded as sent."""

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    entry = models.ForeignKey("integrations.LogEntry", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="delivery_events", db_index=False)
    notify_id = models.UUIDField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=30)
    status_at = models.DateTimeField(null=True, blank=True, help_text="When Notify says the status was reached.")
    source = models.CharField(max_length=10, choices=Source.choices)
    received_at = models.DateTimeField(default=timezone.now)
    applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["entry", "received_at"], name="delivery_by_entry"),
            models.Index(fields=["integration", "notify_id"], condition=Q(entry__isnull=True),
                         name="delivery_unmatched"),
            models.Index(fields=["integration", "source", "-received_at"], name="delivery_latest"),
        ]

    def __str__(self):
        return f"{self.notify_id or self.reference}: {self.status} ({self.source})"
