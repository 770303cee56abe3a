"""Reading delivery statuses from Notify's list, for what no callback brought: letters (Notify never calls back
for them), integrations without callbacks, and callbacks that were lost.

Per integration, one walk of GET /v2/notifications, newest first, 250 a page, back to the oldest entry still
open (sent, no final status) and no further: one call brings up to 250 statuses. Notify keeps statuses for
7 days; an entry still open after that is marked so, and one sent to Notify's own test recipients (which Notify
never stores) is marked so at once, rather than left waiting.
"""

import datetime
import logging

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..log import DeliveryNote, LogEntry, Status
from ..models import Integration
from ..notify.client import NotifyGateway
from ..notify.errors import NotifyError
from . import statuses
from .models import DeliveryEvent, Source
from .record import record

logger = logging.getLogger(__name__)

NOTIFY_KEEPS = datetime.timedelta(days=7)
NOTIFY_PAGE = 250
# Notify's clock and ours differ, and a message is created at Notify a moment before we record it sent.
CLOCK_MARGIN = datetime.timedelta(minutes=10)
# Notify's "simulate delivered" recipients: it accepts messages to them but stores nothing.
NOT_STORED = ("simulate-delivered@notifications.service.gov.uk", "simulate-delivered-2@notifications.service.gov.uk",
              "simulate-delivered-3@notifications.service.gov.uk", "07700900000", "07700900111", "07700900222",
              "+447700900000", "+447700900111", "+447700900222")


def open_entries(integration):
    """Sent entries of the integration still waiting for a final status (the log_delivery_open index)."""
    return (LogEntry.objects.filter(integration=integration, status=Status.SENT, delivery_note="")
            .exclude(delivery_status__in=sorted(statuses.FINAL)))


def close_what_notify_will_not_report(integration, now):
    """Mark the open entries that Notify will never report on: test recipients, and those past 7 days."""
    open_now = open_entries(integration)
    not_stored = open_now.filter(recipient__in=NOT_STORED).update(delivery_note=DeliveryNote.NOT_STORED)
    expired = list(open_now.filter(sent_at__lt=now - NOTIFY_KEEPS).values_list("pk", "delivery_status"))
    if expired:
        LogEntry.objects.filter(pk__in=[pk for pk, _ in expired]).update(delivery_note=DeliveryNote.EXPIRED)
        DeliveryEvent.objects.bulk_create(
            DeliveryEvent(integration=integration, entry_id=pk, status=status or "unknown", source=Source.EXPIRED,
                          status_at=now, applied=True) for pk, status in expired)
    return not_stored, len(expired)


# Two walks of the list: letters stay open for days (printing and posting), emails and texts for minutes, so
# emails and texts are never read back as far as the oldest letter.
WALKS = (("email", "sms"), ("letter",))


def poll_integration(integration, *, now=None):
    """Read Notify's list back to the oldest open entry and apply what changed. Returns the calls made."""
    now = now or timezone.now()
    close_what_notify_will_not_report(integration, now)
    gateway, calls = NotifyGateway(integration), 0
    for channels in WALKS:
        oldest = (open_entries(integration).filter(channel__in=channels).order_by("sent_at")
                  .values_list("sent_at", flat=True).first())
        if oldest is not None:
            calls += _walk(integration, gateway, list(channels), oldest)
    if calls:
        Integration.objects.filter(pk=integration.pk).update(delivery_polled_at=now)
    return calls


def _walk(integration, gateway, channels, oldest):
    """One walk of the list of these channels, newest first, until a page reaches past `oldest` or is Notify's last."""
    older_than, calls = None, 0
    while True:
        page = gateway.notifications_page(older_than, template_type=channels)
        calls += 1
        if not page:
            break
        _apply_page(integration, page)
        if len(page) < NOTIFY_PAGE:  # a short page is Notify's last
            break
        created = parse_datetime(str(page[-1].get("created_at") or ""))
        if created is None or created < oldest - CLOCK_MARGIN:
            break
        older_than = page[-1]["id"]
    return calls


def _apply_page(integration, page):
    """Record each listed status that moves one of this integration's entries on (one query for the page)."""
    ids = [n["id"] for n in page]
    current = dict(LogEntry.objects.filter(integration=integration, notify_id__in=ids)
                   .values_list("notify_id", "delivery_status"))
    current = {str(k): v for k, v in current.items()}
    for notification in page:
        status = notification.get("status")
        if notification["id"] not in current or status not in statuses.ALL:
            continue
        if not statuses.advances(current[notification["id"]], status):
            continue
        at = parse_datetime(str(notification.get("completed_at") or notification.get("sent_at") or ""))
        record(integration=integration, status=status, source=Source.POLL, notify_id=notification["id"],
               reference=notification.get("reference") or "", status_at=at)


def poll_all():
    """Poll every enabled integration with a key; one that fails is logged and the others still run."""
    return for_each_integration(poll_integration, "Polling delivery statuses")


def for_each_integration(read, what):
    """Run read(integration) for every enabled integration with a key: {integration id: result}. One integration's
    trouble (Notify's, or any other) is logged and never stops the others being read."""
    results = {}
    for integration in Integration.objects.filter(enabled=True).exclude(api_key_encrypted=""):
        try:
            results[integration.pk] = read(integration)
        except NotifyError as error:
            logger.warning("%s of integration %s failed: %s", what, integration.pk, error.reason,
                           extra={"integration_id": integration.pk})
        except Exception:
            logger.exception("%s of integration %s failed unexpectedly", what, integration.pk,
                             extra={"integration_id": integration.pk})
    return results
