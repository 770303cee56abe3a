"""Recording a status report: keep it, match it to its log entry, and move the entry's status on.

A report is matched by Notify's id, or by the product's own reference (a callback can come before the worker
has written the Notify id down). One that matches nothing is kept and applied when its entry is recorded as
sent (`adopt_waiting`). Reports are applied under the entry's row lock, so two reports of one message, however
they race, leave the status furthest along; a repeat or an older status is kept in the history as not applied.
"""

import logging

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from ..log import LogEntry, log_fields
from . import statuses
from .models import DeliveryEvent

logger = logging.getLogger(__name__)

# Sent inside the transaction that moved an entry's delivery status: entry, previous (status word or ""),
# status, source. Receivers run in that transaction (a rule's fallback message commits with the status).
delivery_status_changed = Signal()


def record(*, integration, status, source, notify_id=None, reference="", status_at=None):
    """Keep one report and apply it to its entry if one matches. Returns the DeliveryEvent."""
    with transaction.atomic():
        entry = _matching_entry(integration, notify_id, reference)
        event = DeliveryEvent(integration=integration, entry=entry, notify_id=notify_id, reference=reference or "",
                              status=status, status_at=status_at, source=source)
        event.applied = entry is not None and _apply(entry, status, status_at, source)
        event.save()
    return event


def _matching_entry(integration, notify_id, reference):
    entries = LogEntry.objects.select_for_update().filter(integration=integration)
    entry = entries.filter(notify_id=notify_id).first() if notify_id else None
    if entry is None and reference:
        entry = entries.filter(reference=reference).first()
    return entry


def _apply(entry, status, status_at, source):
    """Move the (locked) entry to `status` if that is further along. True when it moved."""
    previous = entry.delivery_status
    if not statuses.advances(previous, status):
        return False
    entry.delivery_status = status
    entry.delivery_status_at = status_at or timezone.now()
    entry.delivery_note = ""
    LogEntry.objects.filter(pk=entry.pk).update(delivery_status=status, delivery_status_at=entry.delivery_status_at,
                                                delivery_note="")
    logger.info("Log entry %s delivery status %s (%s)", entry.pk, status, source,
                extra=log_fields(entry, delivery_status=status, source=source))
    delivery_status_changed.send(sender=LogEntry, entry=entry, previous=previous, status=status, source=source)
    return True


def adopt_waiting(entries):
    """Apply the reports that came before these entries were recorded as sent (matched by Notify id)."""
    by_notify_id = {str(e.notify_id): e for e in entries if e.notify_id}
    if not by_notify_id:
        return 0
    integration_ids = {e.integration_id for e in entries}
    waiting = list(DeliveryEvent.objects.filter(entry__isnull=True, integration_id__in=integration_ids,
                                                notify_id__in=list(by_notify_id)).order_by("received_at", "id"))
    for event in waiting:
        with transaction.atomic():
            entry = LogEntry.objects.select_for_update().get(pk=by_notify_id[str(event.notify_id)].pk)
            event.entry = entry
            event.applied = _apply(entry, event.status, event.status_at, event.source)
            event.save(update_fields=["entry", "applied"])
    return len(waiting)


def history(entry):
    """The entry's status changes, oldest first: [{status, at, source}]."""
    return [{"status": e.status, "at": e.status_at or e.received_at, "source": e.source,
             "source_label": e.get_source_display()}
            for e in entry.delivery_events.filter(applied=True).order_by("received_at", "id")]
