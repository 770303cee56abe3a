"""A worker whose consumer stops consuming (as Celery's Redis transport can after a broker blip) recovers."""

import pytest

from config.celery_app import app
from config.worker_watchdog import is_deaf
from integrations import outbox
from integrations.log import LogEntry, Status
from tests.integrations.test_sending import put
from tests.timing import scaled, wait_until
from tests.workers import start_worker


@pytest.mark.parametrize(
    ("received", "waiting", "active", "concurrency", "deaf"),
    [
        (0, 3, 0, 2, True),  # tasks wait, slots free, nothing came: deaf
        (1, 3, 0, 2, False),  # something came since the last check
        (0, 0, 0, 2, False),  # nothing waits
        (0, 3, 2, 2, False),  # every slot busy: the tasks wait for a slot, not for the consumer
    ],
)
def test_a_consumer_is_deaf_only_when_tasks_wait_for_free_slots_and_none_arrive(received, waiting, active,
                                                                               concurrency, deaf):
    assert is_deaf(received=received, waiting=waiting, active=active, concurrency=concurrency) is deaf


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_stopped_consuming_restarts_its_consumer_and_sends(integration, sandbox):
    worker = start_worker(concurrency=2, WORKER_WATCHDOG_SECONDS=0.5)
    try:
        # The consumer stops taking tasks from the queue while the worker itself stays up and connected.
        replies = app.control.cancel_consumer(outbox.CASE_SENDS, reply=True, timeout=scaled(10))
        assert replies, "the worker did not answer the cancel"
        entry = put(integration, sandbox.create_template("email", subject="S", body="Hello ((name))"))
        outbox.enqueue(entry.pk)
        sent = wait_until(lambda: LogEntry.objects.get(pk=entry.pk).status == Status.SENT, 60)
        log = worker.log_path.read_text()
    finally:
        worker.stop()
    assert sent, log[-3000:]
    assert "restarting its consumer" in log
