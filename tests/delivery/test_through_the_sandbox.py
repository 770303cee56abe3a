"""Statuses as Notify sends them, through the sandbox's real callbacks to a live server: duplicated and reordered
callbacks still leave every message at its true final status, with no status ever going backwards."""

import pytest
from django.urls import reverse

from integrations import outbox, sending
from integrations.delivery import statuses
from integrations.delivery.tokens import make_callback_tokens
from integrations.log import LogEntry
from integrations.models import Integration
from integrations.services import integration_save
from mappings.resolve import Message
from notify_sandbox.testing import SandboxServer
from tests.timing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
RECIPIENTS = {"amira@example.com": "delivered", "temp-fail@simulator.notify": "temporary-failure",
              "perm-fail@simulator.notify": "permanent-failure"}


@pytest.fixture
def unruly():
    with SandboxServer(rate_limit="off", delivery_seconds=0.3) as server:
        server.set_faults(callback_duplicate_rate=0.5, callback_reorder_rate=0.5, callback_retry_seconds=0.5)
        server.key = server.create_key("test")
        server.email = server.create_template("email", subject="S", body="Hello")
        yield server


def test_duplicated_and_reordered_callbacks_leave_every_status_true(unruly, live_server):
    integration = integration_save(integration=Integration(name="Unruly", enabled=True, base_url=unruly.base_url),
                                   new_key=unruly.key)
    token = make_callback_tokens(integration)["delivery_status_token"]
    unruly.control("POST", "callbacks", {
        "service_name": "Sandbox service", "bearer_token": token,
        "url": live_server.url + reverse("notify_callbacks:delivery_status", args=[integration.callback_id])})
    entries = []
    for n in range(30):
        recipient = list(RECIPIENTS)[n % 3]
        message = Message(channel="email", template_id=unruly.email, template_version=1, recipient=recipient,
                          personalisation={}, reference=outbox.new_reference())
        entries.append(outbox.put(integration=integration, message=message))
    sending.send_entries([e.pk for e in entries])

    def settled():
        return all(e.delivery_status in statuses.FINAL for e in LogEntry.objects.filter(pk__in=[e.pk for e in entries]))

    assert wait_until(settled, 60)

    def every_call_kept():
        """Each callback the sandbox made is one stored report (a duplicate still on its way when a status settled
        is counted once both ends have it)."""
        calls = unruly.control("GET", "callbacks")["sent"]
        return all(entry.delivery_events.count() == sum(1 for c in calls if c["body"]["id"] == str(entry.notify_id))
                   for entry in LogEntry.objects.filter(pk__in=[e.pk for e in entries]))

    assert wait_until(every_call_kept, 60)
    calls = unruly.control("GET", "callbacks")["sent"]
    assert len(calls) > 30  # some were sent twice
    for entry in LogEntry.objects.filter(pk__in=[e.pk for e in entries]):
        assert entry.delivery_status == RECIPIENTS[entry.recipient]
        changes = [e.status for e in entry.delivery_events.filter(applied=True).order_by("received_at", "id")]
        assert changes == [RECIPIENTS[entry.recipient]]  # one change: repeats applied nothing, nothing went back


def test_while_the_database_refuses_callbacks_notify_tries_again_and_nothing_is_lost(live_server, monkeypatch):
    """The status table is locked against writes (a real lock: the store times out and answers 503). Once every
    message's callback has been refused at least once, the lock goes; Notify's next tries are all applied."""
    from django.db import connections

    with SandboxServer(rate_limit="off", delivery_seconds=0.2) as notify:
        notify.set_faults(callback_retry_seconds=2.0)  # six tries span 10 s: time to see every message refused
        key, template = notify.create_key("test"), notify.create_template("email", subject="S", body="Hello")
        integration = integration_save(integration=Integration(name="Locked", enabled=True, base_url=notify.base_url),
                                       new_key=key)
        token = make_callback_tokens(integration)["delivery_status_token"]
        notify.control("POST", "callbacks", {
            "service_name": "Sandbox service", "bearer_token": token,
            "url": live_server.url + reverse("notify_callbacks:delivery_status", args=[integration.callback_id])})
        # The live server's connections (made per request) give up waiting for a lock after 100 ms.
        options = connections.settings["default"].setdefault("OPTIONS", {})
        monkeypatch.setitem(options, "options", "-c lock_timeout=100")
        holder = connections.create_connection("default")
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("LOCK TABLE integrations_deliveryevent IN SHARE MODE")  # reads go on; writes wait
        try:
            entries = [outbox.put(integration=integration, message=Message(
                channel="email", template_id=template, template_version=1, recipient=f"p{n}@example.com",
                personalisation={}, reference=outbox.new_reference())) for n in range(5)]
            sending.send_entries([e.pk for e in entries])
            ids = {str(e.notify_id) for e in LogEntry.objects.filter(pk__in=[e.pk for e in entries])}

            def all_refused():
                refused = {c["body"]["id"] for c in notify.control("GET", "callbacks")["sent"]
                           if c["outcome"] == 503}
                return ids <= refused

            assert wait_until(all_refused, 30)
            assert not LogEntry.objects.filter(pk__in=[e.pk for e in entries], delivery_status="delivered").exists()
        finally:
            holder.rollback()
            holder.close()
        assert wait_until(lambda: LogEntry.objects.filter(pk__in=[e.pk for e in entries],
                                                          delivery_status="delivered").count() == 5, 30)
