"""Journey: a citizen replies to the service's text, and the case acts on it.

The reply goes through the sandbox's received-text callback to the live server. "STOP" withdraws the applicant's
text consent and sends one confirmation; "YES" to the site visit records it on the case. Each change is in the
case's history with the rule as its author; nothing is pretended."""

import pytest
from django.urls import reverse

from cases.models import Case, Person
from cases.validation import normalise_phone
from inbox.models import ReceivedText
from integrations.delivery.tokens import make_callback_tokens
from integrations.log import LogEntry
from integrations.models import Integration
from integrations.services import integration_save
from mappings.models import MappingTemplate, PlaceholderMapping
from notify_sandbox.testing import SandboxServer
from rules.models import Action, Rule, Trigger
from rules.services import rule_save
from tests.factories import PersonFactory, caseworker_user, make_case
from tests.timing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replies(case_type, live_server):
    with SandboxServer(rate_limit="off", delivery_seconds=0.2) as notify:
        integration = integration_save(integration=Integration(name="Planning", enabled=True,
                                                               base_url=notify.base_url),
                                       new_key=notify.create_key("test"))
        token = make_callback_tokens(integration)["received_text_token"]
        notify.control("POST", "callbacks", {
            "service_name": "Sandbox service", "callback_type": "inbound_sms", "bearer_token": token,
            "url": live_server.url + reverse("notify_callbacks:received_text", args=[integration.callback_id])})
        stopped = MappingTemplate.objects.create(
            name="Texts stopped", integration=integration, case_type=case_type, channel="sms",
            notify_template_id=notify.create_template("sms", body="No more texts about ((reference))."),
            template_version=1, recipient={"source": "person", "role": "Applicant"})
        PlaceholderMapping.objects.create(mapping_template=stopped, placeholder="reference",
                                          source={"source": "case", "detail": "reference"})
        rule_save(rule=Rule(name="Reply STOP", case_type=case_type, trigger=Trigger.TEXT_RECEIVED,
                            trigger_config={"test": "equals", "word": "STOP"},
                            case_update=[{"set": "consent", "role": "Applicant", "channel": "sms", "to": False}]),
                  mapping_templates=[stopped])
        rule_save(rule=Rule(name="Reply YES: visit confirmed", case_type=case_type, trigger=Trigger.TEXT_RECEIVED,
                            trigger_config={"test": "starts_with", "word": "yes"},
                            case_update=[{"set": "field", "key": "site_visit_needed", "to": "yes"}]),
                  mapping_templates=[])
        person = PersonFactory(first_name="Amira", phone=normalise_phone("07700 900123"), consent_sms=True)
        notify.case = make_case(case_type, people=[(person, "Applicant")])
        yield notify


def reply(notify, content):
    return notify.control("POST", "received-text-messages", {"service_name": "Sandbox service",
                                                             "user_number": "+44 7700 900123", "content": content})["id"]


def test_replying_stop_ends_texts_and_confirms_once(replies, client):
    reply(replies, " Stop ")
    assert wait_until(lambda: LogEntry.objects.filter(rule_name="Reply STOP").exists(), 30)
    applicant = Person.objects.get()
    assert applicant.consent_sms is False
    confirmation = LogEntry.objects.get(rule_name="Reply STOP")
    assert (confirmation.channel, confirmation.recipient) == ("sms", "+447700900123")
    client.force_login(caseworker_user())
    page = client.get(reverse("cases:case_detail", args=[replies.case.pk])).content.decode()
    assert "by the rule “Reply STOP”" in page
    assert "Applicant agrees to contact by text message: Yes → No" in page
    assert "Stop" in page  # the reply itself, in the case's conversation


def test_replying_yes_records_the_visit_and_sends_nothing(replies):
    text_id = reply(replies, "YES I can attend")
    assert wait_until(lambda: Case.objects.get().field_values.get("site_visit_needed") is True, 30)
    assert ReceivedText.objects.get(notify_id=text_id).case_id == replies.case.pk
    event = replies.case.events.get(kind="field_changed")
    assert (event.rule_name, event.data["new"]) == ("Reply YES: visit confirmed", True)
    assert not LogEntry.objects.exists()
    assert not Action.objects.filter(rule__name="Reply YES: visit confirmed").exists()
