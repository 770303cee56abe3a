"""Sending log entries through the real client to the sandbox: outcomes, attempts, retries, no duplicates.

The tests that need a worker run a real Celery worker on the test database and Redis.
"""

import datetime
import time

import pytest
from django.utils import timezone

from integrations import outbox, sending
from integrations.log import FailureKind, LogEntry, Outcome, Status
from integrations.models import Integration
from integrations.services import integration_save
from mappings.resolve import Message
from tests.timing import wait_until
from tests.workers import purge_queue, start_worker


@pytest.fixture
def email_template(sandbox):
    return sandbox.create_template("email", name="Plain", subject="Hello", body="Hello ((name))")


def put(integration, template_id, *, recipient="amira@example.com", reference=None, name="Amira"):
    message = Message(channel="email", template_id=template_id, template_version=1, recipient=recipient,
                      personalisation={"name": name}, reference=reference or outbox.new_reference())
    return outbox.put(integration=integration, message=message)


@pytest.fixture
def quiet_broker():
    purge_queue()
    yield
    purge_queue()


@pytest.mark.django_db
def test_a_good_send_records_notifys_id(integration, email_template, sandbox, quiet_broker):
    entry = put(integration, email_template)
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    received = sandbox.notifications(reference=entry.reference)
    assert entry.status == Status.SENT
    assert [str(entry.notify_id)] == [n["id"] for n in received]
    assert received[0]["personalisation"] == {"name": "Amira"}
    attempt = entry.attempts.get()
    assert (attempt.outcome, attempt.status_code, attempt.number) == (Outcome.SENT, 201, 1)


@pytest.mark.django_db
def test_a_batch_records_what_notify_accepted_together_and_an_entry_stays_sending_until_then(
        integration, email_template, sandbox, quiet_broker, monkeypatch):
    monkeypatch.setattr(sending.SentBatch, "FLUSH_EVERY", 3)
    monkeypatch.setattr(sending.SentBatch, "FLUSH_SECONDS", 60)
    entries = [put(integration, email_template, name=f"n{n}") for n in range(4)]
    with sending.SentBatch() as sent:
        for entry in entries[:2]:
            sending.send_entry(entry.pk, sent=sent)
        # Accepted by Notify, not yet written: a worker dying now leaves them to the sweeper's look-up.
        assert [LogEntry.objects.get(pk=e.pk).status for e in entries[:2]] == [Status.SENDING] * 2
        sending.send_entry(entries[2].pk, sent=sent)  # the third fills the batch: all three are written
        assert [LogEntry.objects.get(pk=e.pk).status for e in entries[:3]] == [Status.SENT] * 3
        sending.send_entry(entries[3].pk, sent=sent)
        assert LogEntry.objects.get(pk=entries[3].pk).status == Status.SENDING
    # The end of the batch writes the rest.
    for entry in entries:
        entry.refresh_from_db()
        [notification] = sandbox.notifications(reference=entry.reference)
        assert (entry.status, str(entry.notify_id), entry.attempt_count) == (Status.SENT, notification["id"], 1)
        assert list(entry.attempts.values_list("number", "outcome", "status_code")) == [(1, Outcome.SENT, 201)]


@pytest.mark.django_db
def test_a_send_waiting_to_be_written_is_written_before_the_next_entry_once_it_is_due(
        integration, email_template, sandbox, quiet_broker, monkeypatch):
    monkeypatch.setattr(sending.SentBatch, "FLUSH_SECONDS", 0.2)
    first = put(integration, email_template)
    with sending.SentBatch() as sent:
        sending.send_entry(first.pk, sent=sent)
        assert LogEntry.objects.get(pk=first.pk).status == Status.SENDING
        time.sleep(0.3)
        sent.flush_if_due()  # what send_entries does before each entry: a slow next entry does not hold it back
        assert LogEntry.objects.get(pk=first.pk).status == Status.SENT


@pytest.mark.django_db
def test_one_failing_entry_in_a_batch_keeps_the_others_sends(integration, email_template, sandbox, quiet_broker):
    good, bad, last = (put(integration, email_template), put(integration, email_template, recipient="not-an-email"),
                       put(integration, email_template))
    sending.send_entries([good.pk, bad.pk, last.pk])
    statuses = [LogEntry.objects.get(pk=e.pk).status for e in (good, bad, last)]
    assert statuses == [Status.SENT, Status.FAILED, Status.SENT]
    assert len(sandbox.notifications(reference=good.reference)) == 1


@pytest.mark.django_db
def test_a_send_after_a_look_up_is_numbered_after_it(integration, email_template, sandbox, quiet_broker):
    entry = put(integration, email_template)
    LogEntry.objects.filter(pk=entry.pk).update(ambiguous=True)  # an earlier call may have reached Notify
    sending.send_entries([entry.pk])
    numbered = list(LogEntry.objects.get(pk=entry.pk).attempts.order_by("number").values_list("number", "outcome"))
    assert numbered == [(1, Outcome.NOT_FOUND), (2, Outcome.SENT)]


@pytest.mark.django_db
def test_with_the_limiters_redis_unreachable_an_entry_goes_back_to_the_queue_unsent(integration, email_template,
                                                                                   sandbox, quiet_broker, monkeypatch):
    from integrations.ratelimit import RedisRateLimiter

    monkeypatch.setattr(sending, "_limiter", RedisRateLimiter.from_url("redis://127.0.0.1:9/0"))  # nothing listens
    entry = put(integration, email_template)
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert entry.status == Status.QUEUED
    assert entry.next_attempt_at > timezone.now() + datetime.timedelta(seconds=3)
    assert entry.attempts.count() == 0
    assert sandbox.notifications(reference=entry.reference) == []


@pytest.mark.django_db
def test_a_validation_error_gets_one_attempt_and_notifys_reason(integration, email_template, quiet_broker):
    entry = put(integration, email_template, recipient="not-an-email")
    sending.send_entry(entry.pk)
    sending.send_entry(entry.pk)  # a duplicate task does nothing
    entry.refresh_from_db()
    assert (entry.status, entry.failure_kind, entry.attempt_count) == (Status.FAILED, FailureKind.VALIDATION, 1)
    assert entry.reason == "email_address Not a valid email address"
    assert entry.attempts.count() == 1


@pytest.mark.django_db
def test_a_deleted_template_fails_once_with_the_reason(integration, quiet_broker):
    entry = put(integration, "f33517ff-2a88-4f6e-b855-c550268ce08a")
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert entry.status == Status.FAILED
    assert entry.reason.startswith("Not sent: Notify has no template f33517ff-2a88-4f6e-b855-c550268ce08a")


@pytest.mark.django_db
def test_a_transient_failure_is_retried_later(integration, email_template, sandbox, quiet_broker, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    sandbox.set_faults(fail_rate=1.0)
    try:
        entry = put(integration, email_template)
        sending.send_entry(entry.pk)
    finally:
        sandbox.set_faults(fail_rate=0.0)
    entry.refresh_from_db()
    assert (entry.status, entry.retry_count, entry.reason) == (Status.RETRYING, 1, "Internal server error")
    assert 14 <= (entry.next_attempt_at - timezone.now()).total_seconds() <= 31
    sending.send_entry(entry.pk)  # not due yet: nothing happens
    assert entry.attempts.count() == 1


@pytest.mark.django_db
def test_after_a_timeout_the_reference_is_looked_up_before_resending(integration, email_template, sandbox,
                                                                     quiet_broker, settings):
    settings.NOTIFY_TIMEOUT_SECONDS = 0.5
    sandbox.set_faults(timeout_rate=1.0, timeout_seconds=1.0)
    try:
        entry = put(integration, email_template)
        sending.send_entry(entry.pk)
    finally:
        sandbox.set_faults(timeout_rate=0.0)
    entry.refresh_from_db()
    assert (entry.status, entry.ambiguous) == (Status.RETRYING, True)
    LogEntry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    received = sandbox.notifications(reference=entry.reference)
    assert len(received) == 1
    assert (entry.status, str(entry.notify_id)) == (Status.SENT, received[0]["id"])
    assert list(entry.attempts.values_list("outcome", flat=True)) == [Outcome.RETRY, Outcome.FOUND]


@pytest.mark.django_db
def test_a_daily_limit_is_retried_after_midnight_utc(db, sandbox, quiet_broker):
    sandbox.create_service("Daily limited", daily_limits={"email": 1})
    template = sandbox.create_template("email", subject="S", body="B ((name))", service_name="Daily limited")
    key = sandbox.create_key("live", service_name="Daily limited")
    integration = integration_save(integration=Integration(name="Daily", enabled=True, base_url=sandbox.base_url),
                                   new_key=key)
    first, second = put(integration, template), put(integration, template)
    sending.send_entry(first.pk)
    sending.send_entry(second.pk)
    second.refresh_from_db()
    midnight = datetime.datetime.combine(timezone.now().astimezone(datetime.UTC).date() + datetime.timedelta(days=1),
                                         datetime.time(0), tzinfo=datetime.UTC)
    assert second.status == Status.RETRYING
    assert midnight < second.next_attempt_at < midnight + datetime.timedelta(minutes=6)
    assert second.reason.startswith("Exceeded send limits (email: 1) for today")
    assert second.retry_count == 0
    assert second.attempts.get().outcome == Outcome.DAILY_LIMIT


@pytest.mark.django_db
def test_a_rate_limit_answer_pauses_the_key_for_every_worker(db, sandbox, quiet_broker):
    sandbox.create_service("Tight", rate_limit="3/60")
    template = sandbox.create_template("email", subject="S", body="B ((name))", service_name="Tight")
    key = sandbox.create_key("test", service_name="Tight")
    # Our own limit set far above Notify's, to provoke its 429.
    integration = integration_save(integration=Integration(name="Tight", enabled=True, base_url=sandbox.base_url,
                                                            rate_limit=600), new_key=key)
    entries = [put(integration, template) for _ in range(3)]
    for entry in entries:
        sending.send_entry(entry.pk)
    statuses = [LogEntry.objects.get(pk=e.pk).status for e in entries]
    assert statuses[:2] == [Status.SENT, Status.SENT]
    limited = LogEntry.objects.get(pk=entries[2].pk)
    assert limited.status == Status.RETRYING
    assert limited.attempts.get().outcome == Outcome.RATE_LIMITED
    assert sending.limiter().state(sending.limiter_key(integration)) > 1


@pytest.fixture
def worker(transactional_db):
    process = start_worker(concurrency=4, NOTIFY_RETRY_BASE_SECONDS=0.05, NOTIFY_RETRY_MAX_SECONDS=0.4,
                           NOTIFY_TIMEOUT_SECONDS=1)
    yield process
    process.stop()


@pytest.fixture
def live_integration(transactional_db, sandbox, notify_key):
    return integration_save(integration=Integration(name="Worker", enabled=True, base_url=sandbox.base_url),
                            new_key=notify_key)


@pytest.mark.django_db(transaction=True)
def test_with_notify_failing_every_time_an_entry_fails_after_exactly_11_attempts(worker, live_integration,
                                                                                  email_template, sandbox):
    sandbox.set_faults(fail_rate=1.0)
    try:
        entry = put(live_integration, email_template)
        outbox.enqueue(entry.pk)
        assert wait_until(lambda: LogEntry.objects.get(pk=entry.pk).status == Status.FAILED, 60)
    finally:
        sandbox.set_faults(fail_rate=0.0)
    entry.refresh_from_db()
    assert (entry.failure_kind, entry.attempt_count, entry.retry_count) == (FailureKind.RETRIES_EXHAUSTED, 11, 11)
    assert entry.attempts.count() == 11
    assert entry.reason == "Failed after 10 retries: Internal server error"


@pytest.mark.django_db(transaction=True)
def test_500_messages_through_500s_and_timeouts_all_arrive_exactly_once(worker, live_integration, email_template,
                                                                          sandbox):
    sandbox.reset()
    sandbox.set_faults(fail_rate=0.3, timeout_rate=0.1, timeout_seconds=1.5)
    try:
        entries = [put(live_integration, email_template, name=f"n{n}") for n in range(500)]
        for entry in entries:
            outbox.enqueue(entry.pk)
        done = wait_until(lambda: not LogEntry.objects.exclude(status=Status.SENT).exists(), 240, interval=1)
    finally:
        sandbox.set_faults(fail_rate=0.0, timeout_rate=0.0)
    left = dict(LogEntry.objects.exclude(status=Status.SENT).values_list("reference", "status"))
    assert done, f"not sent: {list(left.items())[:5]}"
    counts = sandbox.counts()["by_reference"]
    assert {e.reference: counts.get(e.reference) for e in entries} == {e.reference: 1 for e in entries}


@pytest.mark.django_db
def test_the_delivery_status_is_fetched_from_notify_and_kept(integration, email_template, sandbox, quiet_broker,
                                                             client, auditor):
    from django.urls import reverse

    entry = put(integration, email_template)
    sending.send_entry(entry.pk)
    time.sleep(1.1)  # the sandbox delivers after a second
    client.force_login(auditor)
    response = client.post(reverse("log:status", args=[entry.pk]), follow=True)
    assert "Notify says the message is delivered" in response.content.decode()
    entry.refresh_from_db()
    assert entry.delivery_status == "delivered"
    assert list(entry.attempts.values_list("outcome", flat=True)) == [Outcome.SENT]  # a read writes no attempt


@pytest.mark.django_db
def test_the_operator_view_shows_the_queue_and_the_limiter(integration, email_template, quiet_broker, capsys):
    from django.core.management import call_command

    put(integration, email_template)
    call_command("outbox_status")
    out = capsys.readouterr().out
    assert "Queue: queued: 1, retrying: 0, sending: 0" in out
    assert "Oldest queued message: " in out
    assert "Rate limiter, Planning (3000 a minute): sending freely" in out


@pytest.mark.django_db
def test_a_template_edited_in_notify_fails_loudly_instead_of_sending(integration, sandbox, quiet_broker, settings):
    template = sandbox.create_template("email", name="Changing", subject="S", body="Hello ((name))")
    entry = put(integration, template)
    sandbox.create_template("email", name="Changing", subject="S", body="Hello ((name)), pay ((fee))",
                            template_id=template)
    settings.TEMPLATE_CACHE_SECONDS = 0  # the cache is stale: the send looks at Notify's current template
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert (entry.status, entry.failure_kind) == (Status.FAILED, FailureKind.TEMPLATE_MISMATCH)
    assert entry.reason.startswith("Not sent (no call to Notify was made): the Notify template changed after this "
                                   "message was built (version 1 then, 2 now) and now needs ((fee))")
    assert sandbox.notifications(reference=entry.reference) == []


@pytest.mark.django_db
def test_a_worker_reads_a_cached_template_once_until_the_cache_expires(integration, email_template, settings,
                                                                      django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integrations.notify.client import gateway_for

    gateway = gateway_for(integration)
    settings.TEMPLATE_CACHE_SECONDS = 0  # always expired: every send reads it again (and fetches it from Notify)
    sending.cached_template(integration, email_template, gateway)
    with CaptureQueriesContext(connection) as read_again:
        assert sending.cached_template(integration, email_template, gateway).notify_id == email_template
    assert len(read_again) > 0
    settings.TEMPLATE_CACHE_SECONDS = 300
    first = sending.cached_template(integration, email_template, gateway)
    with django_assert_num_queries(0):
        assert sending.cached_template(integration, email_template, gateway) == first


@pytest.mark.django_db
def test_a_letter_refused_in_trial_mode_says_so_and_does_not_blame_the_key(sandbox, quiet_broker):
    """Notify answers 403 BadRequestError to a letter from a trial-mode service: the reason says trial mode."""
    from integrations.notify.errors import reason_for_admin

    sandbox.create_service("Trial letters", trial=True)
    template = sandbox.create_template("letter", name="Letter", subject="S", body="B",
                                       service_name="Trial letters")
    key = sandbox.create_key("live", service_name="Trial letters")
    integration = integration_save(integration=Integration(name="Trial letters", enabled=True,
                                                           base_url=sandbox.base_url), new_key=key)
    entry = outbox.put(integration=integration, message=Message(
        channel="letter", template_id=template, template_version=1, recipient="A",
        personalisation={"address_line_1": "A", "address_line_2": "B", "postcode": "SW1A 1AA"},
        reference=outbox.new_reference()))
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert entry.status == Status.FAILED
    assert entry.reason.startswith("Cannot send letters when service is in trial mode. Notify sends no letters")
    attempt = entry.attempts.get()
    assert (attempt.status_code, attempt.error_type) == (403, "BadRequestError")
    from integrations.notify.errors import Permanent
    refusal = Permanent(entry.reason, status_code=403, error_type="BadRequestError")
    assert "API key" not in reason_for_admin(refusal, "notify")
