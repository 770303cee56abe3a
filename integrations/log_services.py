"""Changing log entries: only resending a failed one (administrators). Nothing else edits the log."""

import logging

from django.db import transaction
from django.utils import timezone

from . import outbox
from .log import Attempt, FailureKind, LogEntry, Outcome, Status
from .notify.client import NotifyGateway
from .notify.errors import NotifyError

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


def log_entry_refresh_status(*, entry):
    """Ask Notify for a sent message's delivery status and keep it on the entry (one attempt row for the call)."""
    if not entry.notify_id:
        raise NotResendable("Only sent messages have a delivery status in Notify")
    started = timezone.now()
    try:
        found = NotifyGateway(entry.integration).get_notification(entry.notify_id)
    except NotifyError as error:
        outcome, code, message = Outcome.FAILED, error.status_code, f"Status lookup failed: {error.reason}"
        found = None
    else:
        outcome, code, message = Outcome.STATUS, 200, f"Notify says: {found.get('status')}"
    Attempt.objects.create(entry=entry, number=entry.attempts.count() + 1, started_at=started, outcome=outcome,
                           duration_ms=int((timezone.now() - started).total_seconds() * 1000), status_code=code,
                           message=message)
    if found is None:
        raise NotResendable(message)
    entry.notify_status = found.get("status") or ""
    entry.notify_status_checked_at = timezone.now()
    entry.save(update_fields=["notify_status", "notify_status_checked_at", "updated_at"])
    return entry
