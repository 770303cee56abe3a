"""The product's benchmarks: rate against Notify's limit, pipeline overhead, bulk apply, and latency.

Each function takes a size and returns its figures; bench/run.py prints them side by side.
"""

import threading
import time

from notifications_python_client.notifications import NotificationsAPIClient

from notify_sandbox.testing import SandboxServer

from .setup import children_of, clean, peak_rss_mb, pipeline, wait_until


def _workers(concurrency, **env):
    from tests.workers import start_worker

    return start_worker(concurrency=concurrency, **env)


def _send_all(rule, count_expected, timeout):
    """Bulk-apply the rule (one message per case) and wait until every message is sent."""
    from integrations.log import LogEntry, Status
    from rules import bulk

    bulk.bulk_job_start(rule=rule)
    return wait_until(lambda: LogEntry.objects.filter(status=Status.SENT).count() >= count_expected, timeout, 0.5)


def _sent_span():
    from django.db.models import Max, Min

    from integrations.log import LogEntry, Status

    span = LogEntry.objects.filter(status=Status.SENT).aggregate(first=Min("sent_at"), last=Max("sent_at"))
    if span["first"] is None:
        raise RuntimeError("No message was sent: is a worker consuming the bench's broker?")
    return (span["last"] - span["first"]).total_seconds()


def rate(messages):
    """Sustained sends a minute through rule → outbox → worker → sandbox, with the sandbox limiting at 600/12 s; and
    the busiest 60 s after the first burst, which must never pass the limit (#20's P1)."""
    from integrations.log import Attempt, Outcome
    from integrations.sending import rate_for

    clean()
    with SandboxServer(rate_limit="600/12") as sandbox:
        setup = pipeline(sandbox, rate=600, window=12, cases=messages)
        worker = _workers(4)
        try:
            done = _send_all(setup["rule"], messages, timeout=messages / 40 + 60)
        finally:
            worker.stop()
        seconds = _sent_span()
        per_minute = (messages - 1) / seconds * 60 if seconds else 0
        limited = Attempt.objects.filter(outcome=Outcome.RATE_LIMITED).count()
        duplicates = sandbox.counts()["duplicates"]
        calls = sorted(Attempt.objects.filter(outcome=Outcome.SENT).values_list("started_at", flat=True))
    window, busiest = _busiest_window(calls, after=rate_for(setup["integration"], bulk=True).burst)
    return {"messages": messages, "all_sent": done, "per_minute": round(per_minute), "limit_per_minute": 3000,
            "ratio": round(per_minute / 3000, 3), "window_seconds": round(window, 1),
            "busiest_window_ratio": round(busiest / (3000 * window / 60), 3) if window else None,
            "rate_limited_429": limited, "duplicates": len(duplicates)}


def _busiest_window(calls, *, after):
    """The most calls to Notify in any window of 60 s (or the rest of the run, when shorter) that starts after the first
    `after` (the burst the limiter allows at the start): (window seconds, calls in the busiest)."""
    if len(calls) <= after + 1:
        return 0, 0
    times = [(t - calls[0]).total_seconds() for t in calls]
    window = min(60.0, times[-1] - times[after])
    busiest, end = 0, after
    for start in range(after, len(times)):
        while end < len(times) and times[end] < times[start] + window:
            end += 1
        busiest = max(busiest, end - start)
    return window, busiest


def _plain_loop(sandbox, messages, threads, template):
    key = sandbox.create_key("test")
    started = time.perf_counter()

    def send(count):
        client = NotificationsAPIClient(key, base_url=sandbox.base_url)
        for n in range(count):
            client.send_email_notification("amira@example.com", template, personalisation={"name": f"n{n}",
                                                                                            "reference": "R"})

    pool = [threading.Thread(target=send, args=(messages // threads,)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return messages / (time.perf_counter() - started)


def overhead(messages, concurrency=4):
    """Pipeline sends a second over a plain client loop at the same concurrency, the limit off."""
    clean()
    with SandboxServer(rate_limit="off") as sandbox:
        setup = pipeline(sandbox, rate=1_000_000, window=60, cases=messages)
        plain = _plain_loop(sandbox, messages, concurrency, setup["template"])
        worker = _workers(concurrency)
        try:
            done = _send_all(setup["rule"], messages, timeout=messages / 20 + 60)
        finally:
            worker.stop()
        seconds = _sent_span()
    product = (messages - 1) / seconds if seconds else 0
    return {"messages": messages, "all_sent": done, "pipeline_per_second": round(product, 1),
            "plain_client_per_second": round(plain, 1), "ratio": round(product / plain, 3) if plain else 0}


def bulk(cases):
    """Bulk apply to `cases` cases: cases enqueued a second, and the peak memory of worker and web process."""
    from rules import bulk as bulk_jobs
    from rules.models import BulkJob, JobStatus

    clean()
    with SandboxServer(rate_limit="off") as sandbox:
        setup = pipeline(sandbox, cases=cases)
        # A worker that runs the job only: the messages it queues stay queued (the queue is purged after).
        worker = _workers(1)
        try:
            job = bulk_jobs.bulk_job_start(rule=setup["rule"])
            wait_until(lambda: BulkJob.objects.get(pk=job.pk).status in (JobStatus.DONE, JobStatus.FAILED),
                       cases / 200 + 60, 0.5)
            job.refresh_from_db()
            worker_rss = max([peak_rss_mb(worker.process.pid)] + [peak_rss_mb(p) for p in children_of(worker.process.pid)])
        finally:
            worker.stop()
        clean()
    seconds = (job.finished_at - job.started_at).total_seconds() if job.finished_at else 0
    per_second = job.done / seconds if seconds else 0
    floor = _copy_only_rate(setup["integration"], cases)
    return {"cases": cases, "status": job.status, "cases_per_second": round(per_second),
            "copy_only_rows_per_second": round(floor), "ratio": round(per_second / floor, 3) if floor else None,
            "worker_peak_rss_mb": round(worker_rss), "web_peak_rss_mb": round(peak_rss_mb())}


def _copy_only_rate(integration, rows, chunk=1000):
    """The floor for bulk apply (#20's P3): the same number of log entries written by the outbox's COPY alone, a chunk
    at a time as bulk apply writes them, with nothing read or resolved; rolled back after."""
    from django.db import transaction

    from integrations import outbox
    from mappings.resolve import Message

    message = Message(channel="email", template_id="f33517ff-2a88-4f6e-b855-c550268ce08a", template_version=1,
                      recipient="amira@example.com", personalisation={"name": "Amira", "reference": "B-0000001"},
                      reference="")
    elapsed = 0.0
    with transaction.atomic():
        for start in range(0, rows, chunk):
            entries = [outbox.entry_for(integration=integration, message=message, case=(None, "B-0000001"),
                                        rule=(None, "Bench rule"), mapping_template=(None, "Bench email"))
                       for _ in range(min(chunk, rows - start))]
            began = time.perf_counter()
            outbox._insert(entries)
            elapsed += time.perf_counter() - began
        transaction.set_rollback(True)
    return rows / elapsed if elapsed else 0
