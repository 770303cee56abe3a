"""Replies from citizens to the service's texts, each kept once (by Notify's id) and matched to a case."""

from django.conf import settings
from django.db import models


class Match(models.TextChoices):
    MATCHED = "matched", "Matched to a case"
    LINKED = "linked", "Linked to a case by a caseworker"
    UNMATCHED = "unmatched", "Not matched"
    DISMISSED = "dismissed", "Dismissed"


class ReceivedText(models.Model):
    integration = models.ForeignKey("integrations.Integration", on_delete=models.PROTECT, related_name="+",
                                    db_index=False)
    notify_id = models.UUIDField(unique=True)
    user_number = models.CharField(max_length=30, help_text="The sender, as Notify gives it (447700900123).")
    phone = models.CharField(max_length=30, blank=True, help_text="The sender in E.164 form, when it is a number.")
    notify_number = models.CharField(max_length=30, blank=True)
    content = models.TextField()
    received_at = models.DateTimeField(help_text="When the phone network says it was sent.")
    stored_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, help_text="callback or poll: which brought it first")
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.UNMATCHED)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="received_texts")
    person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="received_texts")
    dismissed_reason = models.CharField(max_length=300, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention policy or an erasure removed its content and number (governance/).
    personal_data_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["case", "received_at"], name="received_by_case"),
            models.Index(fields=["match", "-received_at"], name="received_by_match"),
            models.Index(fields=["phone"], name="received_by_phone"),
        ]
        permissions = [("handle_receivedtext", "Can link a received text to a case or dismiss it")]

    def __str__(self):
        return f"{self.user_number}: {self.content[:40]}"
