"""Governance: the retention policy, erasures, and who holds which role over time.

Changes to settings (case types, integrations, mapping templates, rules) are kept by django-simple-history on those
models (their `history`); users' roles are kept here, by registering Django's User with its groups
(docs/decisions/0004-change-history.md).
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MinValueValidator
from django.db import models
from simple_history import register
from simple_history.models import HistoricalRecords

# Who is in which role, and since when: the user's groups as a many-to-many of its history. Only what roles need.
register(User, app=__package__, m2m_fields=["groups"], excluded_fields=["password", "last_login"],
         table_name="governance_historicaluser")

# Defaults, with their reasons in README ("Retention").
PERSONAL_DATA_DAYS = 730
RECORD_DAYS = 2555
DOCUMENT_DAYS_AFTER_CLOSE = 2190


class RetentionPolicy(models.Model):
    """One row: how long the product keeps what it holds."""

    personal_data_days = models.PositiveIntegerField(
        "Keep a message's personal data for (days)", default=PERSONAL_DATA_DAYS, validators=[MinValueValidator(8)],
        help_text="The recipient, the personalisation, and received texts' content and number. After this the "
                  "message's record stays (its status, dates and case) without them. At least 8 days: Notify's "
                  "statuses and retries need them for a week.")
    record_days = models.PositiveIntegerField(
        "Keep a message's record for (days)", default=RECORD_DAYS, validators=[MinValueValidator(8)],
        help_text="Its IDs, status, times, case link and the versions of the rule and mapping template it was built "
                  "from. After this the record is deleted.")
    document_days_after_close = models.PositiveIntegerField(
        "Keep case documents after the case is closed for (days)", default=DOCUMENT_DAYS_AFTER_CLOSE,
        validators=[MinValueValidator(1)],
        help_text="Then each document's file is deleted; its record (type, name, who added it) stays.")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name_plural = "retention policy"

    def __str__(self):
        return "Retention policy"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.record_days is not None and self.personal_data_days is not None \
                and self.record_days < self.personal_data_days:
            raise ValidationError({"record_days": "Keep the record at least as long as its personal data"})

    @classmethod
    def current(cls):
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class RetentionRun(models.Model):
    """One run of the daily purge: what it removed, so far. A run that stopped (a crash) is simply followed by the
    next, which takes what is still due: every step selects by what is left, never by a position."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    personal_data_removed = models.PositiveIntegerField(default=0)
    records_deleted = models.PositiveIntegerField(default=0)
    texts_cleared = models.PositiveIntegerField(default=0)
    documents_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}"


class Erasure(models.Model):
    """A person's erasure: who, when, why and how much was removed. Nothing of the erased data is kept here."""

    person = models.ForeignKey("cases.Person", null=True, on_delete=models.SET_NULL, related_name="erasures")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    erased_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-erased_at"]
        permissions = [("erase_person", "Can erase a person's personal data"),
                       ("export_subject_data", "Can download everything held about a person"),
                       ("view_history", "Can read the change history and audit trail")]

    def __str__(self):
        return f"Erasure {self.pk} on {self.erased_at:%Y-%m-%d}"
