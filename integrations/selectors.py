"""Reading the integration log: filters, keyset pages that stay fast at millions of rows, daily counts."""

import datetime

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .delivery import statuses
from .log import LogEntry, Status

# Each filter's lookup; values are strings from a form or a query string.
LOOKUPS = {
    "status": "status",
    "channel": "channel",
    "integration": "integration_id",
    "mapping_template": "mapping_template_name__icontains",
    "rule": "rule_name__icontains",
    "case_reference": "case_reference",
    "case": "case_id",
    "notify_id": "notify_id",
    "date_from": "created_at__date__gte",
    "date_to": "created_at__date__lte",
}
# The delivery filter: what became of messages after Notify accepted them.
DELIVERY = {
    "delivered": Q(delivery_status__in=sorted(statuses.DELIVERED)),
    "failed": Q(delivery_status__in=sorted(statuses.FAILED)),
    "pending": Q(status=Status.SENT, delivery_note="") & ~Q(delivery_status__in=sorted(statuses.FINAL)),
    "untracked": ~Q(delivery_note=""),
}
DELIVERY_CHOICES = [("delivered", "Delivered"), ("failed", "Failed after sending"),
                    ("pending", "Waiting for a delivery status"), ("untracked", "No status from Notify")]
FILTERS = (*LOOKUPS, "delivery")


def log_entries(*, filters=None, entries=None):
    """Log entries (of `entries`, or all) matching the filters (a dict of FILTERS names to values; empty
    ones ignored), newest first. The log page shows no integration: whoever does, select_related it."""
    lookups = {}
    for name, value in (filters or {}).items():
        if name in LOOKUPS and value not in (None, ""):
            lookups[LOOKUPS[name]] = value.strip().upper() if name == "case_reference" else value
    entries = (LogEntry.objects.all() if entries is None else entries).filter(**lookups)
    delivery = (filters or {}).get("delivery")
    if delivery in DELIVERY:
        entries = entries.filter(DELIVERY[delivery])
    return entries.order_by("-created_at", "-id")


class BadCursor(ValueError):
    """A page cursor that this product did not write."""


def parse_cursor(after):
    """The (time, id) of an `after` cursor ("<iso time>_<id>"); BadCursor when it is not one."""
    stamp, _, last_id = after.rpartition("_")
    try:
        moment, last = datetime.datetime.fromisoformat(stamp), int(last_id)
        if moment.tzinfo is None or not 0 < last < 2**63:
            raise BadCursor(after)
        moment = moment.astimezone(datetime.UTC)  # a time out of range fails here, not in the database
    except (ValueError, OverflowError) as error:
        raise BadCursor(after) from error
    return moment, last


def keyset_page(entries, *, after=None, size=50):
    """One page of entries older than the `after` cursor ("<iso time>_<id>"), and the next cursor or None.

    Raises BadCursor for a cursor this product did not write."""
    if after:
        moment, last_id = parse_cursor(after)
        entries = entries.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=last_id))
    rows = list(entries[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    cursor = f"{rows[-1].created_at.isoformat()}_{rows[-1].pk}" if more and rows else None
    return rows, cursor


def daily_counts(*, days=30, integration=None):
    """[(date, delivered, failed, pending)] for the last `days` days, oldest first, days without messages included.
    Failed counts messages that were never sent and those that failed after sending; pending everything not yet
    known either way (on its way to Notify, or sent with no final status).

    Counting a month of a large log takes time, so the figures are cached for a minute.
    """
    key = f"log-daily-counts:{days}:{integration}"
    cached = cache.get(key)
    if cached is None:
        cached = _daily_counts(days, integration)
        cache.set(key, cached, 60)
    return cached


def _daily_counts(days, integration):
    since = timezone.now() - datetime.timedelta(days=days)
    entries = LogEntry.objects.filter(created_at__gte=since)
    if integration:
        entries = entries.filter(integration_id=integration)
    delivered = DELIVERY["delivered"]
    failed = Q(status=Status.FAILED) | DELIVERY["failed"]
    rows = (entries.annotate(day=TruncDate("created_at")).values("day")
            .annotate(delivered=Count("id", filter=delivered), failed=Count("id", filter=failed),
                      all=Count("id", filter=~Q(status=Status.CANCELLED))))
    by_day = {r["day"]: (r["delivered"], r["failed"], r["all"] - r["delivered"] - r["failed"]) for r in rows}
    today = timezone.localdate()
    return [(day, *by_day.get(day, (0, 0, 0)))
            for day in (today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1))]


def case_log(case, limit=20):
    return LogEntry.objects.filter(case=case).select_related("integration").order_by("-created_at", "-id")[:limit]
