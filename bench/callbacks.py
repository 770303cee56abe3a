"""Delivery-status callbacks in a burst, as after a bulk send: one callback per sent message, POSTed as Notify does
(several at once, each with the integration's token) to the product's endpoint served by gunicorn. Every status
must be applied. Reported: callbacks a second and their p95, each beside the same server's answers to the same
POSTs with a wrong token (refused before any database write), measured in the same run; and Notify's default
send rate (3,000 a minute), the most that callbacks can keep up with in steady use."""

import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from .setup import ROOT, clean, p95, wait_until

NOTIFY_DEFAULT_PER_SECOND = 3000 / 60


def _entries(integration, count):
    from integrations.log import LogEntry, Status

    rows = [LogEntry(integration=integration, channel="email", recipient=f"p{n}@example.com", status=Status.SENT,
                     template_id=str(uuid.uuid4()), template_version=1, reference=f"bench-{n}",
                     notify_id=uuid.uuid4()) for n in range(count)]
    LogEntry.objects.bulk_create(rows, batch_size=5000)
    return rows


def _body(entry):
    return {"id": str(entry.notify_id), "reference": entry.reference, "to": entry.recipient, "status": "delivered",
            "created_at": "2026-12-01T10:00:00.000000Z", "completed_at": "2026-12-01T10:00:05.000000Z",
            "sent_at": "2026-12-01T10:00:01.000000Z", "notification_type": "email",
            "template_id": entry.template_id, "template_version": 1}


def _burst(url, bodies, header, concurrency):
    """POST every body, `concurrency` at a time on kept-alive connections: (seconds, [ms each], {status: count})."""
    local = threading.local()
    times, statuses, lock = [], {}, threading.Lock()

    def post(body):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        started = time.perf_counter()
        response = session.post(url, json=body, headers={"Authorization": header}, timeout=30)
        took = (time.perf_counter() - started) * 1000
        with lock:
            times.append(took)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(post, bodies))
    return time.perf_counter() - started, sorted(times), statuses


def _serve(port):
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads",
               "4", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))


def callbacks(count, concurrency=8):
    from integrations.delivery.tokens import make_callback_tokens
    from integrations.log import LogEntry
    from integrations.models import Integration
    from tests.workers import free_port

    clean()
    integration = Integration.objects.create(name="Bench callbacks", enabled=True, base_url="http://127.0.0.1:9")
    token = make_callback_tokens(integration)["delivery_status_token"]
    bodies = [_body(entry) for entry in _entries(integration, count)]
    port = free_port()
    url = f"http://127.0.0.1:{port}/notify/callbacks/{integration.callback_id}/delivery-status/"
    server = _serve(port)
    try:
        up = wait_until(lambda: _answers(url), 60)
        assert up, "gunicorn did not start"
        refused_s, refused_times, refused = _burst(url, bodies[: min(count, 2000)], "Bearer wrong-token-0000000000",
                                                   concurrency)
        applied_s, applied_times, answered = _burst(url, bodies, f"Bearer {token}", concurrency)
    finally:
        server.terminate()
        server.wait(30)
    delivered = LogEntry.objects.filter(integration=integration, delivery_status="delivered").count()
    per_second = count / applied_s
    refused_per_second = len(refused_times) / refused_s
    return {
        "callbacks": count, "all_applied": delivered == count and answered == {200: count},
        "per_second": round(per_second), "p50_ms": round(statistics.median(applied_times), 1),
        "p95_ms": round(p95(applied_times), 1), "refused_per_second": round(refused_per_second),
        "refused_p95_ms": round(p95(refused_times), 1), "refused_all_401": refused == {401: len(refused_times)},
        "ratio_to_refused": round(per_second / refused_per_second, 2),
        "p95_ratio_to_refused": round(p95(applied_times) / p95(refused_times), 2),
        "ratio_to_notify_send_rate": round(per_second / NOTIFY_DEFAULT_PER_SECOND, 1),
    }


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code == 405
    except requests.RequestException:
        return False
