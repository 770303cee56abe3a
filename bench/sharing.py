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
    from rules.models import BulkJob, JobStatus, Trigger

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
            # Sampled once the job has queued every case's message (a minute at most) and they are being sent:
            # the state a bulk apply spends nearly all its time in (100,000 messages take 33 minutes at the limit).
            queued = wait_until(lambda: BulkJob.objects.get(pk=job.pk).status == JobStatus.DONE, 600, 0.5)
            sending = queued and wait_until(lambda: bulk_sent.count() >= min(200, cases // 10), 300, 0.2)
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


def _integrations(healthy, faulty, count, per_minute, messages):
    """`count` integrations, each on its own sandbox service limited to `per_minute`, each with a rule for the same
    `messages` cases; the last on the `faulty` sandbox when there is one."""
    from rules.models import Trigger

    setups, case_type = [], None
    for n in range(count):
        sandbox = faulty if faulty and n == count - 1 else healthy
        service = f"Service {n + 1}"
        sandbox.create_service(service, rate_limit=f"{per_minute}/60")
        setup = pipeline(sandbox, rate=per_minute, window=60, cases=0 if case_type else messages, service=service,
                         case_type=case_type)
        case_type = setup["case_type"]
        setup["rule"].trigger = Trigger.CASE_CREATED  # sent by the bulk apply alone
        setup["rule"].save()
        setups.append(setup)
    return setups


def _rates_per_minute(integrations):
    """Each integration's sends a minute from the first send of any of them (all started at once) to its own last: an
    integration kept waiting while others send shows it."""
    from integrations.log import Attempt, Outcome

    calls = {i.pk: sorted(Attempt.objects.filter(entry__integration=i, outcome=Outcome.SENT)
                          .values_list("started_at", flat=True)) for i in integrations}
    first = min((times[0] for times in calls.values() if times), default=None)
    rates = {}
    for pk, times in calls.items():
        seconds = (times[-1] - first).total_seconds() if times else 0
        rates[pk] = len(times) / seconds * 60 if seconds else 0
    return rates


def _many_at_once(messages, count, per_minute, faults):
    """One run of P7: every integration's rule bulk-applied at once; each integration's sends a minute."""
    from integrations.log import Attempt, LogEntry, Outcome, Status
    from rules import bulk

    clean()
    with SandboxServer(rate_limit="off") as healthy, SandboxServer(rate_limit="off") as faulty:
        setups = _integrations(healthy, faulty if faults else None, count, per_minute, messages)
        if faults:  # after the set-up, which checks the key against the service
            faulty.set_faults(**faults)
        workers = _start_workers()
        try:
            for setup in setups:
                bulk.bulk_job_start(rule=setup["rule"])
            judged = [s["integration"] for s in setups[:count - 1 if faults else count]]
            sent = LogEntry.objects.filter(integration__in=judged, status=Status.SENT)
            done = wait_until(lambda: sent.count() >= messages * len(judged), messages / per_minute * 60 * 3 + 120, 0.5)
        finally:
            for worker in workers:
                worker.stop()
        rates = _rates_per_minute([s["integration"] for s in setups])
        ratios = [rates[integration.pk] / per_minute for integration in judged]
        figures = {"all_sent": done, "lowest_ratio": round(min(ratios), 3), "highest_ratio": round(max(ratios), 3),
                   "rate_limited_429": Attempt.objects.filter(outcome=Outcome.RATE_LIMITED).count(),
                   "duplicates": len(healthy.counts()["duplicates"]) + len(faulty.counts()["duplicates"])}
        if faults:
            figures["faulty_ratio"] = round(rates[setups[-1]["integration"].pk] / per_minute, 3)
        clean()
    return figures


def integrations(messages, count=20, per_minute=600):
    """P7: `count` integrations (each its own sandbox service, limited as Notify would to `per_minute`) sending
    `messages` each at once: the lowest integration's sends a minute over its limit. Then again with the last one's
    service slow and failing (--latency-ms, --fail-rate on its sandbox alone): the others' lowest must not drop."""
    faults = {"latency_ms": 400, "fail_rate": 0.2}
    healthy = _many_at_once(messages, count, per_minute, {})
    beside = _many_at_once(messages, count, per_minute, faults)
    return {"integrations": count, "messages_each": messages, "limit_per_minute_each": per_minute,
            "ratio": healthy["lowest_ratio"], "highest_ratio": healthy["highest_ratio"],
            "all_sent": healthy["all_sent"] and beside["all_sent"],
            "ratio_beside_a_faulty_service": beside["lowest_ratio"], "faulty_service": faults,
            "faulty_service_ratio": beside["faulty_ratio"],
            "rate_limited_429": healthy["rate_limited_429"] + beside["rate_limited_429"],
            "duplicates": healthy["duplicates"] + beside["duplicates"]}
