"""Changing log entries: only resending a failed one (administrators). Nothing else edits the log.

A failed message can be sent again two ways: exactly as it was (`log_entry_resend`: the same recipient and
values, for a failure outside the message, such as Notify being down), or built again from its case and
mapping template as they are now (`log_entry_rebuild`, for missing case data or a changed Notify template).
Building needs the mapping templates, which this app does not import: the rules app registers the builder
(`log_entry_rebuilder_set`) when Django starts.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import outbox
from .delivery import statuses
from .delivery.models import Source
from .delivery.polling import NOT_STORED
from .delivery.record import record
from .log import DeliveryNote, FailureKind, LogEntry, Status
from .notify.client import NotifyGateway
from .notify.errors import NotifyError

logger = logging.getLogger(__name__)


class NotResendable(Exception):
    pass


_rebuilder = None


def log_entry_rebuilder_set(builder):
    """Register builder(entry=, actor=) -> new entry, which builds a failed entry's message again from its case."""
    global _rebuilder
    _rebuilder = builder


def can_rebuild(entry):
    """Whether a failed entry's message can be built again from its case and mapping template."""
    return (entry.status == Status.FAILED and bool(entry.case_id and entry.mapping_template_id)
            and _rebuilder is not None and not entry.rebuilds.exists())


def can_resend_same(entry):
    """Whether a failed entry holds a whole message to send again as it is (one that was never built cannot be)."""
    built = bool(entry.recipient or entry.document)  # a letter from a case document has no recipient of its own
    never_built = entry.failure_kind == FailureKind.VALIDATION and not built
    return entry.status == Status.FAILED and bool(entry.template_id or entry.document) and not never_built


def log_entry_rebuild(*, entry, actor):
    """Build the failed entry's message again from its case and mapping template as they are now, as a new entry
    (linked to this one through `rebuilt_from`). Raises NotResendable, saying why, when it cannot be built."""
    with transaction.atomic():
        entry = LogEntry.objects.select_for_update().get(pk=entry.pk)  # a double click waits here, then is refused
        if entry.status != Status.FAILED:
            raise NotResendable(f"Only failed messages can be sent again; this one is "
                                f"{entry.get_status_display().lower()}")
        already = entry.rebuilds.first()
        if already is not None:
            raise NotResendable(f"This message was already built again, as log entry {already.pk}")
        if not can_rebuild(entry):
            raise NotResendable("This message has no case or mapping template to build it from")
        new = _rebuilder(entry=entry, actor=actor)
    logger.info("Log entry %s built again as %s", entry.pk, new.pk, extra={"log_entry_id": entry.pk})
    return new


def log_entry_resend(*, entry, actor):
    """Queue a failed entry again as a new series of attempts, looking its reference up in Notify first."""
    with transaction.atomic():
        entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.FAILED:
            raise NotResendable(f"Only failed messages can be resent; this one is {entry.get_status_display().lower()}")
        if not can_resend_same(entry):
            raise NotResendable("This message was never built (see the reason), so there is nothing to send again as "
                                "it was: fix the case data, then build it again from the case")
        entry.status = Status.QUEUED
        entry.failure_kind = ""
        entry.retry_count = 0
        entry.ambiguous = True  # the old attempts may have reached Notify: look before sending
        entry.next_attempt_at = timezone.now()
        entry.reason = f"Resent by {actor.get_username()}"
        entry.save()
        transaction.on_commit(lambda: outbox.enqueue(entry.pk, integration_id=entry.integration_id))
    logger.info("Log entry %s resent", entry.pk, extra={"log_entry_id": entry.pk})
    return entry


def log_entry_refresh_status(*, entry):
    """Ask Notify for a sent message's delivery status now, and record it as any report is (never backwards).

    Reading a status is an auditor's right as much as an administrator's: it is a read of Notify, so it writes no
    attempt (attempts are calls that send). A lookup that fails changes nothing and says why.
    """
    if not entry.notify_id:
        raise NotResendable("Only sent messages have a delivery status in Notify")
    try:
        found = NotifyGateway(entry.integration).get_notification(entry.notify_id)
    except NotifyError as error:
        if error.status_code == 404 and entry.recipient in NOT_STORED:
            LogEntry.objects.filter(pk=entry.pk).update(delivery_note=DeliveryNote.NOT_STORED)
            raise NotResendable("Notify keeps no status for messages to its test recipients") from None
        raise NotResendable(f"Status lookup failed: {error.reason}") from None
    status = str(found.get("status") or "")
    if status in statuses.ALL:
        at = parse_datetime(str(found.get("completed_at") or found.get("sent_at") or ""))
        record(integration=entry.integration, status=status, source=Source.LOOKUP, notify_id=entry.notify_id,
               reference=entry.reference, status_at=at)
    LogEntry.objects.filter(pk=entry.pk).update(delivery_checked_at=timezone.now())
    entry.refresh_from_db()
    return entry


class LetterNotReady(Exception):
    """Notify has not made the letter's PDF yet (PDFNotReadyError): wait, it is not a failure."""


def letter_pdf(*, entry):
    """The PDF of a sent letter as Notify holds it (bytes). LetterNotReady while Notify is still making it;
    NotResendable, saying why, when Notify will not give it."""
    try:
        return NotifyGateway(entry.integration).letter_pdf(entry.notify_id)
    except NotifyError as error:
        if error.error_type == "PDFNotReadyError":
            raise LetterNotReady("Notify has not made this letter's PDF yet (it is still checking or preparing the "
                                 "letter). Try again in a few minutes.") from None
        raise NotResendable(f"Notify did not give the letter's PDF: {error.reason}") from None
