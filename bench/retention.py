"""The retention purge over a large log, and a caseworker's message sent while it runs.

N log entries (1,000,000 in `make bench`) all past the policy's personal-data time are purged by the daily task
(`governance.retention.apply_retention`, batches of 1,000); meanwhile case status changes fire a rule whose message
goes through the real pipeline (worker, rate limiter, sandbox over HTTP). The figures: entries purged a second,
and the p95 of "case changed → Notify accepted" during the purge as a ratio to its p95 with no purge, measured in
the same run on the same workers (absolute numbers beside it). The purge locks only the rows of its batch and
skips any a sender holds, so the ratio should stay near 1.
"""

import datetime
import statistics
import threading
import time

from notify_sandbox.testing import SandboxServer

from .log import fill
from .pipeline import _workers
from .setup import clean, p95, pipeline, wait_until


def _send_while(setup, per_second, keep_going, at_least):
    """Status changes that each fire the rule (a case moved back to "Received", then to "Under review"), one case
    after another, `per_second` a second while `keep_going()` (and at least `at_least` of them). Returns each
    message's trigger → Notify accepted, in ms."""
    from cases import services
    from integrations.log import LogEntry, Status

    statuses = setup["case_type"].statuses
    received, under_review = statuses.get(is_initial=True), statuses.get(name="Under review")
    cases = list(setup["case_type"].cases.order_by("pk"))
    made, overlapping = [], 0
    while keep_going() or len(made) < at_least:
        overlapping += bool(keep_going())
        case = cases[len(made) % len(cases)]
        services.case_update(case=case, status=received)
        before = LogEntry.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first() or 0
        services.case_update(case=case, status=under_review)
        made += list(LogEntry.objects.filter(case=case, pk__gt=before).values_list("pk", flat=True))
        time.sleep(1 / per_second)
    wait_until(lambda: LogEntry.objects.filter(pk__in=made, status=Status.SENT).count() >= len(made), 120, 0.2)
    delays = []
    for entry in LogEntry.objects.filter(pk__in=made, status=Status.SENT).prefetch_related("attempts"):
        last = max(entry.attempts.all(), key=lambda a: a.number)
        delays.append((last.started_at - entry.created_at).total_seconds() * 1000 + last.duration_ms)
    return delays, overlapping


def retention(entries, samples=60, per_second=10):
    """Purge `entries` log entries' personal data while messages are sent; see the module's docstring."""
    from django.utils import timezone

    from governance.models import RetentionPolicy
    from governance.retention import apply_retention
    from integrations.log import LogEntry
    from rules.models import Trigger

    clean()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("truncate governance_retentionrun, governance_retentionpolicy restart identity")
    fill(entries)
    old = timezone.now() - datetime.timedelta(days=800)
    LogEntry.objects.filter(case__isnull=True).update(created_at=old)
    policy = RetentionPolicy.current()
    policy.personal_data_days, policy.record_days = 730, 3650
    policy.save()
    with SandboxServer() as sandbox:
        setup = pipeline(sandbox, cases=20)
        rule = setup["rule"]
        rule.trigger, rule.trigger_config = Trigger.STATUS_CHANGED, {"to": "Under review"}
        rule.save()
        worker = _workers(2)
        try:
            idle, _ = _send_while(setup, per_second, lambda: False, samples)
            result = {}

            def purge():
                started = time.perf_counter()
                result["run"] = apply_retention()
                result["seconds"] = time.perf_counter() - started
                connection.close()

            thread = threading.Thread(target=purge)
            thread.start()
            during, overlapping = _send_while(setup, per_second, thread.is_alive, samples)
            thread.join()
        finally:
            worker.stop()
    run = result["run"]
    purged_all = not LogEntry.objects.filter(case__isnull=True, personal_data_removed_at__isnull=True,
                                             status__in=["sent", "failed"]).exists()
    clean()
    idle_p95, during_p95 = p95(idle), p95(during)
    return {"entries": entries, "purged": run.personal_data_removed, "all_purged": purged_all,
            "purge_seconds": round(result["seconds"], 1),
            "entries_per_second": round(run.personal_data_removed / result["seconds"]) if result["seconds"] else 0,
            "send_samples_during": len(during), "sends_started_while_purging": overlapping,
            "send_p95_ms_during_purge": round(during_p95) if during else None,
            "send_p95_ms_idle": round(idle_p95) if idle else None,
            "send_p50_ms_during_purge": round(statistics.median(during)) if during else None,
            "ratio": round(during_p95 / idle_p95, 2) if idle and during and idle_p95 else None}
