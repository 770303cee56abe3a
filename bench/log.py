"""The integration log at size: filtered API and page times, and the memory of a full CSV export."""

import statistics
import time
import tracemalloc

from .setup import clean

FILTERS = [{}, {"status": "failed"}, {"channel": "sms", "status": "sent"}, {"case_reference": "PA-2026-000042"},
           {"rule": "Decision"}]


def fill(entries, batch=20_000):
    from django.utils import timezone

    from integrations.log import LogEntry
    from integrations.models import Integration

    integration = Integration.objects.create(name="Log bench")
    now = timezone.now()
    statuses, channels = ["sent", "sent", "sent", "failed", "retrying"], ["email", "sms", "letter"]
    for start in range(0, entries, batch):
        LogEntry.objects.bulk_create([
            LogEntry(integration=integration, channel=channels[n % 3], status=statuses[n % 5],
                     reference=f"bench-{n}", case_reference=f"PA-2026-{n % 50000:06d}", recipient=f"p{n}@example.com",
                     rule_name="Decision issued" if n % 7 == 0 else "Reminder", mapping_template_name="Decision email",
                     created_at=now)
            for n in range(start, min(start + batch, entries))], batch_size=batch)


def _timed(client, url, params, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def _export_peak_mb(client):
    tracemalloc.start()
    response = client.get("/log/export.csv")
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return rows - 1, peak


def log(entries, repeat=20):
    from django.test import Client

    from tests.factories import auditor_user

    clean()
    started = time.perf_counter()
    fill(entries)
    filled = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("analyze integrations_logentry")
    client = Client()
    client.force_login(auditor_user())
    api, page = [], []
    for params in FILTERS:
        api += _timed(client, "/api/log/", params, repeat)
        page += _timed(client, "/log/", params, repeat)
    exported, export_mb = _export_peak_mb(client)
    api.sort()
    page.sort()
    clean()
    return {"entries": entries, "fill_seconds": round(filled, 1),
            "api_p50_ms": round(statistics.median(api), 1), "api_p95_ms": round(api[int(len(api) * 0.95) - 1], 1),
            "page_p50_ms": round(statistics.median(page), 1), "page_p95_ms": round(page[int(len(page) * 0.95) - 1], 1),
            "export_rows": exported, "export_peak_python_mb": round(export_mb, 1)}
