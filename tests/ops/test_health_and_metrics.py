"""The platform team knows when sending has stopped before citizens do: /healthz (the process answers), /readyz
(each part the service needs, 503 when one fails) and /metrics (Prometheus, behind a token)."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.log import Attempt, LogEntry, Outcome, Status
from ops.heartbeats import SWEEPER, WORKER
from ops.models import Heartbeat
from tests.timing import wait_until
from tests.workers import purge_queue, start_worker


def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db(transaction=True)
def test_ready_when_a_worker_consumes_and_the_sweeper_runs(client):
    from integrations.tasks import sweep_outbox
    from ops.tasks import worker_heartbeat

    purge_queue()
    worker = start_worker(concurrency=1)
    try:
        worker_heartbeat.delay()
        sweep_outbox.delay()  # what beat schedules every 15 s
        assert wait_until(lambda: Heartbeat.objects.filter(name__in=[WORKER, SWEEPER]).count() == 2, 60)
    finally:
        worker.stop()
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "redis", "worker", "sweeper", "queue"}
    assert all(check["ok"] for check in body["checks"].values())


def _fresh_heartbeats(now):
    for name in (WORKER, SWEEPER):
        Heartbeat.objects.update_or_create(name=name, defaults={"at": now})


@pytest.mark.django_db
def test_not_ready_says_which_part_fails(client, integration, settings):
    now = timezone.now()
    _fresh_heartbeats(now)
    assert client.get("/readyz").status_code == 200
    Heartbeat.objects.filter(name=WORKER).update(at=now - datetime.timedelta(seconds=600))
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json()["checks"]["worker"]["ok"] is False
    assert stale.json()["checks"]["worker"]["age_seconds"] >= 600
    _fresh_heartbeats(now)
    LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED, reference=uuid.uuid4().hex,
                            next_attempt_at=now - datetime.timedelta(hours=1))
    queued = client.get("/readyz").json()
    assert queued["checks"]["queue"]["ok"] is False
    assert queued["checks"]["queue"]["age_seconds"] >= 3600
    LogEntry.objects.all().delete()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"]["redis"]["ok"] is False


@pytest.mark.django_db
def test_metrics_need_their_token_and_show_messages_retries_and_latency(client, integration, settings):
    assert client.get("/metrics").status_code == 404  # off without METRICS_TOKEN
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    entry = LogEntry.objects.create(integration=integration, channel="email", status=Status.SENT,
                                    reference=uuid.uuid4().hex)
    Attempt.objects.create(entry=entry, number=1, started_at=timezone.now(), outcome=Outcome.RATE_LIMITED,
                           status_code=429, error_type="RateLimitError")
    LogEntry.objects.create(integration=integration, channel="sms", status=Status.QUEUED, reference=uuid.uuid4().hex,
                            next_attempt_at=timezone.now())
    before = _login_requests(client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").content.decode())
    client.get(reverse("accounts:login"))  # a request to time
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").content.decode()
    assert 'notify_messages{channel="email",status="sent"} 1.0' in text
    assert 'notify_attempts{error_type="RateLimitError",outcome="rate_limited"} 1.0' in text
    assert "notify_queue_depth 1.0" in text
    assert "notify_oldest_due_message_seconds" in text
    assert _login_requests(text) == before + 1  # this process's latency histogram (other tests add to it too)


def _login_requests(text):
    found = re.search(r'http_request_duration_seconds_count\{method="GET",status="200",view="accounts:login"\} ([0-9.]+)',
                      text)
    return float(found.group(1)) if found else 0.0
