"""Integrations take turns at the workers (integrations.turns): one at its rate limit never keeps a worker from
another's sends, and a batch handed on is sent once, by one taker."""

import json

import pytest
import redis
from django.conf import settings

from integrations import claims, outbox, sending, tasks, turns
from integrations.log import LogEntry, Status
from integrations.models import Integration
from integrations.services import integration_save
from tests.integrations.test_sending import put
from tests.workers import purge_queue


def clear_limiter(client):
    """The integrations here share one sandbox service, so one limiter key: each test starts it afresh."""
    for key in client.scan_iter(sending.RedisRateLimiter.prefix + "*"):
        client.delete(key)


@pytest.fixture
def broker():
    purge_queue()
    turns.forget()
    client = redis.Redis.from_url(settings.REDIS_URL)
    clear_limiter(client)
    yield client
    purge_queue()
    turns.forget()
    clear_limiter(client)


def waiting_tasks(client):
    """(entry ids, kwargs) of the batch send tasks waiting in the send queues."""
    found = []
    for queue in outbox.SEND_QUEUES:
        for raw in client.lrange(queue, 0, -1):
            headers = json.loads(raw)["headers"]
            if headers["task"] == "integrations.send_log_entries":
                found.append((headers["argsrepr"], headers["kwargsrepr"]))
    return found


@pytest.fixture
def slow(sandbox, notify_key, db):
    """An integration limited to 60 an hour: once its burst is gone, its next slot is a minute away."""
    return integration_save(integration=Integration(name="Slow", enabled=True, base_url=sandbox.base_url,
                                                    rate_limit=60, rate_window=3600), new_key=notify_key)


@pytest.fixture
def template(sandbox):
    return sandbox.create_template("email", name="Turns", subject="Hello", body="Hello ((name))")


def use_up_the_burst(integration):
    rate = sending.rate_for(integration, bulk=False)
    while sending.limiter().take(sending.limiter_key(integration), rate, rate.burst)[0]:
        pass


@pytest.mark.django_db
def test_a_task_whose_integration_is_at_its_limit_passes_its_turn_while_another_waits(slow, template, broker,
                                                                                      sandbox):
    entries = [put(slow, template, name=f"n{n}") for n in range(3)]
    purge_queue()  # the tasks put published: this test runs the task itself
    use_up_the_burst(slow)
    turns.published(slow.pk + 1000)  # another integration's send waits in the queue
    ids = [entry.pk for entry in entries]
    tasks.send_log_entries(ids, integration_id=slow.pk)
    # Nothing read or claimed: the same task waits in the queue for the slow integration's next burst.
    assert set(LogEntry.objects.values_list("status", flat=True)) == {Status.QUEUED}
    [(args, kwargs)] = waiting_tasks(broker)
    assert args == repr((ids,))
    assert str(slow.pk) in kwargs
    assert sandbox.notifications(reference=entries[0].reference) == []


@pytest.mark.django_db
def test_with_no_other_integration_waiting_a_task_waits_for_its_slot_as_before(integration, template, broker,
                                                                               sandbox):
    entries = [put(integration, template, name=f"n{n}") for n in range(3)]
    purge_queue()
    tasks.send_log_entries([entry.pk for entry in entries], integration_id=integration.pk)
    assert set(LogEntry.objects.values_list("status", flat=True)) == {Status.SENT}
    assert waiting_tasks(broker) == []


@pytest.mark.django_db
def test_a_batch_whose_burst_ran_out_is_handed_on_still_claimed_and_sent_once_by_one_taker(slow, template, broker,
                                                                                        sandbox):
    rate = sending.rate_for(slow, bulk=False)
    entries = [put(slow, template, name=f"n{n}") for n in range(rate.burst + 3)]
    purge_queue()
    turns.published(slow.pk + 1000)  # another integration's send waits
    sending.send_entries([entry.pk for entry in entries])
    statuses = [LogEntry.objects.get(pk=entry.pk).status for entry in entries]
    assert statuses == [Status.SENT] * rate.burst + [Status.SENDING] * 3  # the burst went; the rest is held
    [(args, kwargs)] = waiting_tasks(broker)
    handed_on = [entry.pk for entry in entries[rate.burst:]]
    assert args == repr((handed_on,))
    lease = LogEntry.objects.get(pk=handed_on[0]).updated_at
    assert lease.isoformat() in kwargs
    # Delivered twice (a broker can): one delivery takes the entries up, the other finds nothing to send.
    first, second = claims.resume(handed_on, lease), claims.resume(handed_on, lease)
    assert [entry.pk for entry in first] == handed_on
    assert second == []
    # Now through the task, twice, once the slow integration has slots again and nobody else waits.
    LogEntry.objects.filter(pk__in=handed_on).update(updated_at=lease)  # as they were handed on
    turns.forget()
    clear_limiter(broker)
    purge_queue()
    for _ in range(2):
        tasks.send_log_entries(handed_on, integration_id=slow.pk, lease=lease.isoformat())
    assert set(LogEntry.objects.filter(pk__in=handed_on).values_list("status", flat=True)) == {Status.SENT}
    assert all(len(sandbox.notifications(reference=entry.reference)) == 1 for entry in entries)
