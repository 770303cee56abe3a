"""The retention policy applied: a daily beat task removes what is due, in batches.

- A message's personal data (recipient, personalisation, a letter's document reference) once it is older than the
  policy's days; its record stays, so counts and charts stay right, and its page says when and why.
- A message's whole record (with its attempts and delivery reports) once older than the record's days; with it,
  delivery reports that never matched a message.
- Received texts' content and number, as messages' personal data.
- Case documents' files, the policy's days after their case closed (their record stays, with the reason).

Each batch is one short transaction that locks only the rows it takes, skipping any a sender holds (SKIP LOCKED),
so a send never waits on the purge. Every step selects by what is still due, never by a position: a purge killed
halfway is finished by the next run, nothing is done twice, and nothing inside the policy is touched.
"""

import datetime
import logging

from django.db import connection, transaction
from django.utils import timezone

from documents.models import Document
from documents.services import NotDeletable, document_delete
from inbox.models import ReceivedText
from integrations.delivery.models import DeliveryEvent
from integrations.log import LogEntry, Status

from .models import RetentionPolicy, RetentionRun

logger = logging.getLogger(__name__)
BATCH = 1000
# One purge batch at a time across processes (two beat schedulers, a command run by hand): a PostgreSQL advisory lock
# held for each batch's transaction.
PURGE_LOCK = 0x6E6F7469  # "noti"
FINISHED = (Status.SENT, Status.FAILED, Status.CANCELLED)  # never a message still on its way


def _take(queryset, batch):
    """Ids of up to `batch` rows, locked for this transaction; rows another transaction holds are left for later."""
    return list(queryset.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])


def _one_at_a_time():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PURGE_LOCK])


def _batches(step, run, counter, batch, stop_after=None):
    done = 0
    while stop_after is None or done < stop_after:
        with transaction.atomic():
            _one_at_a_time()
            count = step(batch)
        if not count:
            break
        done += count
        setattr(run, counter, getattr(run, counter) + count)
        run.save(update_fields=[counter])
    return done


def remove_personal_data(cutoff, now, batch=BATCH):
    """One batch of messages older than `cutoff` that still hold personal data; returns how many."""
    ids = _take(LogEntry.objects.filter(personal_data_removed_at__isnull=True, created_at__lt=cutoff,
                                        status__in=FINISHED).order_by("created_at", "id"), batch)
    if ids:
        LogEntry.objects.filter(pk__in=ids).update(recipient="", personalisation={}, sanitise_content_for=[],
                                                   document=None, personal_data_removed_at=now,
                                                   personal_data_removed_by="retention")
    return len(ids)


def clear_texts(cutoff, now, batch=BATCH):
    ids = _take(ReceivedText.objects.filter(personal_data_removed_at__isnull=True, received_at__lt=cutoff)
                .order_by("received_at", "id"), batch)
    if ids:
        ReceivedText.objects.filter(pk__in=ids).update(content="", user_number="", phone="",
                                                       personal_data_removed_at=now)
    return len(ids)


def delete_records(cutoff, batch=BATCH):
    ids = _take(LogEntry.objects.filter(created_at__lt=cutoff, status__in=FINISHED).order_by("created_at", "id"),
                batch)
    if ids:
        LogEntry.objects.filter(pk__in=ids).delete()  # attempts and delivery reports go with them
    stray = _take(DeliveryEvent.objects.filter(entry__isnull=True, received_at__lt=cutoff).order_by("id"), batch)
    if stray:
        DeliveryEvent.objects.filter(pk__in=stray).delete()
    return len(ids) + len(stray)


def delete_documents(cutoff, days, batch=BATCH):
    documents = list(Document.objects.filter(deleted_at__isnull=True, case__closed_at__lt=cutoff)
                     .select_related("case").order_by("pk")[:batch])
    for document in documents:
        try:
            document_delete(document=document, reason=f"Deleted under the retention policy: {days} days after the "
                                                      "case closed")
        except NotDeletable:  # deleted by someone meanwhile
            continue
    return len(documents)


def apply_retention(now=None, batch=BATCH, stop_after=None):
    """Remove everything the policy says is due. Returns the run (its counts). `stop_after`: stop each step after
    about that many (a test of resuming)."""
    now = now or timezone.now()
    policy = RetentionPolicy.current()
    personal = now - datetime.timedelta(days=policy.personal_data_days)
    records = now - datetime.timedelta(days=policy.record_days)
    documents = now - datetime.timedelta(days=policy.document_days_after_close)
    run = RetentionRun.objects.create()
    _batches(lambda size: remove_personal_data(personal, now, size), run, "personal_data_removed", batch, stop_after)
    _batches(lambda size: clear_texts(personal, now, size), run, "texts_cleared", batch, stop_after)
    _batches(lambda size: delete_records(records, size), run, "records_deleted", batch, stop_after)
    _batches(lambda size: delete_documents(documents, policy.document_days_after_close, size), run,
             "documents_deleted", batch, stop_after)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    logger.info("Retention applied: %s personal data removed, %s records deleted, %s texts cleared, %s documents "
                "deleted", run.personal_data_removed, run.records_deleted, run.texts_cleared, run.documents_deleted)
    return run
