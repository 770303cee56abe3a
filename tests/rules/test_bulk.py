"""Bulk apply: every matching case once, in chunks, resumable, cancellable, safe to run twice."""

import pytest

from cases.models import Case
from integrations.log import LogEntry, Status
from rules import bulk
from rules.models import BulkJob, JobStatus, Trigger
from tests.rules.helpers import CONSENTED, make_rule

pytestmark = pytest.mark.django_db


def many_cases(case_type, count, prefix="BULK"):
    status = case_type.statuses.get(is_initial=True)
    Case.objects.bulk_create(
        Case(reference=f"{prefix}-{n:06d}", case_type=case_type, status=status, field_values={"decision": "Approved"})
        for n in range(count)
    )


@pytest.fixture
def rule(case_type, mapping):
    # No applicant on these cases: each becomes a failed log entry, which is still one entry per case.
    return make_rule(case_type, mapping, trigger=Trigger.CASE_UPDATED, trigger_config={}, conditions=[])


def test_a_job_applies_the_rule_to_every_case_once(case_type, rule, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(bulk, "CHUNK", 100)
    many_cases(case_type, 450)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = bulk.bulk_job_start(rule=rule)
    assert len(callbacks) == 1  # the task is queued only when the job is committed
    assert job.total == 450
    bulk.bulk_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.applied, job.failed, job.percent) == (JobStatus.DONE, 450, 450, 0, 100)
    assert LogEntry.objects.count() == 450
    assert LogEntry.objects.values("case").distinct().count() == 450

    LogEntry.objects.update(status=Status.SENT)  # as if each had reached Notify
    again = bulk.bulk_job_start(rule=rule)
    bulk.bulk_job_run(again.pk)
    again.refresh_from_db()
    assert (again.status, again.done, again.applied) == (JobStatus.DONE, 450, 0)
    assert LogEntry.objects.count() == 450


def test_a_job_sends_again_to_cases_whose_message_failed_and_only_to_them(case_type, rule, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 100)
    many_cases(case_type, 250)
    bulk.bulk_job_run(bulk.bulk_job_start(rule=rule).pk)  # every case fails: none has an applicant
    reached = list(LogEntry.objects.order_by("pk").values_list("pk", flat=True)[:100])
    LogEntry.objects.filter(pk__in=reached).update(status=Status.SENT)
    again = bulk.bulk_job_start(rule=rule)
    bulk.bulk_job_run(again.pk)
    again.refresh_from_db()
    assert (again.done, again.applied) == (250, 150)
    assert LogEntry.objects.count() == 400


def test_a_cancelled_job_stops_before_its_next_chunk(case_type, rule, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 100)
    many_cases(case_type, 300)
    job = bulk.bulk_job_start(rule=rule)
    real = bulk._apply_chunk
    calls = []

    def cancel_after_first(job_, cases):
        calls.append(len(cases))
        result = real(job_, cases)
        bulk.bulk_job_cancel(job=job_)
        return result

    monkeypatch.setattr(bulk, "_apply_chunk", cancel_after_first)
    bulk.bulk_job_run(job.pk)
    job.refresh_from_db()
    assert calls == [100]
    assert (job.status, job.done) == (JobStatus.CANCELLED, 100)
    assert LogEntry.objects.count() == 100


def test_a_stopped_job_resumes_where_it_was(case_type, rule, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 100)
    many_cases(case_type, 250)
    job = bulk.bulk_job_start(rule=rule)
    real = bulk._apply_chunk

    def die_on_second(job_, cases):
        if job_.last_case_id:
            raise SystemExit("worker killed")
        return real(job_, cases)

    monkeypatch.setattr(bulk, "_apply_chunk", die_on_second)
    with pytest.raises(SystemExit):
        bulk.bulk_job_run(job.pk)
    assert BulkJob.objects.get(pk=job.pk).done == 100
    monkeypatch.setattr(bulk, "_apply_chunk", real)
    bulk.bulk_job_run(job.pk)  # the broker redelivers the task (acks late)
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.DONE, 250)
    assert LogEntry.objects.count() == 250


def test_a_job_whose_worker_stopped_is_queued_again_once_its_heartbeat_is_stale(case_type, rule, settings,
                                                                                 django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    from tests.workers import purge_queue, queued_tasks

    settings.BULK_JOB_STALLED_SECONDS = 60
    purge_queue()
    now = timezone.now()
    stalled = BulkJob.objects.create(rule=rule, status=JobStatus.RUNNING, heartbeat_at=now - datetime.timedelta(seconds=90))
    busy = BulkJob.objects.create(rule=rule, status=JobStatus.RUNNING, heartbeat_at=now - datetime.timedelta(seconds=5))
    lost = BulkJob.objects.create(rule=rule, status=JobStatus.QUEUED)
    BulkJob.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(minutes=5))
    done = BulkJob.objects.create(rule=rule, status=JobStatus.DONE, heartbeat_at=now - datetime.timedelta(hours=1))

    assert bulk.bulk_jobs_resume(now=now) == 2
    assert sorted(queued_tasks("rules.run_bulk_job", queue="bulk")) == sorted([f"({stalled.pk},)", f"({lost.pk},)"])
    assert BulkJob.objects.get(pk=stalled.pk).resumed == 1
    # Just queued again: the next check leaves it to that runner.
    assert bulk.bulk_jobs_resume(now=now + datetime.timedelta(seconds=30)) == 0
    assert {busy.pk, done.pk}.isdisjoint(BulkJob.objects.filter(resumed__gt=0).values_list("pk", flat=True))
    purge_queue()


def test_a_runner_that_lost_its_job_to_another_commits_nothing(case_type, rule, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 100)
    many_cases(case_type, 300)
    job = bulk.bulk_job_start(rule=rule)
    BulkJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    slow = BulkJob.objects.select_related("rule").get(pk=job.pk)  # read the job, then stalled
    resumed = BulkJob.objects.select_related("rule").get(pk=job.pk)
    assert bulk._apply_chunk(resumed, bulk._next_chunk(resumed)) is True
    # The stalled runner wakes with the same first chunk: the job has moved on, so it commits nothing.
    assert bulk._apply_chunk(slow, bulk._next_chunk(slow)) is False
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.RUNNING, 100)
    assert LogEntry.objects.count() == 100


@pytest.mark.parametrize(
    ("trigger", "config", "expected"),
    [
        (Trigger.STATUS_CHANGED, {"to": "Decision issued"}, {"decided-approved", "decided-empty"}),
        (Trigger.STATUS_CHANGED, {"from": "Received"}, {"decided-approved", "decided-empty", "review"}),
        (Trigger.FIELD_CHANGED, {"field": "decision", "to": "approved"}, {"decided-approved", "received-approved"}),
        (Trigger.FIELD_CHANGED, {"field": "decision"}, {"decided-approved", "received-approved"}),
        (Trigger.CASE_UPDATED, {}, {"decided-approved", "decided-empty", "review", "received-approved"}),
    ],
)
def test_apply_to_existing_cases_covers_the_cases_the_trigger_leads_to(case_type, mapping, trigger, config,
                                                                        expected):
    from rules.scope import existing_cases
    from tests.factories import make_case

    statuses = {s.name: s for s in case_type.statuses.all()}
    made = {"decided-approved": ("Decision issued", "Approved"), "decided-empty": ("Decision issued", ""),
            "review": ("Under review", ""), "received-approved": ("Received", "Approved")}
    for reference, (status, decision) in made.items():
        case = make_case(case_type, field_values={"decision": decision})
        Case.objects.filter(pk=case.pk).update(reference=reference, status=statuses[status])
    rule = make_rule(case_type, mapping, trigger=trigger, trigger_config=config, conditions=[])
    cases, meaning = existing_cases(rule)
    assert set(cases.values_list("reference", flat=True)) == expected
    assert meaning


def test_a_status_rule_applied_to_existing_cases_counts_sent_failed_and_skipped_as_they_are(case_type, mapping):
    from tests.factories import make_case
    from tests.rules.helpers import applicant_case

    decided = case_type.statuses.get(name="Decision issued")
    complete = applicant_case(case_type)
    incomplete = make_case(case_type, field_values={"decision": "Approved"})  # no applicant: cannot be built
    elsewhere = applicant_case(case_type)  # still in its first status: not covered at all
    Case.objects.filter(pk__in=[complete.pk, incomplete.pk]).update(status=decided)
    rule = make_rule(case_type, mapping, trigger=Trigger.STATUS_CHANGED, trigger_config={"to": "Decision issued"},
                     conditions=[CONSENTED])
    job = bulk.bulk_job_start(rule=rule)
    bulk.bulk_job_run(job.pk)
    job.refresh_from_db()
    assert (job.total, job.done) == (2, 2)
    assert (job.queued, job.not_built, job.skipped) == (1, 0, 1)  # the incomplete case has no consenting applicant
    assert not LogEntry.objects.filter(case=elsewhere).exists()
    rule.conditions = []
    rule.save()
    again = bulk.bulk_job_start(rule=rule)
    bulk.bulk_job_run(again.pk)
    again.refresh_from_db()
    assert (again.queued, again.not_built, again.skipped) == (0, 1, 1)  # complete was sent to already
    assert bulk.bulk_job_messages(again) == {"sent": 0, "failed": 1, "on_its_way": 0}
