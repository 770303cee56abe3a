"""A citizen's reply reaches the case whichever way Notify brings it: its callback to the live server, or the read
of its list; both ways, it is kept once."""

import uuid

import pytest
from django.urls import reverse

from cases.validation import normalise_phone
from inbox.models import ReceivedText
from integrations.delivery.received import poll_received_texts
from integrations.delivery.tokens import make_callback_tokens
from integrations.models import Integration
from integrations.services import integration_save
from notify_sandbox.testing import SandboxServer
from tests.factories import PersonFactory, make_case
from tests.timing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def notify():
    with SandboxServer(rate_limit="off", delivery_seconds=0.2) as server:
        server.set_faults(callback_retry_seconds=0.5)
        server.key = server.create_key("test")
        yield server


@pytest.fixture
def replying(notify, case_type):
    integration = integration_save(integration=Integration(name="Texts", enabled=True, base_url=notify.base_url),
                                   new_key=notify.key)
    person = PersonFactory(first_name="Amira", phone=normalise_phone("07700 900123"))
    case = make_case(case_type, field_values={"decision": "Approved"}, people=[(person, "Applicant")])
    return integration, case


def reply(notify, content):
    return notify.control("POST", "received-text-messages", {"service_name": "Sandbox service",
                                                             "user_number": "07700 900123", "content": content})["id"]


def test_a_reply_by_callback_then_read_again_from_the_list_is_kept_once(notify, replying, live_server):
    integration, case = replying
    token = make_callback_tokens(integration)["received_text_token"]
    notify.control("POST", "callbacks", {
        "service_name": "Sandbox service", "callback_type": "inbound_sms", "bearer_token": token,
        "url": live_server.url + reverse("notify_callbacks:received_text", args=[integration.callback_id])})
    text_id = reply(notify, "YES I can attend")
    assert wait_until(lambda: ReceivedText.objects.filter(notify_id=text_id).exists(), 30)
    assert poll_received_texts(Integration.objects.get(pk=integration.pk)) == (1, 0, 1)  # one call, nothing new
    text = ReceivedText.objects.get()
    assert (text.case_id, text.content, text.user_number, text.source) == (
        case.pk, "YES I can attend", "447700900123", "callback")


def test_without_a_callback_the_read_of_notifys_list_brings_every_reply_once(notify, replying):
    integration, case = replying
    first = [reply(notify, f"reply {n}") for n in range(3)]
    assert poll_received_texts(integration) == (1, 3, 3)
    later = reply(notify, "one more")
    integration.refresh_from_db()
    assert poll_received_texts(integration) == (1, 1, 1)  # read back only to the newest it stored before
    assert set(ReceivedText.objects.values_list("notify_id", flat=True)) == {*map(uuid.UUID, first), uuid.UUID(later)}
    assert set(ReceivedText.objects.values_list("case_id", flat=True)) == {case.pk}
