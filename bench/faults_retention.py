"""Fault scenario `retention`: the retention purge is SIGKILLed halfway and run again.

The harness holds the purge's own lock (the advisory lock each batch takes) and lets the purge through exactly one
batch at a time by handing the lock between two connections of its own: one batch, then the purge waits again.
Once at least half of what is due is done and the purge is seen waiting, its process is killed; another run then
finishes. Nothing may be purged twice (the first run's entries keep its time), nothing missed, and nothing inside
the policy touched.
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
import uuid

import psycopg

from .faults import ROOT, FaultNotPlaced, scaled, wait_for

BATCH = 20


class Baton:
    """The purge lock, held by the harness and passed between two of its connections."""

    def __init__(self, key):
        self.key = key
        self.holder = self._connect()
        self.holder.execute("SELECT pg_advisory_lock(%s)", [key])

    @staticmethod
    def _connect():
        return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)

    def waiting_pids(self):
        with self._connect() as probe:
            return [row[0] for row in probe.execute(
                "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [self.holder.info.backend_pid]).fetchall()]

    def one_batch(self, purge_pid_waiting):
        """Let the waiting purge take the lock for one batch; the harness's other connection, queued behind it, takes
        the lock back as soon as that batch commits."""
        other = self._connect()
        queued = threading.Thread(target=lambda: other.execute("SELECT pg_advisory_lock(%s)", [self.key]))
        queued.start()
        if not wait_for(lambda: other.info.backend_pid in self.waiting_pids(), scaled(30), 0.02):
            raise FaultNotPlaced("the harness's second connection never queued for the purge lock")
        self.holder.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        queued.join(scaled(60))
        self.holder.close()
        self.holder = other
        if not wait_for(purge_pid_waiting, scaled(60), 0.02):
            raise FaultNotPlaced("the purge did not come back to its lock after a batch")

    def release(self):
        self.holder.close()


def _entries(due, inside):
    from django.utils import timezone

    from integrations.log import LogEntry, Status
    from integrations.models import Integration

    integration = Integration.objects.create(name=f"Retention faults {uuid.uuid4().hex[:6]}")
    made = LogEntry.objects.bulk_create(
        [LogEntry(integration=integration, channel="email", status=Status.SENT, recipient=f"p{n}@example.com",
                  personalisation={"name": f"n{n}"}, reference=f"retention-{uuid.uuid4().hex}")
         for n in range(due + inside)], batch_size=5000)
    old = timezone.now() - datetime.timedelta(days=800)
    LogEntry.objects.filter(pk__in=[e.pk for e in made[:due]]).update(created_at=old)
    return [e.pk for e in made[:due]], [e.pk for e in made[due:]]


def retention(due):
    """A purge of `due` entries killed halfway (between two batches), then run again."""
    from governance.models import RetentionPolicy, RetentionRun
    from governance.retention import PURGE_LOCK
    from integrations.log import LogEntry
    from tests.workers import worker_environment

    from .setup import clean

    clean()
    RetentionRun.objects.all().delete()
    policy = RetentionPolicy.current()
    policy.personal_data_days, policy.record_days = 730, 3650
    policy.save()
    due_ids, inside_ids = _entries(due, max(10, due // 10))
    baton = Baton(PURGE_LOCK)
    purge = subprocess.Popen([sys.executable, "manage.py", "apply_retention", "--batch", str(BATCH)], cwd=ROOT,
                             env=worker_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        def purge_waiting():
            return any(pid != baton.holder.info.backend_pid for pid in baton.waiting_pids())

        if not wait_for(purge_waiting, scaled(60), 0.05):
            raise FaultNotPlaced("the purge never reached its lock")
        while LogEntry.objects.filter(pk__in=due_ids, personal_data_removed_at__isnull=False).count() < due // 2:
            baton.one_batch(purge_waiting)
        first_done = dict(LogEntry.objects.filter(pk__in=due_ids, personal_data_removed_at__isnull=False)
                          .values_list("pk", "personal_data_removed_at"))
        os.killpg(purge.pid, signal.SIGKILL)  # killed while it waits for its next batch
        purge.wait(30)
    finally:
        baton.release()
        if purge.poll() is None:
            os.killpg(purge.pid, signal.SIGKILL)
    finished = subprocess.run([sys.executable, "manage.py", "apply_retention"], cwd=ROOT, env=worker_environment(),
                              capture_output=True, text=True, timeout=scaled(600))
    if finished.returncode != 0:
        raise RuntimeError(finished.stderr[-2000:])
    after = dict(LogEntry.objects.filter(pk__in=due_ids).values_list("pk", "personal_data_removed_at"))
    missed = sum(1 for at in after.values() if at is None)
    twice = sum(1 for pk, at in first_done.items() if after[pk] != at)
    touched = LogEntry.objects.filter(pk__in=inside_ids).exclude(personal_data_removed_at__isnull=True).count()
    runs = list(RetentionRun.objects.order_by("started_at").values_list("personal_data_removed", "finished_at"))
    clean()
    return {"triggered": due, "sent": due - missed, "failed": 0, "lost": missed, "duplicates": twice + touched,
            "settled": True, "in_notify_not_recorded_sent": 0, "killed_after": len(first_done),
            "first_run_finished": runs[0][1] is not None, "second_run_removed": runs[-1][0],
            "inside_policy_touched": touched}
