"""The outbox: entries are written with the caller's transaction, published on commit, swept when lost."""

import datetime
import json

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations import claims, outbox
from integrations.log import FailureKind, LogEntry, Status
from integrations.models import Integration
from mappings.resolve import Message
from tests.workers import purge_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration():
    return Integration.objects.create(name="Planning", enabled=True, base_url="http://127.0.0.1:9")


@pytest.fixture
def broker():
    purge_queue()
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    purge_queue()


def queued_ids(client):
    """The entry ids of the send tasks waiting in the broker."""
    ids = []
    for raw in client.lrange(outbox.CASE_SENDS, 0, -1) + client.lrange(outbox.BULK_SENDS, 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == "integrations.send_log_entry":
            ids.append(message["headers"]["argsrepr"])
    return ids


def queued_batches(client):
    """The entry-id lists of the batch send tasks waiting in the broker."""
    return [json.loads(raw)["headers"]["argsrepr"]
            for raw in client.lrange(outbox.CASE_SENDS, 0, -1) + client.lrange(outbox.BULK_SENDS, 0, -1)
            if json.loads(raw)["headers"]["task"] == "integrations.send_log_entries"]


def message(**overrides):
    fields = {"channel": "email", "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a", "template_version": 2,
              "recipient": "amira@example.com", "personalisation": {"name": "Amira"}, "reference": "ref-1"}
    fields.update(overrides)
    return Message(**fields)


def test_an_entry_is_published_only_when_the_transaction_commits(integration, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry = outbox.put(integration=integration, message=message(), rule=(7, "Decision issued"),
                           mapping_template=(3, "Decision email"))
        assert queued_ids(broker) == []
    assert len(callbacks) == 1
    assert queued_ids(broker) == [f"({entry.pk},)"]
    entry.refresh_from_db()
    assert (entry.status, entry.rule_name, entry.mapping_template_id) == (Status.QUEUED, "Decision issued", 3)
    assert entry.enqueued_at is not None


def test_a_rolled_back_change_leaves_no_entry_and_no_task(integration, broker):
    def change_that_fails():
        with transaction.atomic():
            outbox.put(integration=integration, message=message())
            raise RuntimeError("the case change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert LogEntry.objects.count() == 0
    assert queued_ids(broker) == []


def test_a_disabled_integration_records_a_failed_entry(integration, broker, django_capture_on_commit_callbacks):
    integration.enabled = False
    integration.save()
    with django_capture_on_commit_callbacks(execute=True):
        entry = outbox.put(integration=integration, message=message())
    assert (entry.status, entry.failure_kind) == (Status.FAILED, FailureKind.INTEGRATION_DISABLED)
    assert entry.reason == "Not sent: the integration 'Planning' is disabled"
    assert queued_ids(broker) == []


def test_an_unresolvable_message_is_a_failed_entry_with_its_reasons(integration):
    entry = outbox.put_failed(integration=integration, channel="email",
                              problems=["Applicant has no email address", "Field 'Decision date' is empty"])
    assert (entry.status, entry.failure_kind, entry.attempt_count) == (Status.FAILED, FailureKind.VALIDATION, 0)
    assert entry.reason == "Applicant has no email address; Field 'Decision date' is empty"
    assert entry.reference.startswith("ncn-")


def test_references_are_unique_and_carry_no_personal_data():
    references = {outbox.new_reference() for _ in range(1000)}
    assert len(references) == 1000
    assert all(r.startswith("ncn-") and len(r) == 36 for r in references)


def test_the_sweeper_republishes_entries_whose_task_was_lost(integration, broker):
    now = timezone.now()
    lost = LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED,
                                   next_attempt_at=now, enqueued_at=None, reference="lost")
    waiting = LogEntry.objects.create(integration=integration, channel="email", status=Status.RETRYING,
                                      next_attempt_at=now + datetime.timedelta(minutes=5), reference="later")
    fresh = LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED,
                                    next_attempt_at=now, enqueued_at=now, reference="fresh")
    assert outbox.sweep(now=now) == (1, 0)
    # Neither the entry waiting for its retry time nor the one just published is published again.
    assert queued_ids(broker) == [f"({lost.pk},)"]
    assert {waiting.pk, fresh.pk}.isdisjoint({lost.pk})


def test_while_tasks_wait_in_the_broker_a_late_task_is_not_taken_as_lost(integration, broker):
    now = timezone.now()
    late = LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED, next_attempt_at=now,
                                   enqueued_at=now - datetime.timedelta(minutes=5), reference="late")
    never = LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED,
                                    next_attempt_at=now, enqueued_at=None, reference="never")
    broker.lpush(outbox.BULK_SENDS, "a task ahead of them")
    assert outbox.broker_backlog() == 1
    assert outbox.sweep(now=now) == (1, 0)
    broker.lrem(outbox.BULK_SENDS, 0, "a task ahead of them")
    assert queued_ids(broker) == [f"({never.pk},)"]
    broker.delete(*outbox.SEND_QUEUES)
    assert outbox.sweep(now=now) == (1, 0)  # the queue drained and it still has not started: lost
    assert queued_ids(broker) == [f"({late.pk},)"]


def test_the_sweeper_returns_stuck_sends_to_the_queue_marked_ambiguous(integration, broker):
    stuck = LogEntry.objects.create(integration=integration, channel="email", status=Status.SENDING, reference="s")
    LogEntry.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))
    published, recovered = outbox.sweep()
    stuck.refresh_from_db()
    assert (published, recovered) == (1, 1)
    assert (stuck.status, stuck.ambiguous) == (Status.RETRYING, True)


@pytest.mark.parametrize("status", [Status.SENT, Status.FAILED, Status.CANCELLED, Status.SENDING])
def test_only_sendable_entries_can_be_claimed(integration, status):
    entry = LogEntry.objects.create(integration=integration, channel="email", status=status, reference="x")
    assert claims.claim([entry.pk]) == []


def test_an_early_duplicate_task_does_not_claim_a_later_retry(integration):
    entry = LogEntry.objects.create(integration=integration, channel="email", status=Status.RETRYING, reference="x",
                                    next_attempt_at=timezone.now() + datetime.timedelta(minutes=1))
    assert claims.claim([entry.pk]) == []
    LogEntry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())
    [claimed] = claims.claim([entry.pk])
    assert claimed.status == Status.SENDING
    assert LogEntry.objects.get(pk=entry.pk).status == Status.SENDING


def test_of_two_workers_that_read_an_entry_only_one_claims_it(integration):
    entry = LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED, reference="x",
                                    next_attempt_at=timezone.now())
    stale = LogEntry.objects.get(pk=entry.pk)  # what the slower worker read before the other claimed it
    assert [e.status for e in claims.claim([entry.pk])] == [Status.SENDING]
    assert claims.compare_and_set([stale], timezone.now()) == set()


def test_an_entry_with_no_due_time_is_claimed_once(integration):
    entry = LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED, reference="x",
                                    next_attempt_at=None)
    stale = LogEntry.objects.get(pk=entry.pk)
    assert [e.status for e in claims.claim([entry.pk])] == [Status.SENDING]
    assert LogEntry.objects.get(pk=entry.pk).status == Status.SENDING
    assert claims.compare_and_set([stale], timezone.now()) == set()


def test_an_entry_released_and_queued_again_cannot_be_claimed_from_an_earlier_read(integration):
    entry = LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED, reference="x",
                                    next_attempt_at=timezone.now())
    stale = LogEntry.objects.get(pk=entry.pk)
    [claimed] = claims.claim([entry.pk])
    claims.release([claimed], wait=5)  # back to "queued", due in 5 s: the earlier read's due time no longer matches
    assert LogEntry.objects.get(pk=entry.pk).status == Status.QUEUED
    assert claims.compare_and_set([stale], timezone.now()) == set()
    assert LogEntry.objects.get(pk=entry.pk).status == Status.QUEUED


def test_many_entries_are_published_in_batches_of_outbox_batch(integration, broker, settings,
                                                               django_capture_on_commit_callbacks):
    settings.OUTBOX_BATCH = 25
    with django_capture_on_commit_callbacks(execute=True):
        saved = outbox.put_many([outbox.entry_for(integration=integration, message=message(reference=f"r{n}"))
                                 for n in range(60)])
    ids = [entry.pk for entry in saved]
    batches = queued_batches(broker)
    # Redis lists are LPUSHed: the newest batch is first.
    assert sorted(batches) == sorted([f"({ids[:25]},)", f"({ids[25:50]},)", f"({ids[50:]},)"])
    assert not LogEntry.objects.filter(pk__in=ids, enqueued_at=None).exists()


def test_many_entries_written_with_copy_read_back_as_one_written_by_the_orm(integration, broker):
    from django.forms.models import model_to_dict

    many = outbox.put_many([outbox.entry_for(integration=integration, message=message(reference=f"m{n}"),
                                             rule=(7, "Decision issued"), mapping_template=(3, "Letter"))
                            for n in range(outbox.COPY_FROM + 10)])
    one = outbox.put(integration=integration, message=message(reference="single"), rule=(7, "Decision issued"),
                     mapping_template=(3, "Letter"))
    failed = outbox.put_many([outbox.failed_entry_for(integration=integration, channel="sms", problems=["No phone"])
                              for _ in range(outbox.COPY_FROM)])
    assert LogEntry.objects.count() == len(many) + 1 + len(failed)

    def stored(entry):
        # Every field but the ids and the times, which differ by the microseconds between the two writes.
        return model_to_dict(LogEntry.objects.get(pk=entry.pk), exclude=["id", "reference", "next_attempt_at",
                                                                          "enqueued_at"])

    copied, written = stored(many[0]), stored(one)
    assert copied == written
    assert (copied["personalisation"], copied["sanitise_content_for"]) == ({"name": "Amira"}, [])
    row = LogEntry.objects.get(pk=many[-1].pk)
    assert (row.reference, row.created_at, row.updated_at) == (many[-1].reference, many[-1].created_at,
                                                               many[-1].updated_at)
    assert (row.status, row.enqueued_at is not None, row.next_attempt_at is not None) == (Status.QUEUED, True, True)
    assert LogEntry.objects.get(pk=failed[0].pk).reason == "No phone"
    assert LogEntry.objects.get(pk=failed[0].pk).status == Status.FAILED


def test_a_batch_is_claimed_at_once_in_its_order_leaving_what_is_not_due_or_not_sendable(integration):
    now = timezone.now()

    def make(reference, status=Status.QUEUED, due=now):
        return LogEntry.objects.create(integration=integration, channel="email", status=status, reference=reference,
                                       next_attempt_at=due)

    later = make("later", Status.RETRYING, now + datetime.timedelta(minutes=1))
    first, sent, retry = make("first"), make("sent", Status.SENT, None), make("retry", Status.RETRYING)
    last = make("last")
    claimed = claims.claim([last.pk, later.pk, sent.pk, first.pk, retry.pk, 999_999])
    assert [entry.reference for entry in claimed] == ["last", "first", "retry"]
    assert [entry.previous_status for entry in claimed] == [Status.QUEUED, Status.QUEUED, Status.RETRYING]
    states = dict(LogEntry.objects.values_list("reference", "status"))
    assert states == {"later": Status.RETRYING, "first": Status.SENDING, "sent": Status.SENT,
                      "retry": Status.SENDING, "last": Status.SENDING}
    assert claims.claim([first.pk, retry.pk, last.pk]) == []  # claimed once


def test_a_lease_half_gone_is_renewed_before_sending_and_one_the_sweeper_took_back_is_not_ours(integration, settings):
    settings.OUTBOX_STUCK_SENDING_SECONDS = 300
    kept, lost = (LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED,
                                          reference=reference, next_attempt_at=timezone.now())
                  for reference in ("kept", "lost"))
    kept, lost = claims.claim([kept.pk, lost.pk])
    assert claims.still_ours(kept)  # a fresh lease: no statement needed
    for entry in (kept, lost):  # this worker has held both for 200 s (the lease is 300 s)
        entry.updated_at -= datetime.timedelta(seconds=200)
        LogEntry.objects.filter(pk=entry.pk).update(updated_at=entry.updated_at)
    # Meanwhile the sweeper took "lost" back and another worker claimed it again (a lease of its own).
    LogEntry.objects.filter(pk=lost.pk).update(updated_at=timezone.now())
    assert claims.still_ours(kept)
    assert timezone.now() - LogEntry.objects.get(pk=kept.pk).updated_at < datetime.timedelta(seconds=5)  # renewed
    assert not claims.still_ours(lost)


def test_a_batch_the_limiter_holds_back_goes_back_to_the_queue_as_one_task(integration, broker):
    entries = [LogEntry.objects.create(integration=integration, channel="email", status=Status.QUEUED,
                                       reference=f"r{n}", next_attempt_at=timezone.now()) for n in range(3)]
    claimed = claims.claim([entry.pk for entry in entries])
    claims.release(claimed, wait=30)
    assert set(LogEntry.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert all(e.next_attempt_at > timezone.now() + datetime.timedelta(seconds=25) for e in LogEntry.objects.all())
    assert queued_batches(broker) == [repr(([entry.pk for entry in entries],))]
