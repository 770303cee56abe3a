"""With the broker down while rules fire, every message is still sent once it is back (the outbox sweeper)."""

import shutil

import pytest

from cases import services
from config.celery_app import app
from integrations import outbox
from integrations.log import LogEntry, Status
from integrations.models import Integration
from integrations.services import integration_save
from rules.models import Trigger
from tests.rules.helpers import applicant_case, make_mapping, make_rule
from tests.timing import wait_until
from tests.workers import PrivateRedis, start_worker

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server to stop and start")


def use_broker(url):
    """Point this process's Celery app at another broker, dropping every cached connection."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    server.start()
    original = app.conf.broker_url
    use_broker(server.url)
    yield server
    server.stop()
    use_broker(original)


@pytest.mark.django_db(transaction=True)
def test_messages_fired_while_the_broker_is_down_are_all_sent_when_it_is_back(broker, case_type, sandbox, notify_key):
    integration = integration_save(integration=Integration(name="Outage", enabled=True, base_url=sandbox.base_url),
                                   new_key=notify_key)
    template = sandbox.create_template("email", subject="S", body="Hello ((name)), ((decision))")
    make_rule(case_type, make_mapping(integration, template), trigger=Trigger.STATUS_CHANGED,
              trigger_config={"to": "Decision issued"}, conditions=[])
    cases = [applicant_case(case_type) for _ in range(8)]
    broker.stop()
    decided = case_type.statuses.get(name="Decision issued")
    for case in cases:
        services.case_update(case=case, status=decided)  # saves, even though nothing can be queued
    assert LogEntry.objects.filter(status=Status.QUEUED).count() == 8
    assert not LogEntry.objects.exclude(enqueued_at=None).exists()

    broker.start()
    use_broker(broker.url)
    worker = start_worker(concurrency=2, REDIS_URL=broker.url)
    try:
        published, _ = outbox.sweep()  # what beat runs every 15 seconds
        assert published == 8
        wait_until(lambda: not LogEntry.objects.exclude(status=Status.SENT).exists(), 60)
    finally:
        worker.stop()
    assert LogEntry.objects.filter(status=Status.SENT).count() == 8
    counts = sandbox.counts()["by_reference"]
    assert all(counts[e.reference] == 1 for e in LogEntry.objects.all())
