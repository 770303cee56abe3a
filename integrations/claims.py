"""Claiming log entries to send: a lease on each, taken for a task's whole batch in two statements.

An entry is claimed by marking it "sending"; its `updated_at` is when the lease began. The lease lasts
OUTBOX_STUCK_SENDING_SECONDS: the sweeper (outbox.sweep) returns an entry whose lease has run out to the queue,
marked ambiguous, so a worker that died holding it loses only the lease and the next attempt looks the reference
up in Notify before sending. A worker still holding a lease that is half gone renews it just before calling Notify
(`still_ours`); if it cannot, the sweeper has given the entry to someone else and this worker leaves it alone.

The claim is a compare-and-set: it matches each entry only as it was read (status and due time), so of two workers
that read an entry, one claims it and the other's update matches nothing; an entry released and queued again in
between no longer matches either. Claiming a batch in one read and one update, rather than two statements an entry,
took a send's database work from half of a worker's time (#20, P2).
"""

import datetime

from django.db import connection
from django.utils import timezone

from . import outbox
from .log import SENDABLE, LogEntry, Status

# An early duplicate task (its entry is due later) claims nothing; the entry's own task or the sweeper comes in time.
EARLY = datetime.timedelta(seconds=1)


def lease():
    return outbox.stuck_sending_after()


def claim(entry_ids):
    """Claim the due, sendable entries among `entry_ids`; returns them, marked "sending", in the order given."""
    read = LogEntry.objects.select_related("integration").filter(pk__in=entry_ids, status__in=SENDABLE)
    now = timezone.now()
    due = [entry for entry in read if not (entry.next_attempt_at and entry.next_attempt_at > now + EARLY)]
    claimed = compare_and_set(due, now)
    order = {pk: index for index, pk in enumerate(entry_ids)}
    entries = sorted((entry for entry in due if entry.pk in claimed), key=lambda entry: order[entry.pk])
    for entry in entries:
        entry.previous_status, entry.status, entry.updated_at = entry.status, Status.SENDING, now
    return entries


def compare_and_set(entries, now):
    """UPDATE ... SET status = 'sending' for each entry still as read; returns the ids that matched.

    Written out because the ORM's update() took a quarter of a worker's time building the statement: on
    PostgreSQL one statement from arrays for the whole batch, elsewhere one an entry.
    """
    if not entries:
        return set()
    ops = connection.ops
    table = ops.quote_name(LogEntry._meta.db_table)
    when = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS entry SET status = %s, updated_at = %s"
                " FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[]) AS seen (id, status, due)"
                " WHERE entry.id = seen.id AND entry.status = seen.status"
                " AND entry.next_attempt_at IS NOT DISTINCT FROM seen.due RETURNING entry.id",
                [Status.SENDING, now, [e.pk for e in entries], [e.status for e in entries],
                 [e.next_attempt_at for e in entries]])
            return {row[0] for row in cursor.fetchall()}
        claimed = set()
        for entry in entries:
            due = ops.adapt_datetimefield_value(entry.next_attempt_at)
            cursor.execute(
                f"UPDATE {table} SET status = %s, updated_at = %s WHERE id = %s AND status = %s"
                " AND (next_attempt_at = %s OR (next_attempt_at IS NULL AND %s IS NULL))",
                [Status.SENDING, when, entry.pk, entry.status, due, due])
            if cursor.rowcount == 1:
                claimed.add(entry.pk)
        return claimed


def still_ours(entry):
    """True if this worker's lease on the entry holds; renewed first when half of it is gone."""
    now = timezone.now()
    if now - entry.updated_at < lease() / 2:
        return True
    renewed = LogEntry.objects.filter(pk=entry.pk, status=Status.SENDING, updated_at=entry.updated_at).update(
        updated_at=now)
    if renewed:
        entry.updated_at = now
    return bool(renewed)


def release(entries, *, wait):
    """Put claimed entries back as they were (no attempt made), due in `wait` seconds, and publish them for then."""
    now = timezone.now()
    when = now + datetime.timedelta(seconds=wait)
    for status in {entry.previous_status for entry in entries}:
        ids = [entry.pk for entry in entries if entry.previous_status == status]
        LogEntry.objects.filter(pk__in=ids, status=Status.SENDING).update(status=status, next_attempt_at=when,
                                                                          updated_at=now)
    for entry in entries:
        entry.status, entry.next_attempt_at, entry.updated_at = entry.previous_status, when, now
    outbox.enqueue_rows([(e.pk, e.bulk_job_id, e.integration_id) for e in entries], countdown=wait)


def hand_on(entries, *, countdown):
    """Publish claimed entries (of one integration) for a later turn, still claimed: nothing is written
    (integrations.turns)."""
    leases = {}
    for entry in entries:  # one lease for the batch, unless an entry's was renewed on its own (still_ours)
        leases.setdefault(entry.updated_at, []).append(entry)
    for lease_began, held in leases.items():
        outbox.enqueue_many([entry.pk for entry in held], marked=True, bulk=bool(held[0].bulk_job_id),
                            countdown=countdown, integration_id=held[0].integration_id, lease=lease_began)


def resume(entry_ids, lease_began):
    """Take up the entries handed on under the lease that began at `lease_began` and still held under it (the sweeper
    takes back those whose lease ran out), in the order given, under a new lease. A compare-and-set, as a claim is:
    of two deliveries of one handed-on task, one takes them up and the other finds nothing."""
    now = timezone.now()
    LogEntry.objects.filter(pk__in=entry_ids, status=Status.SENDING, updated_at=lease_began).update(updated_at=now)
    held = LogEntry.objects.select_related("integration").filter(pk__in=entry_ids, status=Status.SENDING,
                                                                 updated_at=now)
    order = {pk: index for index, pk in enumerate(entry_ids)}
    entries = sorted(held, key=lambda entry: order[entry.pk])
    for entry in entries:
        # Put back (release) as it was claimed: never tried, or tried before.
        entry.previous_status = Status.RETRYING if entry.attempt_count else Status.QUEUED
    return entries
