"""A caseworker replies to the applicant by text from the case: sees the whole text, its length and number of
texts as Notify counts them, then sends it; it joins the case's conversation."""

import re

import pytest
from django.urls import reverse

from cases.validation import normalise_phone
from integrations.log import LogEntry, Status
from integrations.models import NotifyTemplate
from mappings.models import MappingTemplate, PlaceholderMapping
from tests.factories import PersonFactory, caseworker_user, make_case
from tests.rules.helpers import make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply_template(integration, case_type):
    NotifyTemplate.objects.create(integration=integration, notify_id="0e2f6b4c-8f3a-4c1e-9d7e-5a6b7c8d9e0f",
                                  name="Reply", type="sms", version=1, body="((message)) Ref ((reference))",
                                  placeholders=["message", "reference"])
    mapping = MappingTemplate.objects.create(
        name="Reply from the case", integration=integration, case_type=case_type, channel="sms",
        notify_template_id="0e2f6b4c-8f3a-4c1e-9d7e-5a6b7c8d9e0f", template_version=1,
        recipient={"source": "person", "role": "Applicant"})
    PlaceholderMapping.objects.create(mapping_template=mapping, placeholder="message", source={"source": "entered"})
    PlaceholderMapping.objects.create(mapping_template=mapping, placeholder="reference",
                                      source={"source": "case", "detail": "reference"})
    return mapping


@pytest.fixture
def case(case_type):
    person = PersonFactory(first_name="Amira", last_name="Ahmed", phone=normalise_phone("07700 900123"),
                           consent_sms=True)
    return make_case(case_type, people=[(person, "Applicant")])


def test_the_caseworker_checks_the_text_then_sends_it(client, case, reply_template):
    client.force_login(caseworker_user())
    url = reverse("inbox:reply", args=[case.pk])
    checked = client.post(url, {"mapping_template": reply_template.pk, "text": "Your visit is at 10am.",
                                "action": "check"}).content.decode()
    assert f"Your visit is at 10am. Ref {case.reference}" in checked
    assert f"{len('Your visit is at 10am. Ref ') + len(case.reference)} characters, 1 text message" in checked
    assert "+447700900123 (Amira Ahmed)" in checked
    assert not LogEntry.objects.exists()  # checking sends nothing
    digest = re.search(r'name="checked" value="([0-9a-f]+)"', checked).group(1)
    sent = client.post(url, {"mapping_template": reply_template.pk, "text": "Your visit is at 10am.",
                             "action": "send", "checked": digest})
    assert sent.status_code == 302
    entry = LogEntry.objects.get()
    assert (entry.status, entry.recipient, entry.personalisation["message"]) == (
        Status.QUEUED, "+447700900123", "Your visit is at 10am.")
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Reply from the case" in page  # in the conversation


def test_a_text_over_notifys_limit_is_refused_before_sending(client, case, reply_template):
    client.force_login(caseworker_user())
    response = client.post(reverse("inbox:reply", args=[case.pk]), {
        "mapping_template": reply_template.pk, "text": "x" * 910, "action": "send"})
    assert "Notify sends at most 918" in response.content.decode()
    assert not LogEntry.objects.exists()


def test_a_long_text_shows_how_many_texts_it_costs(api_as, case, reply_template):
    response = api_as(caseworker_user()).post(reverse("api:case-reply", args=[case.pk]), {
        "mapping_template": reply_template.pk, "text": "a" * 300, "check": True}, format="json")
    assert response.status_code == 200
    assert (response.data["fragments"], response.data["log_entry"]) == (3, None)
    sent = api_as(caseworker_user()).post(reverse("api:case-reply", args=[case.pk]), {
        "mapping_template": reply_template.pk, "text": "Thanks 👍"}, format="json")
    assert sent.status_code == 201
    assert sent.data["replaced"] == ["👍"]
    assert LogEntry.objects.get(pk=sent.data["log_entry"]).personalisation["message"] == "Thanks 👍"


def test_a_rule_cannot_fill_a_typed_placeholder(case, reply_template, case_type):
    from tests.rules.helpers import decide

    make_rule(case_type, reply_template, conditions=[])
    decide(case, case_type)
    entry = LogEntry.objects.get()
    assert entry.status == Status.FAILED
    assert "typed by the caseworker when sending" in entry.reason


def test_a_text_edited_after_its_check_is_not_sent_unchecked(client, case, reply_template):
    client.force_login(caseworker_user())
    url = reverse("inbox:reply", args=[case.pk])
    checked = client.post(url, {"mapping_template": reply_template.pk, "text": "Checked words", "action": "check"})
    digest = re.search(r'name="checked" value="([0-9a-f]+)"', checked.content.decode()).group(1)
    response = client.post(url, {"mapping_template": reply_template.pk, "text": "Other words", "action": "send",
                                 "checked": digest})
    assert "The text changed since you checked it" in response.content.decode()
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"consent_sms": False}, "has not agreed to be contacted by text message"),
    ({"phone_failed_at": "2026-11-30T10:00:00Z"}, "phone number is marked as not working")])
def test_nobody_is_texted_who_withdrew_consent_or_whose_number_fails(client, case, reply_template, change, message):
    from cases.models import Person

    Person.objects.filter(case_links__case=case).update(**change)
    client.force_login(caseworker_user())
    response = client.post(reverse("inbox:reply", args=[case.pk]), {
        "mapping_template": reply_template.pk, "text": "Hello", "action": "check"})
    assert message in response.content.decode()
    assert 'name="checked"' not in response.content.decode()  # no Send button
