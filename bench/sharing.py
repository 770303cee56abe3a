"""Sharing the workers and Notify's limit (#20): a caseworker's message during a bulk apply (P5), and many
integrations sending at once (P7). Each figure is a ratio to a reference measured in the same run."""

import time

from notify_sandbox.testing import SandboxServer

from .setup import clean, p95, pipeline, quantile, wait_until


def _start_workers():
    """The workers as deployed (README, "Running it in production"): one consuming every queue, and one for
    one case's messages alone."""
    from integrations.outbox import CASE_SENDS
    from tests.workers import start_worker

    main = start_worker(concurrency=4)
    try:
        return [main, start_worker(concurrency=1, queues=CASE_SENDS, name="cases", purge=False)]
    except Exception:
        main.stop()
        raise


def _caseworker_rule(setup):
    from rules.models import Action, Rule, Trigger

    rule = Rule.objects.create(name="Under review", case_type=setup["case_type"], trigger=Trigger.STATUS_CHANGED,
                               trigger_config={"to": "Under review"}, send_once=False)
    Action.objects.create(rule=rule, mapping_template=setup["rule"].actions.get().mapping_template)
    return rule


def _trigger_to_accepted_ms(rule, cases, per_second):
    """Change each case's status (firing `rule`), one every 1/per_second s; each message's time from the change to
    Notify's acceptance, in ms."""
    from cases import services
    from integrations.log import LogEntry, Status

    under_review = cases[0].case_type.statuses.get(name="Under review")
    before = set(LogEntry.objects.filter(rule_id=rule.pk).values_list("pk", flat=True))
    for case in cases:
        services.case_update(case=case, status=under_review)
        time.sleep(1 / per_second)
    mine = LogEntry.objects.filter(rule_id=rule.pk).exclude(pk__in=before)
    wait_until(lambda: mine.filter(status=Status.SENT).count() >= len(cases), 120, 0.2)
    delays = []
    for entry in mine.filter(status=Status.SENT).prefetch_related("attempts"):
        last = max(entry.attempts.all(), key=lambda attempt: attempt.number)
        delays.append((last.started_at - entry.created_at).total_seconds() * 1000 + last.duration_ms)
    return sorted(delays)


def caseworker(cases, samples=None, per_second=5):
    """P5: one case's message, status change → Notify accepted, p95 while a bulk apply to `cases` cases is sending
    on the same workers and key, over its p95 on idle workers (measured first, on the same workers)."""
    from cases.models import Case
    from integrations.log import LogEntry, Status
    from rules import bulk
    from rules.models import Trigger

    samples = samples or max(20, min(100, cases // 100))
    clean()
    with SandboxServer(rate_limit="3000/60") as sandbox:
        setup = pipeline(sandbox, rate=3000, window=60, cases=cases)
        bulk_rule = setup["rule"]
        bulk_rule.trigger = Trigger.CASE_CREATED  # fires on no status change: only the bulk apply sends it
        bulk_rule.save()
        rule = _caseworker_rule(setup)
        # One to warm up (the template cache, connections), then half idle and half during the bulk apply.
        warm_up, *sampled = list(Case.objects.order_by("pk")[:2 * samples + 1])
        workers = _start_workers()
        try:
            _trigger_to_accepted_ms(rule, [warm_up], per_second)
            idle = _trigger_to_accepted_ms(rule, sampled[:samples], per_second)
            job = bulk.bulk_job_start(rule=bulk_rule)
            bulk_sent = LogEntry.objects.filter(bulk_job_id=job.pk, status=Status.SENT)
            sending = wait_until(lambda: bulk_sent.count() >= min(200, cases // 10), 300, 0.2)
            sent_before, started = bulk_sent.count(), time.monotonic()
            loaded = _trigger_to_accepted_ms(rule, sampled[samples:], per_second)
            bulk_per_minute = (bulk_sent.count() - sent_before) / (time.monotonic() - started) * 60
            bulk.bulk_job_cancel(job=job)
        finally:
            for worker in workers:
                worker.stop()
        clean()
    ratio = p95(loaded) / p95(idle) if idle and loaded else None
    return {"cases": cases, "samples": samples, "bulk_was_sending": sending, "idle_p50_ms": _ms(idle, 0.5),
            "idle_p95_ms": _ms(idle, 0.95), "during_bulk_p50_ms": _ms(loaded, 0.5),
            "during_bulk_p95_ms": _ms(loaded, 0.95), "bulk_per_minute_meanwhile": round(bulk_per_minute),
            "limit_per_minute": 3000, "ratio": round(ratio, 2) if ratio else None}


def _ms(values, q):
    return round(quantile(values, q), 1) if values else None
