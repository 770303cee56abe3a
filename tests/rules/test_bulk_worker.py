"""Bulk apply over 10,000 cases on a real worker: it reaches 100% with one log entry per case, and stops when cancelled."""

import psycopg
import pytest
from django.db import connection

from cases.models import Case
from integrations.log import LogEntry, Status
from rules import bulk
from rules.models import BulkJob, JobStatus, Trigger
from tests.rules.helpers import make_rule
from tests.timing import wait_until as wait_for
from tests.workers import start_worker, worker_environment

CASES = 10_000


def sessions_waiting_for(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])
        return cursor.fetchone()[0]


@pytest.fixture
def ten_thousand_cases(transactional_db, case_type, mapping):
    # No applicant on these cases: each gets a failed log entry ("The case has no linked Applicant"),
    # which counts as the rule's outcome for the case without sending 10,000 messages anywhere.
    status = case_type.statuses.get(is_initial=True)
    Case.objects.bulk_create((Case(reference=f"BULK-{n:06d}", case_type=case_type, status=status)
                              for n in range(CASES)), batch_size=2000)
    return make_rule(case_type, mapping, trigger=Trigger.CASE_UPDATED, trigger_config={}, conditions=[])


@pytest.fixture
def worker(transactional_db):
    process = start_worker(concurrency=1)
    yield process
    process.stop()


@pytest.mark.django_db(transaction=True)
def test_bulk_apply_reaches_every_case_and_can_be_cancelled(ten_thousand_cases, worker):
    rule = ten_thousand_cases
    first = bulk.bulk_job_start(rule=rule)  # queued on commit (autocommit here)
    assert wait_for(lambda: BulkJob.objects.get(pk=first.pk).status == JobStatus.DONE, 180)
    first.refresh_from_db()
    assert (first.done, first.total, first.percent, first.applied) == (CASES, CASES, 100, CASES)
    assert LogEntry.objects.count() == CASES
    assert LogEntry.objects.values("case").distinct().count() == CASES

    # A gate stops the second job part-way, whatever the machine's speed: the run-once row of a case in its
    # second chunk, deleted in an open transaction of the test's own, makes that chunk's claim wait.
    LogEntry.objects.update(status=Status.SENT)  # as if each had reached Notify: the rule sends once
    gated = Case.objects.order_by("pk").values_list("pk", flat=True)[bulk.CHUNK + 10]
    gate = psycopg.connect(worker_environment()["DATABASE_URL"])
    try:
        gate.execute("DELETE FROM rules_rulerun WHERE rule_id = %s AND case_id = %s", [rule.pk, gated])
        again = bulk.bulk_job_start(rule=rule)
        assert wait_for(lambda: sessions_waiting_for(gate.info.backend_pid) > 0, 60), "the job never reached the gate"
        bulk.bulk_job_cancel(job=again)
    finally:
        gate.rollback()
        gate.close()
    assert wait_for(lambda: worker.log_path.read_text().count("rules.run_bulk_job") >= 4, 60)  # received, succeeded
    again.refresh_from_db()
    assert again.status == JobStatus.CANCELLED
    assert again.done == bulk.CHUNK  # the first chunk; the second was cancelled while it waited
    assert again.applied == 0  # sends once: the first job already covered every case
    assert LogEntry.objects.count() == CASES
