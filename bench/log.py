"""The integration log at size: filtered API and page times, and the memory of a full CSV export."""

import statistics
import time
import tracemalloc

from .setup import clean, p95

FILTERS = [{}, {"status": "failed"}, {"channel": "sms", "status": "sent"}, {"case_reference": "PA-2026-000042"},
           {"rule": "Decision"}]


def fill(entries, batch=20_000):
    """`entries` log entries: 3 in 5 sent, a case reference shared by every 50,000th, 1 in 7 by the rule "Decision
    issued". One INSERT ... SELECT on PostgreSQL (seconds for a million), batched inserts elsewhere."""
    from django.db import connection
    from django.utils import timezone

    from integrations.log import LogEntry
    from integrations.models import Integration

    integration = Integration.objects.create(name="Log bench")
    now = timezone.now()
    statuses, channels = ["sent", "sent", "sent", "failed", "retrying"], ["email", "sms", "letter"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO integrations_logentry (integration_id, channel, status, reference, case_reference,"
                " recipient, rule_name, mapping_template_name, created_at, updated_at, personalisation,"
                " sanitise_content_for, case_id, rule_id, mapping_template_id, template_id, template_version,"
                " email_reply_to_id, sms_sender_id, failure_kind, reason, attempt_count, retry_count, ambiguous,"
                " delivery_status, delivery_note, postage)"
                " SELECT %(integration)s, (%(channels)s::text[])[n %% 3 + 1], (%(statuses)s::text[])[n %% 5 + 1],"
                " 'bench-' || n, 'PA-2026-' || lpad((n %% 50000)::text, 6, '0'), 'p' || n || '@example.com',"
                " CASE WHEN n %% 7 = 0 THEN 'Decision issued' ELSE 'Reminder' END, 'Decision email', %(now)s,"
                " %(now)s, '{}', '[]', NULL, NULL, NULL, '', NULL, '', '', '', '', 0, 0, false, '', '', ''"
                " FROM generate_series(0, %(last)s) AS n",
                {"integration": integration.pk, "channels": channels, "statuses": statuses, "now": now,
                 "last": entries - 1})
        return
    for start in range(0, entries, batch):
        LogEntry.objects.bulk_create([
            LogEntry(integration=integration, channel=channels[n % 3], status=statuses[n % 5],
                     reference=f"bench-{n}", case_reference=f"PA-2026-{n % 50000:06d}", recipient=f"p{n}@example.com",
                     rule_name="Decision issued" if n % 7 == 0 else "Reminder", mapping_template_name="Decision email",
                     created_at=now)
            for n in range(start, min(start + batch, entries))], batch_size=batch)


def _timed(client, url, params, repeat):
    """Milliseconds for each of `repeat` requests, after one untimed request (warm-up)."""
    client.get(url, params)
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


def _requests(client, repeat):
    api, page = [], []
    for params in FILTERS:
        api += _timed(client, "/api/log/", params, repeat)
        page += _timed(client, "/log/", params, repeat)
    return api, page


def log(entries, repeat=20):
    """The log's API and page at `entries` entries, each p95 as a ratio to the same requests on an empty log measured
    first in the same run (#20's P4), with the absolute figures beside it."""
    from django.test import Client

    from tests.factories import auditor_user

    clean()
    client = Client()
    client.force_login(auditor_user())
    empty_api, empty_page = _requests(client, repeat)
    started = time.perf_counter()
    fill(entries)
    filled = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum leaves a log that grew over time, not mid-measurement
        cursor.execute("vacuum analyze integrations_logentry" if connection.vendor == "postgresql"
                       else "analyze integrations_logentry")
    api, page = _requests(client, repeat)
    exported, export_mb = _export_peak_mb(client)
    api.sort()
    page.sort()
    clean()
    return {"entries": entries, "fill_seconds": round(filled, 1),
            "api_p50_ms": round(statistics.median(api), 1), "api_p95_ms": round(p95(api), 1),
            "api_p95_empty_ms": round(p95(empty_api), 1), "api_ratio": round(p95(api) / p95(empty_api), 2),
            "page_p50_ms": round(statistics.median(page), 1), "page_p95_ms": round(p95(page), 1),
            "page_p95_empty_ms": round(p95(empty_page), 1), "page_ratio": round(p95(page) / p95(empty_page), 2),
            "export_rows": exported, "export_peak_python_mb": round(export_mb, 1)}
