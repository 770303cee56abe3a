"""Bulk apply: a rule applied to every existing case of its type as a background job, in chunks.

Memory stays flat however many cases there are: cases are read a chunk at a time in id order, and the
job records the last id done with each chunk. A job whose worker stops (its heartbeat stops moving) is
resumed by `bulk_jobs_resume` (on beat) from the last id done. Each chunk is committed only if the job
is still where its runner left it, so two runners of one job never apply a chunk twice. Cancelling sets
the status; the job stops before its next chunk.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations import outbox
from integrations.log import LogEntry, Status
from mappings.snapshot import snapshots

from .conditions import all_match
from .engine import entry_for_action, sent_for
from .models import BulkJob, JobStatus, Rule, RuleRun, Trigger
from .scope import existing_cases

logger = logging.getLogger(__name__)
CHUNK = 1000


class NotApplicable(Exception):
    """A rule that cannot be applied to existing cases, and why."""


def not_applicable_reason(rule):
    """Why the rule cannot be applied to existing cases, or "" when it can."""
    if rule.trigger == Trigger.TEXT_RECEIVED:
        return ("A rule on replies acts on each reply as it comes (for the person who sent it); applying it to "
                "existing cases would act on replies that were already handled")
    if rule.case_update:
        return ("A rule that updates the case acts when its trigger fires; applying it to existing cases in bulk "
                "is not offered, so no case is changed by mistake")
    return ""


def bulk_job_start(*, rule, actor=None):
    """Create the job and queue its task after commit. Returns the job; NotApplicable when the rule cannot be
    applied to existing cases."""
    from .tasks import run_bulk_job

    reason = not_applicable_reason(rule)
    if reason:
        raise NotApplicable(reason)
    job = BulkJob.objects.create(rule=rule, created_by=actor, total=existing_cases(rule)[0].count())
    transaction.on_commit(lambda: run_bulk_job.delay(job.pk))
    return job


def bulk_job_messages(job):
    """What became of a job's messages so far: {"sent", "failed", "on_its_way"}, read from the log."""
    counts = dict(LogEntry.objects.filter(bulk_job_id=job.pk).values_list("status").annotate(n=Count("id")))
    return {"sent": counts.get(Status.SENT, 0), "failed": counts.get(Status.FAILED, 0),
            "on_its_way": sum(counts.get(s, 0) for s in (Status.QUEUED, Status.RETRYING, Status.SENDING))}


MESSAGE_STATES = {"sent": [Status.SENT], "failed": [Status.FAILED],
                  "on_its_way": [Status.QUEUED, Status.RETRYING, Status.SENDING]}


def bulk_jobs_with_messages(jobs):
    """The jobs annotated with what became of their messages (`messages_sent`, `messages_failed`,
    `messages_on_its_way`), in the one query that lists them."""
    def count(states):
        counted = (LogEntry.objects.filter(bulk_job_id=OuterRef("pk"), status__in=states).order_by()
                   .values("bulk_job_id").annotate(n=Count("id")).values("n")[:1])
        return Coalesce(Subquery(counted), 0)

    return jobs.annotate(**{f"messages_{name}": count(states) for name, states in MESSAGE_STATES.items()})


def bulk_job_cancel(*, job):
    """Ask a job to stop; it stops before its next chunk. Finished jobs stay as they are."""
    BulkJob.objects.filter(pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.CANCELLED, finished_at=timezone.now())


def _next_chunk(job):
    """The snapshots of the next CHUNK cases the rule's trigger covers (rules.scope) after the last one done,
    in id order."""
    cases, _ = existing_cases(job.rule)
    return snapshots(cases.filter(pk__gt=job.last_case_id).order_by("pk")[:CHUNK])


def _claim_runs(rule, case_ids):
    """The run-once guard for many cases in one statement: the ids this run may send to.

    A rule that sends once gets only the cases it never ran for (the unique (rule, case) row decides, so
    a case event racing the job cannot make it send twice); otherwise every case, counted again.
    """
    if not case_ids:
        return set()
    now = timezone.now()
    table = connection.ops.quote_name(RuleRun._meta.db_table)
    conflict = ("DO NOTHING" if rule.send_once
                else "DO UPDATE SET runs = " + table + ".runs + 1, last_run_at = excluded.last_run_at")
    if connection.vendor == "postgresql":  # the ids as one array parameter: nothing to build per case
        rows, params = "SELECT %s, case_id, %s, %s, 1 FROM unnest(%s::bigint[]) AS case_id", [rule.pk, now, now,
                                                                                             list(case_ids)]
    else:
        rows = "VALUES " + ", ".join(["(%s, %s, %s, %s, 1)"] * len(case_ids))
        params = [value for case_id in case_ids for value in (rule.pk, case_id, now, now)]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (rule_id, case_id, first_run_at, last_run_at, runs) {rows} "
                       f"ON CONFLICT (rule_id, case_id) {conflict} RETURNING case_id", params)
        claimed = {row[0] for row in cursor.fetchall()}
    if rule.send_once and len(claimed) < len(case_ids):
        claimed |= _claim_failed_runs(rule, [case_id for case_id in case_ids if case_id not in claimed], now)
    return claimed


def _claim_failed_runs(rule, case_ids, now):
    """Of cases the rule already ran for, those whose messages all failed: it sends to them again.

    Their run rows are locked first, so a case event running the rule at the same time either waits for
    this chunk or is seen by the look-up that follows.
    """
    locked = list(RuleRun.objects.select_for_update().filter(rule=rule, case_id__in=case_ids)
                  .values_list("case_id", flat=True))
    again = set(locked) - sent_for(rule.pk, locked)
    if again:
        RuleRun.objects.filter(rule=rule, case_id__in=again).update(runs=F("runs") + 1, last_run_at=now)
    return again


def _apply_chunk(job, cases):
    """Apply the rule to a chunk of cases (their snapshots) in one transaction: a few statements, however many."""
    rule = job.rule
    with transaction.atomic():
        matching = [snapshot for snapshot in cases if all_match(rule.conditions, snapshot, mode=rule.condition_mode)]
        claimed = _claim_runs(rule, [snapshot["id"] for snapshot in matching])
        actions = list(rule.actions.all())
        entries = [entry_for_action(action, snapshot, rule)
                   for snapshot in matching if snapshot["id"] in claimed for action in actions]
        for entry in entries:
            entry.bulk_job_id = job.pk
        outbox.put_many(entries)
        queued = sum(1 for entry in entries if entry.status == Status.QUEUED)
        # Only if the job is still running and still where this runner left it.
        updated = BulkJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, last_case_id=job.last_case_id).update(
            done=F("done") + len(cases), applied=F("applied") + len(claimed), last_case_id=cases[-1]["id"],
            queued=F("queued") + queued, not_built=F("not_built") + len(entries) - queued,
            skipped=F("skipped") + len(cases) - len(claimed), heartbeat_at=timezone.now(),
        )
        if not updated:  # cancelled, or another runner took the job: this chunk's messages are not queued
            transaction.set_rollback(True)
            return False
    return True


def bulk_job_run(job_id):
    """Run (or resume) a job until its cases are done or it is cancelled."""
    now = timezone.now()
    started = BulkJob.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.RUNNING, started_at=Coalesce(F("started_at"), now), heartbeat_at=now)
    if not started:
        return
    job = BulkJob.objects.select_related("rule").get(pk=job_id)
    # The rule with its actions and mappings, read once for the whole job.
    rule = (Rule.objects.prefetch_related("actions__mapping_template__placeholders",
                                          "actions__mapping_template__integration").get(pk=job.rule_id))
    try:
        while True:
            job.refresh_from_db(fields=["status", "last_case_id"])
            if job.status != JobStatus.RUNNING:
                return
            job.rule = rule
            cases = _next_chunk(job)
            if not cases:
                break
            if not _apply_chunk(job, cases):
                return
    except Exception as error:
        BulkJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=type(error).__name__,
                                                 finished_at=timezone.now())
        logger.exception("Bulk job %s failed", job_id, extra={"bulk_job_id": job_id})
        raise
    BulkJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(status=JobStatus.DONE, finished_at=timezone.now())


def bulk_jobs_resume(*, now=None):
    """Queue again the jobs whose worker stopped: running with no progress for BULK_JOB_STALLED_SECONDS,
    or queued that long without starting (the task was lost). Returns how many were queued.
    """
    from .tasks import run_bulk_job

    now = now or timezone.now()
    stalled = now - datetime.timedelta(seconds=getattr(settings, "BULK_JOB_STALLED_SECONDS", 300))
    running_stalled = Q(status=JobStatus.RUNNING, heartbeat_at__lt=stalled)
    never_started = Q(status=JobStatus.QUEUED, created_at__lt=stalled) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stalled))
    jobs = list(BulkJob.objects.filter(running_stalled | never_started).values_list("pk", flat=True))
    for job_id in jobs:
        # The heartbeat moves now, so the next check waits for this runner before queueing another.
        BulkJob.objects.filter(pk=job_id).update(heartbeat_at=now, resumed=F("resumed") + 1)
        try:
            run_bulk_job.delay(job_id)
        except Exception as error:  # the broker is down: the next check tries again
            logger.warning("Could not queue bulk job %s (%s)", job_id, type(error).__name__)
            continue
        logger.info("Bulk job %s resumed after its worker stopped", job_id, extra={"bulk_job_id": job_id})
    return len(jobs)
