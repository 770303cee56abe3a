"""Changing log entries: only resending a failed one (administrators). Nothing else edits the log."""

import logging

from django.db import transaction
from django.utils import timezone

from . import outbox
from .log import FailureKind, LogEntry, Status

logger = logging.getLogger(__name__)


class NotResendable(Exception):
    pass


def log_entry_resend(*, entry, actor):
    """Queue a failed entry again as a new series of attempts, looking its reference up in Notify first."""
    with transaction.atomic():
        entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.FAILED:
            raise NotResendable(f"Only failed messages can be resent; this one is {entry.get_status_display().lower()}")
        if entry.failure_kind == FailureKind.VALIDATION and not entry.template_id:
            raise NotResendable("This message was never resolved (see the reason): fix the case data and run the rule again")
        entry.status = Status.QUEUED
        entry.failure_kind = ""
        entry.retry_count = 0
        entry.ambiguous = True  # the old attempts may have reached Notify: look before sending
        entry.next_attempt_at = timezone.now()
        entry.reason = f"Resent by {actor.get_username()}"
        entry.save()
        transaction.on_commit(lambda: outbox.enqueue(entry.pk))
    logger.info("Log entry %s resent", entry.pk, extra={"log_entry_id": entry.pk})
    return entry
