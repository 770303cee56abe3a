"""Reading Notify's list catches what no callback brought: letters, integrations without callbacks, lost callbacks.
Against a sandbox of its own whose messages reach their final status at once."""

import datetime

import pytest
from django.utils import timezone
from notifications_python_client.notifications import NotificationsAPIClient

from integrations import outbox, sending
from integrations.delivery import polling
from integrations.delivery.record import history
from integrations.log import LogEntry, Status
from integrations.models import Integration
from integrations.services import integration_save
from mappings.resolve import Message
from notify_sandbox.testing import SandboxServer

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def instant():
    with SandboxServer(rate_limit="off", delivery_seconds=0) as server:
        server.key = server.create_key("test")
        server.email = server.create_template("email", subject="S", body="Hello")
        server.sms = server.create_template("sms", body="Hello")
        server.letter = server.create_template("letter", subject="S", body="Hello")
        yield server


@pytest.fixture
def polled(instant):
    instant.reset()
    return integration_save(integration=Integration(name="Polled", enabled=True, base_url=instant.base_url),
                            new_key=instant.key)


def send(integration, channel, template, recipient, personalisation=None):
    message = Message(channel=channel, template_id=template, template_version=1, recipient=recipient,
                      personalisation=personalisation or {}, reference=outbox.new_reference())
    entry = outbox.put(integration=integration, message=message)
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert entry.status == Status.SENT
    return entry


LETTER = {"address_line_1": "Amira Ahmed", "address_line_2": "1 High Street", "address_line_3": "SW1A 2AA"}


def test_two_reads_of_notifys_list_bring_every_status_no_callback_brought(polled, instant, quiet_broker):
    email = send(polled, "email", instant.email, "amira@example.com")
    text = send(polled, "sms", instant.sms, "07700900002")  # Notify's "permanently failing" number
    letter = send(polled, "letter", instant.letter, LETTER["address_line_1"], LETTER)
    assert polling.poll_integration(polled) == 2  # one page of emails and texts, one of letters
    statuses = {e.pk: e.delivery_status for e in LogEntry.objects.filter(pk__in=[email.pk, text.pk, letter.pk])}
    assert statuses == {email.pk: "delivered", text.pk: "permanent-failure", letter.pk: "received"}
    assert [(h["status"], h["source"]) for h in history(LogEntry.objects.get(pk=letter.pk))] == [("received", "poll")]
    # Nothing is open any more: the next poll makes no call at all.
    assert polling.poll_integration(polled) == 0


def test_the_read_stops_at_the_oldest_message_still_open(polled, instant, quiet_broker, monkeypatch):
    monkeypatch.setattr(polling, "CLOCK_MARGIN", datetime.timedelta(0))
    other = NotificationsAPIClient(instant.key, base_url=instant.base_url)
    for _ in range(260):  # more than a page of older messages, none of them ours
        other.send_sms_notification("07700900123", instant.sms)
    entry = send(polled, "email", instant.email, "amira@example.com")
    assert polling.poll_integration(polled) == 1  # the newest page holds it; older pages are not read
    assert LogEntry.objects.get(pk=entry.pk).delivery_status == "delivered"


def test_notifys_test_recipients_are_marked_not_left_waiting(polled, instant, quiet_broker):
    entry = send(polled, "email", instant.email, "simulate-delivered@notifications.service.gov.uk")
    assert polling.poll_integration(polled) == 0  # nothing to ask Notify: it never stores these
    entry.refresh_from_db()
    assert (entry.delivery_status, entry.delivery_note) == ("", "not_stored")


def test_a_message_notify_no_longer_holds_is_marked_so_after_7_days(polled, instant, quiet_broker):
    entry = send(polled, "email", instant.email, "amira@example.com")
    LogEntry.objects.filter(pk=entry.pk).update(sent_at=timezone.now() - datetime.timedelta(days=7, minutes=1))
    polling.poll_integration(polled)
    entry.refresh_from_db()
    assert entry.delivery_note == "expired"
    assert [h["source"] for h in history(entry)] == ["expired"]


def test_a_letter_waiting_for_days_does_not_make_every_email_since_be_read_again(polled, instant, quiet_broker,
                                                                                 monkeypatch):
    monkeypatch.setattr(polling, "CLOCK_MARGIN", datetime.timedelta(0))
    letter = send(polled, "letter", instant.letter, LETTER["address_line_1"], LETTER)
    LogEntry.objects.filter(pk=letter.pk).update(delivery_status="accepted")  # printing takes days
    other = NotificationsAPIClient(instant.key, base_url=instant.base_url)
    for _ in range(260):  # more than a page of emails after it
        other.send_email_notification("someone@example.com", instant.email)
    email = send(polled, "email", instant.email, "amira@example.com")
    # Emails and texts: one page reaches past the open email. Letters: one page holds the letter.
    assert polling.poll_integration(polled) == 2
    assert {e.pk: e.delivery_status for e in LogEntry.objects.filter(pk__in=[letter.pk, email.pk])} == {
        letter.pk: "received", email.pk: "delivered"}
