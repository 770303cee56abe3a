"""The outbox: log entries written in the caller's transaction, handed to Celery after commit.

Nothing is lost between the database and the broker: an entry is saved first (with the case change
that caused it), its task is published on commit, and `sweep` re-publishes due entries whose task
never started (the broker was down, or the process died between commit and publish), and returns
entries stuck in "sending" (a worker died mid-call) to the queue, marked ambiguous so the next attempt
looks the reference up in Notify before sending again.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import JSONField, Q
from django.utils import timezone
from psycopg.types.json import Jsonb

from . import turns
from .log import SENDABLE, FailureKind, LogEntry, Status

logger = logging.getLogger(__name__)

# Publishing gives up quickly when the broker is down: the entry stays in the outbox for the sweeper.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}


# From this many entries, put_many writes them with COPY on PostgreSQL.
COPY_FROM = 50

# Send tasks go on two queues of their own: one case's messages (a rule fired by a change to the case, a resend) on
# CASE_SENDS, a bulk apply's on BULK_SENDS. A worker that consumes CASE_SENDS alone (README, "Running it in
# production") keeps a caseworker's message from waiting behind a bulk apply's thousands, and the rate limiter lets
# it go first (sending.rate_for).
CASE_SENDS, BULK_SENDS = "case-sends", "bulk-sends"
SEND_QUEUES = (CASE_SENDS, BULK_SENDS)


def lost_task_after():
    """A task not started this long after it was due is taken as lost and published again."""
    return datetime.timedelta(seconds=getattr(settings, "OUTBOX_LOST_TASK_SECONDS", 60))


def stuck_sending_after():
    """An entry "sending" for this long belongs to a worker that died mid-call (well above Notify's timeout)."""
    return datetime.timedelta(seconds=getattr(settings, "OUTBOX_STUCK_SENDING_SECONDS", 300))


def new_reference():
    """A reference unique to one message, with no personal data: Notify's idempotency key for us."""
    return f"ncn-{uuid.uuid4().hex}"


def _origin(case, rule, mapping_template):
    rule_id, rule_name = rule or (None, "")
    mapping_id, mapping_name = mapping_template or (None, "")
    case_id, case_reference = case or (None, "")
    return {
        "case_id": case_id,
        "case_reference": case_reference or "",
        "rule_id": rule_id,
        "rule_name": rule_name or "",
        "mapping_template_id": mapping_id,
        "mapping_template_name": mapping_name or "",
    }


def entry_for(*, integration, message, case=None, rule=None, mapping_template=None):
    """An unsaved log entry for a resolved message (mappings.resolve.Message).

    `case` is an (id, reference) pair, `rule` and `mapping_template` (id, name) pairs. An integration that is switched off gives a failed
    entry ("integration disabled") instead of a queued one.
    """
    entry = LogEntry(
        integration=integration,
        channel=message.channel,
        recipient=message.recipient,
        template_id=message.template_id,
        template_version=message.template_version,
        personalisation=message.personalisation,
        reference=message.reference or new_reference(),
        email_reply_to_id=message.email_reply_to_id or "",
        sms_sender_id=message.sms_sender_id or "",
        sanitise_content_for=list(message.sanitise_content_for),
        document=getattr(message, "document", None),
        postage=getattr(message, "postage", "") or "",
        status=Status.QUEUED,
        next_attempt_at=timezone.now(),
        **_origin(case, rule, mapping_template),
    )
    if not integration.enabled:
        entry.status, entry.failure_kind, entry.next_attempt_at = Status.FAILED, FailureKind.INTEGRATION_DISABLED, None
        entry.reason = f"Not sent: the integration '{integration.name}' is disabled"
    return entry


def failed_entry_for(*, integration, channel, problems, case=None, rule=None, mapping_template=None, template_id=""):
    """An unsaved entry for a message that could not be resolved (missing data): failed, never retried."""
    return LogEntry(
        integration=integration,
        channel=channel,
        template_id=template_id,
        reference=new_reference(),
        status=Status.FAILED,
        failure_kind=FailureKind.VALIDATION,
        reason="; ".join(problems),
        **_origin(case, rule, mapping_template),
    )


def put_many(entries):
    """Save entries in the caller's transaction (one insert) and publish the queued ones after commit.

    Queued entries are saved already marked as published (as enqueue marks them before publishing): if
    the process dies between the commit and the publish, the sweeper takes their task as lost.
    """
    now = timezone.now()
    for entry in entries:
        if entry.status == Status.QUEUED:
            entry.enqueued_at = now
    saved = _insert(entries)
    queued = [(entry.pk, entry.bulk_job_id, entry.integration_id) for entry in saved if entry.status == Status.QUEUED]
    if queued:
        transaction.on_commit(lambda: enqueue_rows(queued, marked=True))
    return saved


def _insert(entries):
    """Insert entries in one statement: bulk_create, or on PostgreSQL for many rows a COPY (bulk apply writes
    thousands a second). Either way the entries come back saved, with their ids.

    The COPY passes each value as the entry holds it (psycopg adapts str, int, bool, UUID and aware
    datetimes; JSON is wrapped), which is most of its gain over Django's per-field preparation; the
    entries are built by entry_for and failed_entry_for, so their values have the model's types.
    """
    if connection.vendor != "postgresql" or len(entries) < COPY_FROM:
        return LogEntry.objects.bulk_create(entries)
    meta = LogEntry._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    stamped = [field.attname for field in fields if getattr(field, "auto_now", False)
               or getattr(field, "auto_now_add", False)]
    json = {field.attname for field in fields if isinstance(field, JSONField)}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in [meta.pk.column, *(field.column for field in fields)])
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(entries)])
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, entry in zip(ids, entries, strict=True):
                entry.pk = pk
                for name in stamped:
                    setattr(entry, name, now)
                values = [getattr(entry, field.attname) for field in fields]
                copy.write_row([pk, *(Jsonb(value) if field.attname in json and value is not None else value
                                      for field, value in zip(fields, values, strict=True))])
    for entry in entries:
        entry._state.adding, entry._state.db = False, connection.alias
    return entries


def put(*, integration, message, case=None, rule=None, mapping_template=None):
    """Queue one resolved message for sending, in the caller's transaction (see entry_for)."""
    return put_many([entry_for(integration=integration, message=message, case=case, rule=rule,
                               mapping_template=mapping_template)])[0]


def put_failed(**fields):
    """Record one message that could not be resolved (see failed_entry_for)."""
    return put_many([failed_entry_for(**fields)])[0]


def enqueue(entry_id, *, countdown=0, marked=False, bulk=False, integration_id=None):
    """Publish the send task (on BULK_SENDS for a bulk apply's entry); on a broker failure log it and leave the
    entry for the sweeper.

    The entry is marked before publishing: marking it after would lock its row while a worker may
    already be claiming it (a claim skips locked rows).
    """
    from .tasks import send_log_entry

    if not marked:
        LogEntry.objects.filter(pk=entry_id).update(enqueued_at=timezone.now() + datetime.timedelta(seconds=countdown))
    try:
        send_log_entry.apply_async(
            (entry_id,),
            {"integration_id": integration_id} if integration_id else None,
            countdown=countdown or None,
            queue=BULK_SENDS if bulk else CASE_SENDS,
            retry=True,
            retry_policy=RETRY_POLICY,
        )
    except Exception as error:  # the broker is down: the sweeper publishes it when it is back
        LogEntry.objects.filter(pk=entry_id).update(enqueued_at=None)
        logger.warning("Could not queue log entry %s (%s); the sweeper will retry", entry_id, type(error).__name__,
                       extra={"log_entry_id": entry_id})
        return False
    turns.published(integration_id)
    return True


def enqueue_rows(rows, *, marked=False, countdown=0):
    """Publish (entry id, bulk job id, integration id) rows: a bulk apply's on BULK_SENDS, the rest on CASE_SENDS, each
    integration's in tasks of its own (so each task sends for one integration: integrations.turns)."""
    groups = {}
    for pk, bulk_job_id, integration_id in rows:
        groups.setdefault((bool(bulk_job_id), integration_id), []).append(pk)
    return sum(enqueue_many(ids, marked=marked, bulk=bulk, countdown=countdown, integration_id=integration_id)
               for (bulk, integration_id), ids in groups.items())


def enqueue_many(entry_ids, *, marked=False, bulk=False, countdown=0, integration_id=None, lease=None):
    """Publish send tasks for many entries, OUTBOX_BATCH ids to a task, over one connection; returns how many.

    `marked`: the entries were saved with enqueued_at set (put_many), so they need no update first.
    `lease`: the entries stay claimed under this lease (handed on to a later turn: integrations.turns).

    A batch saves a publish and a task start per message (bulk apply queues thousands at once). On a
    broker failure the rest are left to the sweeper.
    """
    if len(entry_ids) == 1 and lease is None:
        return int(enqueue(entry_ids[0], marked=marked, bulk=bulk, countdown=countdown, integration_id=integration_id))
    from .tasks import send_log_entries

    size = getattr(settings, "OUTBOX_BATCH", 100)
    if not marked:  # before publishing, as in enqueue
        LogEntry.objects.filter(pk__in=entry_ids).update(
            enqueued_at=timezone.now() + datetime.timedelta(seconds=countdown))
    published = []
    try:
        with send_log_entries.app.producer_or_acquire() as producer:
            for start in range(0, len(entry_ids), size):
                batch = list(entry_ids[start:start + size])
                options = {"integration_id": integration_id, "lease": lease.isoformat() if lease else None,
                           "bulk": bulk}
                send_log_entries.apply_async((batch,), {k: v for k, v in options.items() if v},
                                             producer=producer, queue=BULK_SENDS if bulk else CASE_SENDS,
                                             countdown=countdown or None, retry=True, retry_policy=RETRY_POLICY)
                published.extend(batch)
                turns.published(integration_id)
    except Exception as error:  # the broker is down: the sweeper publishes the rest when it is back
        LogEntry.objects.filter(pk__in=set(entry_ids) - set(published)).update(enqueued_at=None)
        logger.warning("Could not queue %s log entries (%s); the sweeper will retry", len(entry_ids) - len(published),
                       type(error).__name__)
    return len(published)


def broker_backlog():
    """How many send tasks wait in the broker's queues (0 when the broker cannot say)."""
    from config.celery_app import app
    from config.worker_watchdog import waiting_tasks

    return waiting_tasks(app, SEND_QUEUES)


def sweep(*, now=None, limit=None):
    """Re-publish due entries whose task was lost; return stuck "sending" entries to the queue.

    A task counts as lost when it has not started OUTBOX_LOST_TASK_SECONDS after it was published and no
    tasks wait in the broker (while some wait, a late task is behind them, not lost: a bulk apply queues
    far more than the workers send in that time). Entries never published, or back from a dead worker,
    are published at once. Returns (published, recovered) counts.
    """
    now = now or timezone.now()
    limit = limit or getattr(settings, "OUTBOX_SWEEP_LIMIT", 2000)
    recovered = LogEntry.objects.filter(status=Status.SENDING, updated_at__lt=now - stuck_sending_after()).update(
        status=Status.RETRYING, ambiguous=True, next_attempt_at=now, enqueued_at=None, updated_at=now
    )
    unpublished = Q(enqueued_at__isnull=True)
    backlog = broker_backlog()
    if not backlog:
        unpublished |= Q(enqueued_at__lt=now - lost_task_after())
        turns.forget()  # no send task waits: no integration is waiting for a turn
    due = list(
        LogEntry.objects.filter(status__in=SENDABLE, next_attempt_at__lte=now)
        .filter(unpublished)
        .order_by("next_attempt_at")
        .values_list("pk", "bulk_job_id", "integration_id")[:limit]
    )
    published = enqueue_rows(due) if due else 0
    if published or recovered:
        logger.info("Outbox sweep: %s published, %s recovered", published, recovered)
    return published, recovered
